import type { RouteRule } from '../model/types';
import type { Analyzer, Finding, Fix, Severity } from './types';
import { insertKey } from './edits';
import { parentRecognised, ruleLevelRoutes } from './routes';
import { finding, yamlScalar } from './util';

/** A rule with no backendRefs and no RequestRedirect: the requests it matches get a 500 (or are forwarded by Linkerd). */
function answersNothing(rule: RouteRule): boolean {
  return rule.backendRefs.length === 0 && !rule.filters.some((f) => f.type === 'RequestRedirect');
}

export const ruleWithoutBackends: Analyzer = {
  code: 'rule-without-backends',
  defaultSeverity: 'warning',
  summary: 'an HTTPRoute/GRPCRoute rule with no backendRefs and no RequestRedirect (requests get 500)',
  reads: 'routes',
  analyze(ctx) {
    const out: Finding[] = [];
    for (const { route, parents } of ruleLevelRoutes(ctx)) {
      if (route.kind !== 'HTTPRoute' && route.kind !== 'GRPCRoute') continue;
      // Most routes have backends in every rule: nothing to work out for them.
      if (!route.rules.some(answersNothing)) continue;
      const recognised = parents.filter((p) => parentRecognised(p, ctx.profile));
      const serviceOnly = recognised.every((p) => p.target === 'service');
      const forwards = ctx.profile.ruleWithoutBackendsForwards && serviceOnly;
      for (const rule of route.rules) {
        if (!answersNothing(rule)) continue;
        const where = rule.defaulted ? `${route.kind} ${route.namespace}/${route.name} has no rules, so the API server adds one catch-all rule without backends` : `rule ${rule.index}${rule.name ? ` (${rule.name})` : ''} has no backendRefs and no RequestRedirect`;
        const mirrorOnly = rule.filters.some((f) => f.type === 'RequestMirror') ? ' (a RequestMirror only copies requests; it does not answer them)' : '';
        const severity: Severity = forwards ? 'info' : this.defaultSeverity;
        const message = forwards
          ? `${where}${mirrorOnly}: Linkerd forwards the requests it matches to the parent Service, but the Gateway API says they get a 500, and other implementations do that. Add backendRefs to keep this portable.`
          : `${where}${mirrorOnly}: requests it matches get a 500 response (Gateway API). Add backendRefs, or a RequestRedirect filter.`;
        // The obvious fix for a mesh-only route with one bound Service port: forward to that port,
        // which is what Linkerd does with such a rule.
        const fixes: Fix[] = [];
        const bound = recognised.filter((p) => p.binds && p.service && p.ports.length === 1);
        if (serviceOnly && bound.length === 1 && recognised.length === 1 && !rule.defaulted && !rule.hasBackendRefsKey) {
          const p = bound[0]!;
          const svc = p.service!;
          const ns = svc.namespace !== route.namespace ? `, namespace: ${yamlScalar(svc.namespace)}` : '';
          fixes.push({
            title: `Forward to the parent Service ${svc.name}:${p.ports[0]!.port!.value}`,
            edits: [insertKey(route.file, ctx.file.text, rule.span, 'backendRefs', `[{name: ${yamlScalar(svc.name)}${ns}, port: ${p.ports[0]!.port!.value}}]`)],
          });
        }
        out.push(
          // The rule the CRD adds has no node of its own: point at the route's name.
          finding(this.code, severity, route.file, rule.defaulted ? (route.nameField?.span ?? rule.span) : rule.span, message, {
            data: { ruleIndex: rule.index, defaulted: rule.defaulted, linkerdForwards: forwards },
            fixes,
          }),
        );
      }
    }
    return out;
  },
};
