/** Request matching across merged routes, and the request outcome (CONTRACT §3). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explain } from '../../server/src/core/bindings/explain';
import type { ExplainResult } from '../../server/src/core/bindings/explain';
import { pathPrefixMatches, parseGrpcPath } from '../../server/src/core/bindings/match';
import type { Implementation } from '../../server/src/core/options';
import { workspace } from '../support/workspace';

const SVC = `apiVersion: v1
kind: Service
metadata: {name: svc, namespace: app}
spec:
  ports:
  - {name: http, port: 80}
  - {name: grpc, port: 7070}
  - {name: tcp, port: 9000}
`;

/** A route on svc:port with the given rules (YAML list items, indented by two spaces). */
function route(name: string, rules: string, opts: { kind?: string; port?: number; created?: string; ns?: string } = {}): string {
  const kind = opts.kind ?? 'HTTPRoute';
  const version = kind === 'HTTPRoute' || kind === 'GRPCRoute' ? 'v1' : 'v1alpha2';
  return `apiVersion: gateway.networking.k8s.io/${version}
kind: ${kind}
metadata:
  name: ${name}
  namespace: ${opts.ns ?? 'app'}
${opts.created ? `  creationTimestamp: "${opts.created}"\n` : ''}spec:
  parentRefs: [{group: "", kind: Service, name: svc, namespace: app, port: ${opts.port ?? 80}}]
${rules ? `  rules:\n${rules}` : ''}`;
}

/** A rule forwarding to backend `to` (a Service name), with the given matches (flow YAML or empty). */
const rule = (to: string, matches?: string): string => `  - ${matches ? `matches: ${matches}\n    ` : ''}backendRefs: [{name: ${to}, port: 80}]\n`;

function ask(routes: string[], req: { path?: string; method?: string; headers?: Array<[string, string]>; port?: number; from?: string }, implementation: Implementation = 'generic'): ExplainResult {
  // The Namespace names a waypoint, so that istio-ambient applies the routes too.
  const files: Record<string, string> = { '/ws/svc.yaml': SVC, '/ws/ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: app, labels: {istio.io/use-waypoint: waypoint}}\n' };
  routes.forEach((r, i) => (files[`/ws/route-${i}.yaml`] = r));
  const ws = workspace(files, { implementation });
  return explain(ws, { service: { namespace: 'app', name: 'svc' }, port: req.port ?? 80, from: req.from ?? 'app', path: req.path, method: req.method, headers: req.headers });
}

/** `status -> backend service names` (or the route/rule that matched for non-200). */
function outcome(r: ExplainResult): string {
  if (r.status === 200 || r.status === null) return `${r.status} ${r.backends.map((b) => `${b.service}:${b.port}@${b.weight}`).join(',')}`;
  return `${r.status}${r.match ? ` ${r.match.route}#${r.match.rule}` : ''}`;
}

test('segment-wise PathPrefix', () => {
  const table: Array<[string, string, boolean]> = [
    ['/v2', '/v2', true],
    ['/v2', '/v2/', true],
    ['/v2', '/v2/x', true],
    ['/v2', '/v2example', false],
    ['/v2/', '/v2', true],
    ['/v2/', '/v2/x', true],
    ['/v2/', '/v2x', false],
    ['/', '/anything', true],
    ['/v2', '/V2', false],
    ['/a/b', '/a', false],
  ];
  for (const [prefix, path, want] of table) assert.equal(pathPrefixMatches(prefix, path), want, `${prefix} vs ${path}`);
});

const HTTP_CASES: Array<{ name: string; routes: string[]; req: Parameters<typeof ask>[1]; want: string; impl?: Implementation }> = [
  {
    name: 'Exact beats a longer PathPrefix',
    routes: [route('r', rule('prefix', '[{path: {type: PathPrefix, value: /v2}}]') + rule('exact', '[{path: {type: Exact, value: /v2}}]'))],
    req: { path: '/v2' },
    want: '200 app/exact:80@1',
  },
  {
    name: 'longest PathPrefix wins across merged routes, whatever the route order',
    routes: [
      route('old', rule('short', '[{path: {type: PathPrefix, value: /api}}]'), { created: '2020-01-01T00:00:00Z' }),
      route('new', rule('long', '[{path: {type: PathPrefix, value: /api/v2}}]'), { created: '2024-01-01T00:00:00Z' }),
    ],
    req: { path: '/api/v2/users' },
    want: '200 app/long:80@1',
  },
  {
    name: 'a prefix that is not a segment prefix does not match (/v2 vs /v2example)',
    routes: [route('r', rule('root', '[{path: {type: PathPrefix, value: /}}]') + rule('v2', '[{path: {type: PathPrefix, value: /v2}}]'))],
    req: { path: '/v2example' },
    want: '200 app/root:80@1',
  },
  {
    name: 'method beats header matches',
    routes: [route('r', rule('headers', '[{headers: [{name: a, value: "1"}, {name: b, value: "2"}]}]') + rule('method', '[{method: POST}]'))],
    req: { path: '/', method: 'POST', headers: [['a', '1'], ['b', '2']] },
    want: '200 app/method:80@1',
  },
  {
    name: 'a longer prefix beats method',
    routes: [route('r', rule('method', '[{method: GET}]') + rule('prefix', '[{path: {type: PathPrefix, value: /x}}]'))],
    req: { path: '/x', method: 'GET' },
    want: '200 app/prefix:80@1',
  },
  {
    name: 'most header matches wins; header names are case-insensitive',
    routes: [route('r', rule('one', '[{headers: [{name: a, value: "1"}]}]') + rule('two', '[{headers: [{name: A, value: "1"}, {name: b, value: "2"}]}]'))],
    req: { headers: [['a', '1'], ['B', '2']] },
    want: '200 app/two:80@1',
  },
  {
    name: 'header matches beat query-param matches',
    routes: [route('r', rule('query', '[{queryParams: [{name: q, value: "1"}, {name: r, value: "2"}]}]') + rule('header', '[{headers: [{name: h, value: "1"}]}]'))],
    req: { path: '/?q=1&r=2', headers: [['h', '1']] },
    want: '200 app/header:80@1',
  },
  {
    name: 'most query-param matches wins',
    routes: [route('r', rule('one', '[{queryParams: [{name: q, value: "1"}]}]') + rule('two', '[{queryParams: [{name: q, value: "1"}, {name: r, value: "2"}]}]'))],
    req: { path: '/?q=1&r=2' },
    want: '200 app/two:80@1',
  },
  {
    name: 'equal precedence: the older route wins',
    routes: [
      route('a-new', rule('new', '[{path: {type: PathPrefix, value: /p}}]'), { created: '2024-01-01T00:00:00Z' }),
      route('z-old', rule('old', '[{path: {type: PathPrefix, value: /p}}]'), { created: '2020-01-01T00:00:00Z' }),
    ],
    req: { path: '/p' },
    want: '200 app/old:80@1',
  },
  {
    name: 'equal precedence and no timestamps: namespace/name order',
    routes: [route('b', rule('from-b', '[{path: {type: PathPrefix, value: /p}}]')), route('a', rule('from-a', '[{path: {type: PathPrefix, value: /p}}]'))],
    req: { path: '/p' },
    want: '200 app/from-a:80@1',
  },
  {
    name: 'equal precedence in one route: the first rule wins',
    routes: [route('r', rule('first', '[{path: {type: PathPrefix, value: /p}}]') + rule('second', '[{path: {type: PathPrefix, value: /p}}]'))],
    req: { path: '/p' },
    want: '200 app/first:80@1',
  },
  {
    name: 'a rule without matches is a catch-all (PathPrefix /), and loses to longer prefixes',
    routes: [route('r', rule('catch-all') + rule('api', '[{path: {type: PathPrefix, value: /api}}]'))],
    req: { path: '/api/x' },
    want: '200 app/api:80@1',
  },
  {
    name: 'a rule without matches catches what nothing else matches',
    routes: [route('r', rule('api', '[{path: {type: PathPrefix, value: /api}}]') + rule('catch-all'))],
    req: { path: '/other' },
    want: '200 app/catch-all:80@1',
  },
  {
    name: 'the matches of one rule are ORed',
    routes: [route('r', rule('v1', '[{path: {type: Exact, value: /nope}}, {headers: [{name: version, value: one}]}]'))],
    req: { path: '/x', headers: [['version', 'one']] },
    want: '200 app/v1:80@1',
  },
  {
    name: 'conditions inside one match are ANDed',
    routes: [route('r', rule('both', '[{path: {type: PathPrefix, value: /p}, method: POST}]'))],
    req: { path: '/p', method: 'GET' },
    want: '404',
  },
  {
    name: 'nothing matches: 404',
    routes: [route('r', rule('a', '[{path: {type: Exact, value: /a}}]'))],
    req: { path: '/b' },
    want: '404',
  },
  {
    name: 'RegularExpression paths and headers',
    routes: [route('r', rule('re', '[{path: {type: RegularExpression, value: "/items/[0-9]+"}, headers: [{type: RegularExpression, name: v, value: "v[12]"}]}]'))],
    req: { path: '/items/42', headers: [['v', 'v2']] },
    want: '200 app/re:80@1',
  },
  {
    name: 'no backends and no redirect: 500',
    routes: [route('r', '  - matches: [{path: {type: PathPrefix, value: /}}]\n    filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: a, value: b}]}}]\n')],
    req: { path: '/' },
    want: '500 HTTPRoute/app/r#0',
  },
  {
    name: 'only a RequestMirror filter: 500',
    routes: [route('r', '  - filters: [{type: RequestMirror, requestMirror: {backendRef: {name: m, port: 80}}}]\n')],
    req: { path: '/' },
    want: '500 HTTPRoute/app/r#0',
  },
  {
    name: 'a route without rules gets the defaulted catch-all rule without backends: 500',
    routes: [route('r', '')],
    req: { path: '/anything' },
    want: '500 HTTPRoute/app/r#0',
  },
  {
    name: 'every backend has weight 0: 500',
    routes: [route('r', '  - backendRefs: [{name: a, port: 80, weight: 0}, {name: b, port: 80, weight: 0}]\n')],
    req: { path: '/' },
    want: '500 HTTPRoute/app/r#0',
  },
  {
    name: 'weights are reported; a weight-0 backend is listed with weight 0',
    routes: [route('r', '  - backendRefs: [{name: a, port: 80, weight: 70}, {name: b, port: 8080, weight: 30}, {name: c, port: 80, weight: 0}]\n')],
    req: { path: '/' },
    want: '200 app/a:80@70,app/b:8080@30,app/c:80@0',
  },
  {
    name: 'RequestRedirect without statusCode: 302',
    routes: [route('r', '  - filters: [{type: RequestRedirect, requestRedirect: {hostname: example.org}}]\n')],
    req: { path: '/' },
    want: '302 HTTPRoute/app/r#0',
  },
  {
    name: 'RequestRedirect with statusCode 301',
    routes: [route('r', '  - filters: [{type: RequestRedirect, requestRedirect: {statusCode: 301, scheme: https}}]\n')],
    req: { path: '/' },
    want: '301 HTTPRoute/app/r#0',
  },
  {
    name: 'linkerd: a rule without backends forwards to the parent Service',
    impl: 'linkerd',
    routes: [route('r', '  - matches: [{path: {type: PathPrefix, value: /}}]\n')],
    req: { path: '/' },
    want: '200 app/svc:80@1',
  },
  {
    name: 'linkerd: all weights 0 is still 500',
    impl: 'linkerd',
    routes: [route('r', '  - backendRefs: [{name: a, port: 80, weight: 0}]\n')],
    req: { path: '/' },
    want: '500 HTTPRoute/app/r#0',
  },
];

for (const c of HTTP_CASES) {
  test(`HTTP: ${c.name}`, () => assert.equal(outcome(ask(c.routes, c.req, c.impl)), c.want));
}

test('explain JSON fields for a matched rule, a 404 and a 500', () => {
  const routes = [route('r', rule('a', '[{path: {type: Exact, value: /a}}]') + '  - matches: [{path: {type: Exact, value: /none}}]\n')];
  const hit = ask(routes, { path: '/a' });
  assert.deepEqual(
    { audience: hit.audience, routes: hit.routes, match: hit.match, backends: hit.backends, status: hit.status },
    {
      audience: 'producer',
      routes: ['HTTPRoute/app/r'],
      match: { route: 'HTTPRoute/app/r', rule: 0, backends: [{ service: 'app/a', port: 80, weight: 1 }] },
      backends: [{ service: 'app/a', port: 80, weight: 1 }],
      status: 200,
    },
  );
  const miss = ask(routes, { path: '/b' });
  assert.deepEqual({ match: miss.match, backends: miss.backends, status: miss.status }, { match: null, backends: [], status: 404 });
  const fail = ask(routes, { path: '/none' });
  assert.deepEqual({ match: fail.match, backends: fail.backends, status: fail.status }, { match: { route: 'HTTPRoute/app/r', rule: 1, backends: [] }, backends: [], status: 500 });
  const dflt = ask([], { path: '/' });
  assert.deepEqual(
    { audience: dflt.audience, routes: dflt.routes, match: dflt.match, backends: dflt.backends, status: dflt.status },
    { audience: 'default', routes: [], match: null, backends: [{ service: 'app/svc', port: 80, weight: 1 }], status: 200 },
  );
});

test('parseGrpcPath', () => {
  assert.deepEqual(parseGrpcPath('/pkg.Service/Method'), { service: 'pkg.Service', method: 'Method' });
  assert.deepEqual(parseGrpcPath('pkg.Service/Method'), { service: 'pkg.Service', method: 'Method' });
  assert.deepEqual(parseGrpcPath('/'), { service: '', method: '' });
});

const grule = (to: string, matches?: string): string => `  - ${matches ? `matches: ${matches}\n    ` : ''}backendRefs: [{name: ${to}, port: 7070}]\n`;
const groute = (name: string, rules: string, created?: string): string => route(name, rules, { kind: 'GRPCRoute', port: 7070, created });

const GRPC_CASES: Array<{ name: string; routes: string[]; req: Parameters<typeof ask>[1]; want: string }> = [
  {
    name: 'service and method beat service only',
    routes: [groute('g', grule('svc-only', '[{method: {service: pkg.Echo}}]') + grule('exact', '[{method: {service: pkg.Echo, method: Say}}]'))],
    req: { path: '/pkg.Echo/Say' },
    want: '200 app/exact:7070@1',
  },
  {
    name: 'service only matches every method of the service',
    routes: [groute('g', grule('svc-only', '[{method: {service: pkg.Echo}}]') + grule('exact', '[{method: {service: pkg.Echo, method: Say}}]'))],
    req: { path: '/pkg.Echo/Other' },
    want: '200 app/svc-only:7070@1',
  },
  {
    name: 'more characters in the service beat a method',
    routes: [groute('g', grule('method-only', '[{method: {method: Say}}]') + grule('long-service', '[{method: {service: pkg.Echo}}]'))],
    req: { path: '/pkg.Echo/Say' },
    want: '200 app/long-service:7070@1',
  },
  {
    name: 'header matches break ties',
    routes: [groute('g', grule('plain', '[{method: {service: pkg.Echo}}]') + grule('header', '[{method: {service: pkg.Echo}, headers: [{name: x-test-case, value: set}]}]'))],
    req: { path: '/pkg.Echo/Say', headers: [['x-test-case', 'set']] },
    want: '200 app/header:7070@1',
  },
  {
    name: 'a header match that fails falls through',
    routes: [groute('g', grule('header', '[{headers: [{name: x-test-case, value: set}]}]') + grule('other', '[{headers: [{name: x-test-case, value: add}]}]'))],
    req: { path: '/pkg.Echo/Say', headers: [['x-test-case', 'add']] },
    want: '200 app/other:7070@1',
  },
  {
    name: 'no rule matches: 404',
    routes: [groute('g', grule('a', '[{method: {service: pkg.A}}]'))],
    req: { path: '/pkg.B/Say' },
    want: '404',
  },
  {
    name: 'equal precedence: the older route wins',
    routes: [groute('a', grule('new', '[{method: {service: pkg.A}}]'), '2024-01-01T00:00:00Z'), groute('b', grule('old', '[{method: {service: pkg.A}}]'), '2020-01-01T00:00:00Z')],
    req: { path: '/pkg.A/M' },
    want: '200 app/old:7070@1',
  },
];

for (const c of GRPC_CASES) {
  test(`GRPC: ${c.name}`, () => assert.equal(outcome(ask(c.routes, { ...c.req, port: 7070 })), c.want));
}

test('TCPRoute and TLSRoute: status null and the rule\'s backends', () => {
  for (const kind of ['TCPRoute', 'TLSRoute']) {
    const r = ask([route('t', '  - backendRefs: [{name: a, port: 9000, weight: 2}, {name: b, port: 9001}]\n', { kind, port: 9000 })], { port: 9000, path: '/ignored' });
    assert.equal(r.status, null);
    assert.deepEqual(r.match, { route: `${kind}/app/t`, rule: 0, backends: [{ service: 'app/a', port: 9000, weight: 2 }, { service: 'app/b', port: 9001, weight: 1 }] });
    assert.deepEqual(r.backends, r.match!.backends);
    assert.deepEqual(r.routes, [`${kind}/app/t`]);
  }
});

test('routes of other kinds on the same port (istio, UDP) are not HTTP catch-alls', () => {
  const http = route('http', rule('api', '[{path: {type: PathPrefix, value: /api}}]'));
  const tcp = route('tcp', '  - backendRefs: [{name: tcp-backend, port: 80}]\n', { kind: 'TCPRoute' });
  const udp = route('udp', '  - backendRefs: [{name: udp-backend, port: 80}]\n', { kind: 'UDPRoute' });
  const istio = ask([http, tcp], { path: '/other' }, 'istio');
  assert.deepEqual([istio.routes, istio.status], [['HTTPRoute/app/http', 'TCPRoute/app/tcp'], 404]);
  assert.equal(outcome(ask([http, tcp], { path: '/api' }, 'istio')), '200 app/api:80@1');
  const generic = ask([http, udp], { path: '/other' });
  assert.deepEqual([generic.routes, generic.status], [['HTTPRoute/app/http', 'UDPRoute/app/udp'], 404]);
  // A group of only TCP routes: the first route's rule.
  assert.equal(outcome(ask([tcp], { path: '/' }, 'istio')), 'null app/tcp-backend:80@1');
});

test('group: core Service backends: resolve except with istio profiles, where they get no traffic', () => {
  const only = route('r', '  - backendRefs: [{group: core, kind: Service, name: a, port: 80}]\n');
  const mixed = route('r', '  - backendRefs: [{group: core, kind: Service, name: a, port: 80, weight: 1}, {name: b, port: 80, weight: 3}]\n');
  for (const impl of ['generic', 'linkerd', 'cilium'] as const) {
    assert.equal(outcome(ask([only], { path: '/' }, impl)), '200 app/a:80@1', impl);
    assert.equal(outcome(ask([mixed], { path: '/' }, impl)), '200 app/a:80@1,app/b:80@3', impl);
  }
  for (const impl of ['istio', 'istio-ambient'] as const) {
    assert.equal(outcome(ask([only], { path: '/' }, impl)), '500 HTTPRoute/app/r#0', impl);
    assert.equal(outcome(ask([mixed], { path: '/' }, impl)), '200 app/b:80@3', impl);
  }
});
