/**
 * Explaining one request: which audience's routes apply to a caller, which rule wins by
 * precedence, and where the request goes. The CLI and the editor share this, so they cannot
 * disagree.
 */
import type { Workspace } from '../index/snapshot';
import { intValue } from '../model/extract';
import { objectId } from '../model/types';
import type { BackendRefNode, RouteObject, RouteRule, ServiceObject } from '../model/types';
import type { Span } from '../text';
import { effectiveGroup, serviceBindings } from './effective';
import type { PortBindings } from './effective';
import { grpcCandidates, httpCandidates, matchGrpc, matchHttp } from './match';
import type { CandidateResult, HttpRequest } from './match';
import { profileOf } from './profiles';

export interface ExplainRequest {
  readonly service: { readonly namespace: string; readonly name: string };
  readonly port?: number;
  readonly from: string;
  readonly path?: string;
  readonly method?: string;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
}

export interface ExplainBackend {
  readonly service: string;
  readonly port: number | null;
  readonly weight: number;
  /** Set when the backend is not a core Service. */
  readonly kind?: string;
}

/** One step of the reasoning, with the place in the YAML that caused it. */
export interface ExplainStep {
  readonly text: string;
  readonly file?: string;
  readonly span?: Span;
}

export interface ExplainResult {
  readonly service: string;
  readonly port: number;
  readonly from: string;
  readonly audience: 'consumer' | 'producer' | 'default';
  readonly routes: readonly string[];
  readonly match: { readonly route: string; readonly rule: number; readonly backends: readonly ExplainBackend[] } | null;
  readonly backends: readonly ExplainBackend[];
  /** HTTP status, or null for TCP/TLS routes. */
  readonly status: number | null;
  readonly implementation: string;
  readonly steps: readonly ExplainStep[];
  /** Every candidate match in precedence order, for step-by-step views. */
  readonly candidates: ReadonlyArray<{ readonly route: string; readonly rule: number; readonly match: number; readonly matched: boolean; readonly why: string; readonly file: string; readonly span: Span }>;
}

export class ExplainError extends Error {}

function backendOf(route: RouteObject, b: BackendRefNode): ExplainBackend {
  const kind = b.kind?.value ?? 'Service';
  const group = b.group && b.group.value !== null ? b.group.value : '';
  const ns = b.namespace?.value ?? route.namespace;
  const weightRaw = b.weight?.value;
  const weight = weightRaw === undefined || weightRaw === null ? 1 : (intValue(weightRaw) ?? 1);
  const out: ExplainBackend = { service: `${ns}/${b.name?.value ?? ''}`, port: intValue(b.port?.value) ?? null, weight };
  return kind === 'Service' && (group === '' || group.toLowerCase() === 'core') ? out : { ...out, kind: group ? `${group}/${kind}` : kind };
}

function ruleOutcome(
  ws: Workspace,
  route: RouteObject,
  rule: RouteRule,
  parent: ServiceObject,
  port: number,
): { status: number; backends: ExplainBackend[]; note: string } {
  const redirect = rule.filters.find((f) => f.type === 'RequestRedirect');
  if (redirect) return { status: redirect.redirectStatus ?? 302, backends: [], note: `the rule redirects (${redirect.redirectStatus ?? 302})` };
  const backends = rule.backendRefs.map((b) => backendOf(route, b));
  if (backends.length === 0) {
    if (profileOf(ws.options.implementation).ruleWithoutBackendsForwards) {
      return {
        status: 200,
        backends: [{ service: `${parent.namespace}/${parent.name}`, port, weight: 1 }],
        note: 'the rule has no backendRefs; linkerd forwards such requests to the parent Service',
      };
    }
    return { status: 500, backends: [], note: 'the rule has no backendRefs and no redirect: requests get 500' };
  }
  if (backends.every((b) => b.weight === 0)) return { status: 500, backends, note: 'every backend of the rule has weight 0: requests get 500' };
  if (!profileOf(ws.options.implementation).coreBackendResolves) {
    // Istio does not resolve `group: core` Service backends: they get no traffic (CONTRACT §3).
    const dead = rule.backendRefs.map((b) => b.group?.value !== null && b.group?.value !== undefined && b.group.value !== '' && b.group.value.toLowerCase() === 'core');
    if (dead.some((d) => d)) {
      const live = backends.filter((b, i) => !dead[i] && b.weight !== 0);
      const note = `${ws.options.implementation} does not resolve backendRefs with group: core`;
      if (live.length === 0) return { status: 500, backends, note: `${note}, and no other backend gets traffic: requests get 500` };
      return { status: 200, backends: live, note: `${note}; forwarded to ${live.map((b) => `${b.service}:${b.port ?? '?'} (weight ${b.weight})`).join(', ')}` };
    }
  }
  return { status: 200, backends, note: `forwarded to ${backends.map((b) => `${b.service}:${b.port ?? '?'} (weight ${b.weight})`).join(', ')}` };
}

export function explain(ws: Workspace, req: ExplainRequest): ExplainResult {
  const svcName = `${req.service.namespace}/${req.service.name}`;
  const service = ws.service(req.service.namespace, req.service.name);
  if (!service) throw new ExplainError(`Service ${svcName} is not in the workspace`);
  const bindings = serviceBindings(ws, service);
  let pb: PortBindings | undefined = bindings.ports[0];
  if (req.port !== undefined) {
    pb = bindings.ports.find((p) => p.port.port?.value === req.port);
    if (!pb) {
      const list = bindings.ports.map((p) => p.port.port?.value).join(', ');
      throw new ExplainError(`Service ${svcName} has no port ${req.port} (its ports: ${list || 'none'})`);
    }
  } else if (bindings.ports.length !== 1) {
    const list = bindings.ports.map((p) => p.port.port?.value).join(', ');
    throw new ExplainError(bindings.ports.length === 0 ? `Service ${svcName} has no ports` : `Service ${svcName} has ${bindings.ports.length} ports (${list}); pass --port`);
  }
  const port = pb!.port.port!.value;
  const { audience, group } = effectiveGroup(pb!, req.from);
  const steps: ExplainStep[] = [];
  const implementation = ws.options.implementation;
  const base = { service: svcName, port, from: req.from, implementation };
  if (!group) {
    steps.push({
      text: `No route binds ${svcName}:${port} for callers in ${req.from}: default Kubernetes routing to the Service's endpoints.`,
      file: service.file,
      span: service.nameField?.span,
    });
    return { ...base, audience, routes: [], match: null, backends: [{ service: svcName, port, weight: 1 }], status: 200, steps, candidates: [] };
  }
  const routes = group.routes.map((a) => a.route);
  const ids = routes.map(objectId);
  steps.push({
    text:
      audience === 'consumer'
        ? `Callers in ${req.from} have consumer routes for ${svcName}:${port}; they replace the producer routes: ${ids.join(', ')}.`
        : `The producer routes of ${svcName}:${port} apply to callers in ${req.from}: ${ids.join(', ')}.`,
    file: routes[0]!.file,
    span: group.routes[0]!.resolution.ref.span,
  });
  for (const c of group.conflicted) {
    steps.push({ text: `${objectId(c.route)} does not apply: a ${group.kind} binds the same port and wins the kind conflict.`, file: c.route.file, span: c.resolution.ref.span });
  }
  // Where conflicts are not resolved (istio) or only per identical ref (linkerd), routes of other
  // kinds may apply to the same port; a request is handled by the routes of the winning kind only.
  const sameKind = routes.filter((r) => r.kind === group.kind);
  if (sameKind.length < routes.length) {
    const others = routes.filter((r) => r.kind !== group.kind).map(objectId);
    steps.push({ text: `${others.join(', ')} also bind this port; ${group.kind} traffic is matched against the ${group.kind}s only.` });
  }
  if (group.kind === 'TCPRoute' || group.kind === 'TLSRoute' || group.kind === 'UDPRoute') {
    const route = sameKind[0]!;
    const rule = route.rules[0];
    const backends = rule ? rule.backendRefs.map((b) => backendOf(route, b)) : [];
    steps.push({ text: `${objectId(route)} is a ${group.kind}: connections go to its backends without request matching.`, file: route.file, span: rule?.span });
    return { ...base, audience, routes: ids, match: rule ? { route: objectId(route), rule: 0, backends } : null, backends, status: null, steps, candidates: [] };
  }
  const request: HttpRequest = { path: req.path ?? '/', method: req.method, headers: req.headers ?? [] };
  const candidates = group.kind === 'GRPCRoute' ? grpcCandidates(sameKind) : httpCandidates(sameKind);
  const results: CandidateResult[] = candidates.map((c) => (group.kind === 'GRPCRoute' ? matchGrpc(c, request) : matchHttp(c, request)));
  const winner = results.find((r) => r.matched);
  const candidateList = results.map((r) => ({
    route: objectId(r.route),
    rule: r.rule.index,
    match: r.matchIndex,
    matched: r.matched,
    why: r.why,
    file: r.route.file,
    span: (r.http?.span ?? r.grpc?.span ?? r.rule.span) as Span,
  }));
  for (const r of results) {
    steps.push({
      text: `${r === winner ? '→' : r.matched ? '·' : '✗'} ${objectId(r.route)} rule ${r.rule.index}${r.matchIndex >= 0 ? ` match ${r.matchIndex}` : ''}: ${r.why}${r === winner ? ' (wins by precedence)' : ''}`,
      file: r.route.file,
      span: r.http?.span ?? r.grpc?.span ?? r.rule.span,
    });
    if (r === winner) break;
  }
  if (!winner) {
    steps.push({ text: `No rule matches ${request.method ?? 'GET'} ${request.path}: the request gets 404.` });
    return { ...base, audience, routes: ids, match: null, backends: [], status: 404, steps, candidates: candidateList };
  }
  const outcome = ruleOutcome(ws, winner.route, winner.rule, service, port);
  steps.push({ text: `Outcome: ${outcome.note}.`, file: winner.route.file, span: winner.rule.span });
  return {
    ...base,
    audience,
    routes: ids,
    match: { route: objectId(winner.route), rule: winner.rule.index, backends: outcome.backends },
    backends: outcome.status === 500 ? [] : outcome.backends,
    status: outcome.status,
    steps,
    candidates: candidateList,
  };
}
