import type { Analyzer, Finding } from './types';
import { resolvedRoutes, routeRecognised, serviceGroupRecognised } from './routes';
import { finding } from './util';

export const consumerRouteUnsupported: Analyzer = {
  code: 'consumer-route-unsupported',
  defaultSeverity: 'warning',
  summary: 'a consumer route (parent Service in another namespace) under `cilium` (no consumer routes) or `istio-ambient` (waypoints ignore them)',
  reads: 'routes',
  analyze(ctx) {
    const impl = ctx.profile.implementation;
    if (impl !== 'cilium' && impl !== 'istio-ambient') return [];
    const out: Finding[] = [];
    for (const { route, parents } of resolvedRoutes(ctx)) {
      if (!routeRecognised(ctx, route)) continue;
      for (const p of parents) {
        if (p.role !== 'consumer' || !serviceGroupRecognised(p, ctx.profile) || !p.ref.namespace || p.reason === 'route-rejected') continue;
        const why =
          impl === 'cilium'
            ? 'Cilium does not support consumer routes (feature MeshConsumerRoute)'
            : `in ambient mode routes are applied by the waypoint of ${p.namespace}/${p.name}, which only uses routes from the Service's namespace (or the waypoint's own)`;
        const svc = p.service;
        out.push(
          finding(
            this.code,
            this.defaultSeverity,
            route.file,
            p.ref.namespace.span,
            `This is a consumer route (route in ${route.namespace}, Service in ${p.namespace}): ${why}, so callers in ${route.namespace} keep the Service's producer routes or default routing. Move the route to ${p.namespace} as a producer route if it should apply to every caller.`,
            {
              data: { parentIndex: p.ref.index, service: `${p.namespace}/${p.name}`, callerNamespace: route.namespace, implementation: impl },
              related: svc?.nameField ? [{ file: svc.file, span: svc.nameField.span, message: `Service ${svc.namespace}/${svc.name}` }] : [],
            },
          ),
        );
      }
    }
    return out;
  },
};
