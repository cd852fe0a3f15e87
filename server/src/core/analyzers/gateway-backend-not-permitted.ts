import { GATEWAY_GROUP } from '../model/types';
import type { ReferenceGrantObject, RouteObject } from '../model/types';
import type { Analyzer, Finding, Fix } from './types';
import { appendDocument } from './edits';
import { backendLabel, ruleLevelBackends } from './routes';
import { finding, yamlScalar } from './util';

/** True when a ReferenceGrant in the backend's namespace lets `route` refer to Service `name`. */
export function grantAllows(grants: readonly ReferenceGrantObject[], route: RouteObject, name: string): boolean {
  return grants.some(
    (g) =>
      g.from.some((f) => f.group === GATEWAY_GROUP && f.kind === route.kind && f.namespace === route.namespace) &&
      g.to.some((t) => t.group === '' && t.kind === 'Service' && (t.name === undefined || t.name === '' || t.name === name)),
  );
}

export const gatewayBackendNotPermitted: Analyzer = {
  code: 'gateway-backend-not-permitted',
  defaultSeverity: 'error',
  summary: "a route with a Gateway parent sends to another namespace's Service with no ReferenceGrant allowing it (never raised for Service parents)",
  reads: 'routes',
  analyze(ctx) {
    const out: Finding[] = [];
    // Built once per snapshot, not once per file (a scan of every object per file is quadratic).
    const grantsIn = (ns: string): ReferenceGrantObject[] => {
      const byNamespace = ctx.ws.derived('reference-grants-by-namespace', () => {
        const m = new Map<string, ReferenceGrantObject[]>();
        for (const o of ctx.ws.objects()) if (o.kind === 'ReferenceGrant' && !('other' in o)) m.set(o.namespace, [...(m.get(o.namespace) ?? []), o as ReferenceGrantObject]);
        return m;
      });
      return byNamespace.get(ns) ?? [];
    };
    for (const { route, parents, b, t } of ruleLevelBackends(ctx)) {
      const gateway = parents.find((p) => p.target === 'gateway');
      if (!gateway || !b.namespace || t.namespace === route.namespace) continue;
      if (t.state !== 'core-empty' && t.state !== 'core-word') continue;
      const grants = grantsIn(t.namespace);
      if (grantAllows(grants, route, t.name)) continue;
      const serviceParents = parents.some((p) => p.target === 'service');
      const fixes: Fix[] = [];
      // The grant must live in the backend's namespace. Put it beside the Service when the Service is
      // in the workspace (the same kustomization, if any, then gives it the same namespace); else at
      // the end of the route's file, unless a kustomization would move it to the route's namespace.
      const host = t.service ?? (route.namespaceSource === 'kustomization' ? undefined : route);
      if (host) {
        const taken = new Set(grants.map((g) => g.name));
        let name = `allow-${route.kind.toLowerCase()}s-from-${route.namespace}`;
        for (let i = 2; taken.has(name); i++) name = `allow-${route.kind.toLowerCase()}s-from-${route.namespace}-${i}`;
        const text = ctx.ws.file(host.file)?.text ?? '';
        fixes.push({
          title: `Create ReferenceGrant ${t.namespace}/${name} allowing ${route.kind}s from ${route.namespace} to Service ${t.name}`,
          preferred: true,
          edits: [
            appendDocument(host.file, text, [
              `apiVersion: ${GATEWAY_GROUP}/v1beta1`,
              'kind: ReferenceGrant',
              'metadata:',
              `  name: ${yamlScalar(name)}`,
              `  namespace: ${yamlScalar(t.namespace)}`,
              'spec:',
              '  from:',
              `  - group: ${GATEWAY_GROUP}`,
              `    kind: ${route.kind}`,
              `    namespace: ${yamlScalar(route.namespace)}`,
              '  to:',
              '  - group: ""',
              '    kind: Service',
              `    name: ${yamlScalar(t.name)}`,
            ]),
          ],
        });
      }
      out.push(
        finding(
          this.code,
          this.defaultSeverity,
          route.file,
          b.namespace.span,
          `${route.kind} ${route.namespace}/${route.name} has a Gateway parent and this ${backendLabel(b)} points at Service ${t.namespace}/${t.name} in another namespace, but no ReferenceGrant in ${t.namespace} allows ${route.kind}s from ${route.namespace}: the Gateway refuses it (ResolvedRefs=False, RefNotPermitted) and its share of requests gets a 500.${serviceParents ? ' (The route\'s Service parents do not need a ReferenceGrant.)' : ''}`,
          {
            data: { ruleIndex: b.ruleIndex, backendIndex: b.index, mirror: b.mirror, service: `${t.namespace}/${t.name}`, fromNamespace: route.namespace, routeKind: route.kind },
            related: [{ file: route.file, span: gateway.ref.span, message: `Gateway parent ${gateway.namespace}/${gateway.name}` }],
            fixes,
          },
        ),
      );
    }
    return out;
  },
};
