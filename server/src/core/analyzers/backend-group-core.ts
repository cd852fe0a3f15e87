import type { Analyzer, Finding, Severity } from './types';
import { backendLabel, ruleLevelBackends } from './routes';
import { finding } from './util';

export const backendGroupCore: Analyzer = {
  code: 'backend-group-core',
  defaultSeverity: 'warning',
  summary: '`group: core` on a Service backendRef (Linkerd resolves it, Istio rejects it)',
  reads: 'routes',
  analyze(ctx) {
    if (ctx.profile.implementation === 'linkerd') return [];
    const out: Finding[] = [];
    for (const { route, b, t } of ruleLevelBackends(ctx)) {
      if (t.state !== 'core-word' || !b.group) continue;
      const severity: Severity = ctx.profile.coreBackendResolves ? this.defaultSeverity : 'error';
      const written = String(b.group.value);
      const message = ctx.profile.coreBackendResolves
        ? `group: ${written} on a Service ${backendLabel(b)} is not portable: Linkerd resolves it, but Istio rejects it (InvalidKind) and the API server does not apply the Service port check. The core API group is written group: "".`
        : `${ctx.profile.implementation} does not resolve group: ${written} (it reads "${written}/Service" as an unknown kind: ResolvedRefs=False, InvalidKind), so this ${backendLabel(b)} gets no traffic and its share of requests gets a 500. The core API group is written group: "".`;
      out.push(
        finding(this.code, severity, route.file, b.group.span, message, {
          data: { ruleIndex: b.ruleIndex, backendIndex: b.index, mirror: b.mirror, service: `${t.namespace}/${t.name}` },
          fixes: [{ title: 'Replace with group: ""', preferred: true, edits: [{ file: route.file, span: b.group.span, newText: '""' }] }],
        }),
      );
    }
    return out;
  },
};
