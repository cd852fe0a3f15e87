import type { Analyzer, Finding, Severity } from './types';
import { backendLabel, resolvesAsService, ruleLevelBackends } from './routes';
import { didYouMean, finding, otherNamespacesWithService, yamlScalar } from './util';

export const backendServiceNotFound: Analyzer = {
  code: 'backend-service-not-found',
  defaultSeverity: 'warning',
  summary: 'a backendRef names a Service not in the workspace (hint when its weight is 0)',
  reads: 'routes',
  analyze(ctx) {
    const out: Finding[] = [];
    for (const { route, b, t } of ruleLevelBackends(ctx)) {
      if (!resolvesAsService(t, ctx.profile) || !b.name || t.service) continue;
      const zero = t.weight === 0 && !b.mirror;
      const severity: Severity = zero ? 'hint' : this.defaultSeverity;
      // Per-snapshot indexes: a scan of every Service per missing backend is quadratic at scale.
      const inNamespace = ctx.ws.serviceNamesByNamespace().get(t.namespace) ?? [];
      const guess = didYouMean(t.name, inNamespace);
      let message = zero
        ? `Service ${t.namespace}/${t.name} is not in the workspace; this ${backendLabel(b)} has weight 0, so it gets no traffic anyway.`
        : `Service ${t.namespace}/${t.name} is not in the workspace: the share of requests this ${backendLabel(b)} would get ${b.mirror ? 'is not mirrored' : 'fails (500; Istio: "backend not found")'} unless it exists in the cluster.`;
      if (guess) message += ` Did you mean ${guess}?`;
      else {
        const elsewhere = otherNamespacesWithService(ctx.ws, t.name, t.namespace);
        if (elsewhere) message += ` A Service ${t.name} exists in namespace ${elsewhere}${b.namespace ? '' : `; the backendRef has no namespace, so it means the route's own namespace ${route.namespace}`}.`;
      }
      const related = guess ? ctx.ws.service(t.namespace, guess) : undefined;
      out.push(
        finding(this.code, severity, route.file, b.name.span, message, {
          data: { ruleIndex: b.ruleIndex, backendIndex: b.index, mirror: b.mirror, namespace: t.namespace, name: t.name, weight: t.weight, suggestion: guess },
          related: related?.nameField ? [{ file: related.file, span: related.nameField.span, message: `Service ${related.namespace}/${related.name}` }] : [],
          fixes: guess ? [{ title: `Change to ${guess}`, preferred: true, edits: [{ file: route.file, span: b.name.span, newText: yamlScalar(guess) }] }] : [],
        }),
      );
    }
    return out;
  },
};
