import type { Analyzer, Finding } from './types';
import { backendLabel, resolvesAsService, ruleLevelBackends } from './routes';
import { finding } from './util';

export const backendExternalname: Analyzer = {
  code: 'backend-externalname',
  defaultSeverity: 'warning',
  summary: 'a backendRef names an ExternalName Service',
  reads: 'routes',
  analyze(ctx) {
    const out: Finding[] = [];
    for (const { route, b, t } of ruleLevelBackends(ctx)) {
      const svc = t.service;
      if (!resolvesAsService(t, ctx.profile) || !svc || svc.type !== 'ExternalName' || !b.name) continue;
      out.push(
        finding(
          this.code,
          this.defaultSeverity,
          route.file,
          b.name.span,
          `Service ${svc.namespace}/${svc.name} is type ExternalName${svc.externalName ? ` (${svc.externalName})` : ''}: it has no endpoints, and GEP-1294 says ExternalName Services SHOULD NOT be backendRefs (the Gateway API warns that they can be used to reach anything, CVE-2021-25740), so implementations may refuse this ${backendLabel(b)}.`,
          {
            data: { ruleIndex: b.ruleIndex, backendIndex: b.index, mirror: b.mirror, service: `${svc.namespace}/${svc.name}`, externalName: svc.externalName },
            related: [{ file: svc.file, span: svc.typeField?.span ?? svc.nameField?.span ?? svc.span, message: `Service ${svc.name} is type ExternalName` }],
          },
        ),
      );
    }
    return out;
  },
};
