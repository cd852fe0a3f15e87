import { serviceBindings } from '../bindings/effective';
import type { ServiceBindings } from '../bindings/effective';
import type { Workspace } from '../index/snapshot';
import type { ServiceObject } from '../model/types';
import { objectId } from '../model/types';
import type { Analyzer, Finding } from './types';
import { resolvedRoutes } from './routes';
import { finding } from './util';

/** True when some route lost a kind conflict on some port of the Service (rare): once per bindings. */
function hasConflicts(b: ServiceBindings): boolean {
  let v = withConflicts.get(b);
  if (v === undefined) {
    v = b.ports.some((pb) => (pb.producer?.conflicted.length ?? 0) > 0 || [...pb.consumers.values()].some((g) => g.conflicted.length > 0));
    withConflicts.set(b, v);
  }
  return v;
}

const withConflicts = new WeakMap<ServiceBindings, boolean>();

/** True when a route of another kind than `kind` names the Service as a parent (worked out once per snapshot and Service). */
function namedByOtherKind(ws: Workspace, service: ServiceObject, kind: string): boolean {
  // The one kind of the routes naming the Service as a parent, or null when they are of several.
  const byService = ws.derived('route-kind-conflict:parentKind', () => new WeakMap<ServiceObject, string | null>());
  let only = byService.get(service);
  if (only === undefined) {
    only = '';
    for (const r of ws.referencesTo(service.namespace, service.name)) {
      if (r.type !== 'parent' || r.route.kind === only) continue;
      if (only !== '') {
        only = null;
        break;
      }
      only = r.route.kind;
    }
    byService.set(service, only);
  }
  return only !== kind;
}

export const routeKindConflict: Analyzer = {
  code: 'route-kind-conflict',
  defaultSeverity: 'warning',
  summary: 'on the route that loses a route kind conflict on a Service port (GRPC > HTTP > TLS > TCP)',
  reads: 'routes',
  analyze(ctx) {
    // The profile resolves no conflict (every route applies).
    if (ctx.profile.kindConflicts === 'none') return [];
    const out: Finding[] = [];
    for (const { route, parents } of resolvedRoutes(ctx)) {
      for (const p of parents) {
        if (!p.binds || !p.service) continue;
        // A route loses only to a route of another kind on the same Service: without one, its
        // bindings need not be computed (most Services).
        if (!namedByOtherKind(ctx.ws, p.service, route.kind)) continue;
        const b = serviceBindings(ctx.ws, p.service);
        if (!hasConflicts(b)) continue;
        const lostOn: number[] = [];
        const winners = new Map<string, { file: string; span: { start: number; end: number } }>();
        let winnerKind = '';
        for (const pb of b.ports) {
          for (const g of [pb.producer, ...pb.consumers.values()]) {
            const lost = g?.conflicted.find((a) => a.route === route && a.resolution.ref === p.ref);
            if (!g || !lost) continue;
            lostOn.push(pb.port.port!.value);
            for (const w of g.beatenBy.get(lost) ?? []) {
              winnerKind = w.route.kind;
              winners.set(objectId(w.route), { file: w.route.file, span: w.resolution.ref.span });
            }
          }
        }
        if (lostOn.length === 0) continue;
        const ports = [...new Set(lostOn)].sort((x, y) => x - y);
        out.push(
          finding(
            this.code,
            this.defaultSeverity,
            route.file,
            p.ref.span,
            `${route.kind} ${route.namespace}/${route.name} does not apply on ${p.service.name} port${ports.length > 1 ? 's' : ''} ${ports.join(', ')}: ${[...winners.keys()].join(', ')} bind${winners.size === 1 ? 's' : ''} the same port and ${winnerKind} wins over ${route.kind} (GEP-1294: GRPCRoute > HTTPRoute > TLSRoute > TCPRoute).`,
            {
              data: { parentIndex: p.ref.index, ports, winners: [...winners.keys()] },
              related: [...winners].map(([id, loc]) => ({ file: loc.file, span: loc.span, message: `${id} wins` })),
            },
          ),
        );
        break; // once per route
      }
    }
    return out;
  },
};
