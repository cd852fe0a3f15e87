import type { Analyzer, Finding, Severity } from './types';
import { parentRecognised, ruleLevelRoutes } from './routes';
import { finding } from './util';

export const ruleWithoutBackends: Analyzer = {
  code: 'rule-without-backends',
  defaultSeverity: 'warning',
  summary: 'an HTTPRoute/GRPCRoute rule with no backendRefs and no RequestRedirect (requests get 500)',
  analyze(ctx) {
    const out: Finding[] = [];
    for (const { route, parents } of ruleLevelRoutes(ctx)) {
      if (route.kind !== 'HTTPRoute' && route.kind !== 'GRPCRoute') continue;
      const recognised = parents.filter((p) => parentRecognised(p, ctx.profile));
      const serviceOnly = recognised.every((p) => p.target === 'service');
      const forwards = ctx.profile.ruleWithoutBackendsForwards && serviceOnly;
      for (const rule of route.rules) {
        if (rule.backendRefs.length > 0 || rule.filters.some((f) => f.type === 'RequestRedirect')) continue;
        const where = rule.defaulted ? `${route.kind} ${route.namespace}/${route.name} has no rules, so the API server adds one catch-all rule without backends` : `rule ${rule.index}${rule.name ? ` (${rule.name})` : ''} has no backendRefs and no RequestRedirect`;
        const mirrorOnly = rule.filters.some((f) => f.type === 'RequestMirror') ? ' (a RequestMirror only copies requests; it does not answer them)' : '';
        const severity: Severity = forwards ? 'info' : this.defaultSeverity;
        const message = forwards
          ? `${where}${mirrorOnly}: Linkerd forwards the requests it matches to the parent Service, but the Gateway API says they get a 500, and other implementations do that. Add backendRefs to keep this portable.`
          : `${where}${mirrorOnly}: requests it matches get a 500 response (Gateway API). Add backendRefs, or a RequestRedirect filter.`;
        out.push(
          // The rule the CRD adds has no node of its own: point at the route's name.
          finding(this.code, severity, route.file, rule.defaulted ? (route.nameField?.span ?? rule.span) : rule.span, message, {
            data: { ruleIndex: rule.index, defaulted: rule.defaulted, linkerdForwards: forwards },
          }),
        );
      }
    }
    return out;
  },
};
