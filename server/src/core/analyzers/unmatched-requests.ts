import { serviceBindings } from '../bindings/effective';
import type { RouteGroup } from '../bindings/effective';
import type { ParentResolution } from '../bindings/resolve';
import { objectId } from '../model/types';
import type { RouteObject, RouteRule } from '../model/types';
import type { Analyzer, Finding, Fix, RelatedLocation } from './types';
import { appendSeqItem, columnOf } from './edits';
import { resolvedRoutes, routeRecognised } from './routes';
import { finding, yamlScalar } from './util';

const MATCH_ALL_REGEX = new Set(['.*', '/.*', '^/.*', '^.*', '/.*$', '^/.*$', '.*$', '^.*$']);

/** True when the rule matches every request (no matches, or a match with no condition beyond PathPrefix `/`). */
export function catchAllRule(kind: RouteObject['kind'], rule: RouteRule): boolean {
  if (kind === 'GRPCRoute') {
    if (rule.grpcMatches === undefined) return true;
    return rule.grpcMatches.some((m) => m.headers.length === 0 && (!m.method || (!m.method.service && !m.method.method)));
  }
  if (rule.httpMatches === undefined) return true;
  return rule.httpMatches.some((m) => {
    if (m.method || m.headers.length || m.queryParams.length) return false;
    const p = m.path ?? { type: 'PathPrefix', value: '/' };
    if (p.type === 'PathPrefix') return p.value === '/' || p.value === '';
    return p.type === 'RegularExpression' && MATCH_ALL_REGEX.has(p.value);
  });
}

export function routeHasCatchAll(route: RouteObject): boolean {
  return route.rules.some((r) => catchAllRule(route.kind, r));
}

/** True when an HTTP or GRPC route of the group has a catch-all rule; once per group (each of its routes asks). */
function groupHasCatchAll(group: RouteGroup): boolean {
  let v = catchAllGroups.get(group);
  if (v === undefined) catchAllGroups.set(group, (v = group.routes.some((a) => (a.route.kind === 'HTTPRoute' || a.route.kind === 'GRPCRoute') && routeHasCatchAll(a.route))));
  return v;
}

const catchAllGroups = new WeakMap<RouteGroup, boolean>();

/** The number of spaces between a sequence key and its dashes in this file (0 for `key:\n- item`). */
function seqIndentOf(text: string, firstItem: number, key: string): number {
  let dash = firstItem - 1;
  while (dash > 0 && text[dash] === ' ') dash--;
  if (text[dash] !== '-') return 2;
  const keyAt = text.lastIndexOf(`${key}:`, dash);
  if (keyAt < 0) return 2;
  return Math.max(0, columnOf(text, dash) - columnOf(text, keyAt));
}

function catchAllFix(route: RouteObject, text: string, p: ParentResolution, port: number): Fix | undefined {
  const first = route.rules[0];
  const last = route.rules[route.rules.length - 1];
  if (!first || !last || first.defaulted || !p.service) return undefined;
  const svc = p.service;
  const ind = ' '.repeat(seqIndentOf(text, first.span.start, 'rules'));
  const nsLine = svc.namespace !== route.namespace ? [`${ind}  namespace: ${yamlScalar(svc.namespace)}`] : [];
  const lines = ['backendRefs:', `${ind}- name: ${yamlScalar(svc.name)}`, ...nsLine, `${ind}  port: ${port}`];
  const flow = `{backendRefs: [{name: ${yamlScalar(svc.name)}${nsLine.length ? `, namespace: ${yamlScalar(svc.namespace)}` : ''}, port: ${port}}]}`;
  return {
    title: `Add a catch-all rule that forwards other requests to ${svc.name}:${port} (as without this route)`,
    edits: [appendSeqItem(route.file, text, first.span, last.span, lines, flow)],
  };
}

export const unmatchedRequests: Analyzer = {
  code: 'unmatched-requests',
  defaultSeverity: 'info',
  summary: 'an effective route set for a Service port has no rule matching every request: all other requests get 404',
  reads: 'routes',
  analyze(ctx) {
    const out: Finding[] = [];
    for (const { route, parents } of resolvedRoutes(ctx)) {
      if ((route.kind !== 'HTTPRoute' && route.kind !== 'GRPCRoute') || !routeRecognised(ctx, route)) continue;
      // A route with a catch-all rule makes every route set it belongs to catch all requests: no
      // finding, and no bindings to compute (most routes).
      if (routeHasCatchAll(route)) continue;
      let hit: { p: ParentResolution; ports: number[]; group: RouteGroup; audience: string } | undefined;
      for (const p of parents) {
        if (!p.binds || !p.service) continue;
        const b = serviceBindings(ctx.ws, p.service);
        for (const pb of b.ports) {
          if (!p.ports.includes(pb.port)) continue;
          const group = p.role === 'producer' ? pb.producer : pb.consumers.get(route.namespace);
          // The catch-all check is memoised per group: first, before the scan for this route.
          if (!group || groupHasCatchAll(group) || !group.routes.some((a) => a.route === route)) continue;
          if (!hit) hit = { p, ports: [], group, audience: p.role === 'producer' ? 'producer' : `consumer (callers in ${route.namespace})` };
          if (hit.p === p) hit.ports.push(pb.port.port!.value);
        }
        if (hit) break;
      }
      if (!hit) continue;
      const { p, ports, group } = hit;
      const svc = p.service!;
      const others = group.routes.filter((a) => a.route !== route);
      const related: RelatedLocation[] = [];
      const portNode = ports.length === 1 ? svc.ports.find((sp) => sp.port?.value === ports[0]) : undefined;
      related.push({ file: svc.file, span: portNode?.span ?? svc.nameField?.span ?? svc.span, message: `Service ${svc.namespace}/${svc.name}${portNode ? ` port ${ports[0]}` : ''}` });
      for (const a of others) related.push({ file: a.route.file, span: a.resolution.ref.span, message: `${objectId(a.route)} is in the same route set` });
      const set = others.length ? `the ${hit.audience} routes (${[route, ...others.map((a) => a.route)].map((r) => objectId(r)).join(', ')})` : `this ${hit.audience} route`;
      const fixes: Fix[] = [];
      const onlyServiceParents = route.parentRefs.every((r) => r.kind?.value === 'Service');
      if (p.ports.length === 1 && onlyServiceParents) {
        const fix = catchAllFix(route, ctx.file.text, p, ports[0]!);
        if (fix) fixes.push(fix);
      }
      out.push(
        finding(
          this.code,
          this.defaultSeverity,
          route.file,
          p.ref.span,
          `No rule of ${set} on ${svc.namespace}/${svc.name} port${ports.length > 1 ? 's' : ''} ${ports.join(', ')} matches every request: a bound route replaces the Service's default routing (GEP-1294), so ${route.kind === 'GRPCRoute' ? 'calls' : 'requests'} that match no rule get ${route.kind === 'GRPCRoute' ? 'an error (HTTP 404 / gRPC UNIMPLEMENTED)' : '404'} instead of reaching the Service. Add a rule without matches (or PathPrefix /) if other requests should still go through.`,
          { data: { parentIndex: p.ref.index, service: `${svc.namespace}/${svc.name}`, ports, audience: p.role, routes: [route, ...others.map((a) => a.route)].map((r) => objectId(r)) }, related, fixes },
        ),
      );
    }
    return out;
  },
};
