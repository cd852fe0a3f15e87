/**
 * Request matching with Gateway API precedence across all rules of all merged routes.
 *
 * HTTPRoute (per match): Exact path > longest PathPrefix > RegularExpression (implementation-specific,
 * ranked last as Istio does) > method > most header matches > most query-param matches > route
 * order > rule order. GRPCRoute: most characters in the matching service, then method, then header
 * count, then route and rule order.
 */
import type { GrpcMatch, HeaderMatch, HttpMatch, RouteObject, RouteRule } from '../model/types';

export interface HttpRequest {
  readonly path: string;
  readonly method?: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

/** One match of one rule of one route, with its place in the precedence order. */
export interface Candidate {
  readonly route: RouteObject;
  readonly routeOrder: number;
  readonly rule: RouteRule;
  /** Index of the match inside the rule; -1 for a rule without matches. */
  readonly matchIndex: number;
  readonly http?: HttpMatch;
  readonly grpc?: GrpcMatch;
}

export interface CandidateResult extends Candidate {
  readonly matched: boolean;
  /** Why it did not match (first failing condition), or a summary of what it matched on. */
  readonly why: string;
}

function safeRegex(pattern: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch {
    return undefined;
  }
}

/** Removes one trailing slash, so that `/foo/` and `/foo` are the same prefix. */
function normalizePrefix(prefix: string): string {
  return prefix.length > 1 && prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
}

/** Segment-wise prefix match: `/v2` matches `/v2` and `/v2/x`, not `/v2example`. */
export function pathPrefixMatches(prefix: string, path: string): boolean {
  const p = normalizePrefix(prefix);
  if (p === '/' || p === '') return true;
  if (!path.startsWith(p)) return false;
  return path.length === p.length || path[p.length] === '/';
}

function splitPath(raw: string): { path: string; query: Array<[string, string]> } {
  const q = raw.indexOf('?');
  const path = q === -1 ? raw : raw.slice(0, q);
  const query: Array<[string, string]> = [];
  if (q !== -1) {
    for (const part of raw.slice(q + 1).split('&')) {
      if (!part) continue;
      const eq = part.indexOf('=');
      const k = eq === -1 ? part : part.slice(0, eq);
      const v = eq === -1 ? '' : part.slice(eq + 1);
      try {
        query.push([decodeURIComponent(k), decodeURIComponent(v)]);
      } catch {
        query.push([k, v]);
      }
    }
  }
  return { path: path || '/', query };
}

function valueMatches(m: HeaderMatch, actual: string | undefined): boolean {
  if (actual === undefined) return false;
  if (m.type === 'RegularExpression') return safeRegex(m.value)?.test(actual) ?? false;
  return actual === m.value;
}

function httpMatchKey(m: HttpMatch | undefined): [number, number, number, number, number] {
  const path = m?.path ?? { type: 'PathPrefix', value: '/' };
  const pathRank = path.type === 'Exact' ? 2 : path.type === 'PathPrefix' ? 1 : 0;
  const prefixLen = path.type === 'PathPrefix' ? normalizePrefix(path.value).length : path.type === 'Exact' ? path.value.length : 0;
  return [pathRank, prefixLen, m?.method ? 1 : 0, m?.headers.length ?? 0, m?.queryParams.length ?? 0];
}

/** All candidate matches of HTTP routes, sorted by precedence. `routes` must be in group order. */
export function httpCandidates(routes: readonly RouteObject[]): Candidate[] {
  const out: Array<Candidate & { key: number[] }> = [];
  routes.forEach((route, routeOrder) => {
    for (const rule of route.rules) {
      const matches = rule.httpMatches;
      if (!matches || matches.length === 0) {
        out.push({ route, routeOrder, rule, matchIndex: -1, key: httpMatchKey(undefined) });
      } else {
        matches.forEach((m, matchIndex) => out.push({ route, routeOrder, rule, matchIndex, http: m, key: httpMatchKey(m) }));
      }
    }
  });
  out.sort((a, b) => {
    for (let i = 0; i < 5; i++) if (a.key[i] !== b.key[i]) return b.key[i]! - a.key[i]!;
    return a.routeOrder - b.routeOrder || a.rule.index - b.rule.index || a.matchIndex - b.matchIndex;
  });
  return out.map(({ key: _key, ...c }) => c);
}

export function matchHttp(c: Candidate, request: HttpRequest): CandidateResult {
  const { path, query } = splitPath(request.path);
  const m = c.http;
  if (!m) return { ...c, matched: true, why: 'rule has no matches: matches every request' };
  const p = m.path ?? { type: 'PathPrefix', value: '/' };
  if (p.type === 'Exact' && path !== p.value) return { ...c, matched: false, why: `path ${path} is not exactly ${p.value}` };
  if (p.type === 'PathPrefix' && !pathPrefixMatches(p.value, path)) return { ...c, matched: false, why: `path ${path} does not start with the segment prefix ${p.value}` };
  if (p.type === 'RegularExpression' && !(safeRegex(p.value)?.test(path) ?? false)) return { ...c, matched: false, why: `path ${path} does not match the regular expression ${p.value}` };
  if (m.method && (request.method ?? 'GET').toUpperCase() !== m.method.toUpperCase()) return { ...c, matched: false, why: `method ${request.method ?? 'GET'} is not ${m.method}` };
  for (const h of m.headers) {
    const actual = request.headers.find(([k]) => k.toLowerCase() === h.name.toLowerCase())?.[1];
    if (!valueMatches(h, actual)) return { ...c, matched: false, why: actual === undefined ? `header ${h.name} is missing` : `header ${h.name}: ${actual} does not match ${h.value}` };
  }
  for (const q of m.queryParams) {
    const actual = query.find(([k]) => k === q.name)?.[1];
    if (!valueMatches(q, actual)) return { ...c, matched: false, why: actual === undefined ? `query parameter ${q.name} is missing` : `query parameter ${q.name}=${actual} does not match ${q.value}` };
  }
  const parts = [`path ${p.type} ${p.value}`];
  if (m.method) parts.push(`method ${m.method}`);
  if (m.headers.length) parts.push(`${m.headers.length} header match${m.headers.length > 1 ? 'es' : ''}`);
  if (m.queryParams.length) parts.push(`${m.queryParams.length} query-param match${m.queryParams.length > 1 ? 'es' : ''}`);
  return { ...c, matched: true, why: `matches ${parts.join(', ')}` };
}

function grpcMatchKey(m: GrpcMatch | undefined): [number, number, number] {
  return [m?.method?.service?.length ?? 0, m?.method?.method?.length ?? 0, m?.headers.length ?? 0];
}

export function grpcCandidates(routes: readonly RouteObject[]): Candidate[] {
  const out: Array<Candidate & { key: number[] }> = [];
  routes.forEach((route, routeOrder) => {
    for (const rule of route.rules) {
      const matches = rule.grpcMatches;
      if (!matches || matches.length === 0) out.push({ route, routeOrder, rule, matchIndex: -1, key: grpcMatchKey(undefined) });
      else matches.forEach((m, matchIndex) => out.push({ route, routeOrder, rule, matchIndex, grpc: m, key: grpcMatchKey(m) }));
    }
  });
  out.sort((a, b) => {
    for (let i = 0; i < 3; i++) if (a.key[i] !== b.key[i]) return b.key[i]! - a.key[i]!;
    return a.routeOrder - b.routeOrder || a.rule.index - b.rule.index || a.matchIndex - b.matchIndex;
  });
  return out.map(({ key: _key, ...c }) => c);
}

/** Splits `/package.Service/Method` into service and method. */
export function parseGrpcPath(path: string): { service: string; method: string } {
  const parts = path.replace(/^\/+/, '').split('/');
  return { service: parts[0] ?? '', method: parts[1] ?? '' };
}

export function matchGrpc(c: Candidate, request: HttpRequest): CandidateResult {
  const m = c.grpc;
  if (!m) return { ...c, matched: true, why: 'rule has no matches: matches every call' };
  const { service, method } = parseGrpcPath(request.path);
  const mm = m.method;
  if (mm) {
    const test = (want: string | undefined, actual: string): boolean =>
      want === undefined || (mm.type === 'RegularExpression' ? (safeRegex(want)?.test(actual) ?? false) : want === actual);
    if (!test(mm.service, service)) return { ...c, matched: false, why: `service ${service || '(none)'} does not match ${mm.service}` };
    if (!test(mm.method, method)) return { ...c, matched: false, why: `method ${method || '(none)'} does not match ${mm.method}` };
  }
  for (const h of m.headers) {
    const actual = request.headers.find(([k]) => k.toLowerCase() === h.name.toLowerCase())?.[1];
    if (!valueMatches(h, actual)) return { ...c, matched: false, why: actual === undefined ? `header ${h.name} is missing` : `header ${h.name}: ${actual} does not match ${h.value}` };
  }
  const parts: string[] = [];
  if (mm?.service) parts.push(`service ${mm.service}`);
  if (mm?.method) parts.push(`method ${mm.method}`);
  if (m.headers.length) parts.push(`${m.headers.length} header match${m.headers.length > 1 ? 'es' : ''}`);
  return { ...c, matched: true, why: parts.length ? `matches ${parts.join(', ')}` : 'matches every call' };
}
