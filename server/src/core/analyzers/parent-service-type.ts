import type { Analyzer, Finding } from './types';
import { resolvedRoutes, serviceGroupRecognised } from './routes';
import { finding } from './util';

export const parentServiceType: Analyzer = {
  code: 'parent-service-type',
  defaultSeverity: 'warning',
  summary: 'the parent Service is headless (`clusterIP: None`) or `type: ExternalName`',
  reads: 'routes',
  analyze(ctx) {
    const out: Finding[] = [];
    for (const { route, parents } of resolvedRoutes(ctx)) {
      for (const p of parents) {
        const svc = p.service;
        if (!svc || !serviceGroupRecognised(p, ctx.profile) || p.reason === 'route-rejected') continue;
        const headless = svc.clusterIP?.value === 'None';
        const external = svc.type === 'ExternalName';
        if (!headless && !external) continue;
        const what = external ? 'an ExternalName Service' : 'a headless Service (clusterIP: None)';
        const why = external ? 'it is only a DNS alias and has no cluster IP of its own' : 'it has no cluster IP (no frontend): callers reach the pods directly';
        const effect = ctx.profile.headlessParentBinds
          ? `${ctx.profile.implementation === 'generic' ? 'Implementations differ: Istio binds it, Linkerd rejects it (NoMatchingParent)' : `${ctx.profile.implementation} binds it, but Linkerd rejects it`}, and traffic that does not go through the frontend is never routed.`
          : 'Linkerd does not bind it (Accepted=False, NoMatchingParent: "parent service must have a ClusterIP"), so this route has no effect.';
        const node = external ? svc.typeField : svc.clusterIP;
        out.push(
          finding(this.code, this.defaultSeverity, route.file, p.ref.name?.span ?? p.ref.span, `${svc.namespace}/${svc.name} is ${what}: GEP-1294 says it SHOULD NOT be a parent because ${why}. ${effect}`, {
            data: { parentIndex: p.ref.index, service: `${svc.namespace}/${svc.name}`, serviceType: external ? 'ExternalName' : 'Headless', binds: ctx.profile.headlessParentBinds },
            related: [{ file: svc.file, span: node?.span ?? svc.nameField?.span ?? svc.span, message: external ? `Service ${svc.name} is type ExternalName` : `Service ${svc.name} has clusterIP: None` }],
          }),
        );
      }
    }
    return out;
  },
};
