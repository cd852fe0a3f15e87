import type { Analyzer, Finding, Severity } from './types';
import { resolvedRoutes } from './routes';
import { finding, serviceRelated } from './util';

export const parentGroupCore: Analyzer = {
  code: 'parent-group-core',
  defaultSeverity: 'warning',
  summary: '`group: core` on a Service parentRef (Linkerd binds it, Istio ignores it)',
  reads: 'routes',
  analyze(ctx) {
    const impl = ctx.profile.implementation;
    if (impl === 'linkerd') return [];
    const severity: Severity = ctx.profile.coreGroupBinds ? this.defaultSeverity : 'error';
    const out: Finding[] = [];
    for (const { route, parents } of resolvedRoutes(ctx)) {
      for (const p of parents) {
        if (p.target !== 'service' || p.groupState !== 'core' || !p.ref.group) continue;
        const message = ctx.profile.coreGroupBinds
          ? `group: ${String(p.ref.group.value)} is not portable: Linkerd binds it, but Istio ignores this parentRef. The core API group is written group: "".`
          : `${impl} ignores parentRefs with group: ${String(p.ref.group.value)}, so this route does not bind ${p.namespace}/${p.name}. The core API group is written group: "".`;
        out.push(
          finding(this.code, severity, route.file, p.ref.group.span, message, {
            data: { parentIndex: p.ref.index },
            related: serviceRelated(p.service),
            fixes: [{ title: 'Replace with group: ""', preferred: true, edits: [{ file: route.file, span: p.ref.group.span, newText: '""' }] }],
          }),
        );
      }
    }
    return out;
  },
};
