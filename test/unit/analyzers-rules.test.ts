/** Rule-level and backend codes: trigger, near miss, quick-fix round trip. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explain } from '../../server/src/core/bindings/explain';
import { workspace, yaml } from '../support/workspace';
import { analyze, of, roundTrip, single, under } from './analyzers-support';

const SVCS = yaml`
  apiVersion: v1
  kind: Service
  metadata:
    name: svc-a
    namespace: app
  spec:
    ports:
    - name: http
      port: 80
      targetPort: 8080
  ---
  apiVersion: v1
  kind: Service
  metadata:
    name: svc-b
    namespace: app
  spec:
    ports:
    - name: http
      port: 80
  ---
  apiVersion: v1
  kind: Service
  metadata:
    name: ext
    namespace: app
  spec:
    type: ExternalName
    externalName: api.example.com
    ports:
    - port: 443
`;

/** An HTTPRoute in `app` on svc-a (producer) with the given `rules:` body lines. */
function route(rules: string[], parents: string[] = ['  - group: ""', '    kind: Service', '    name: svc-a', '    port: 80'], kind = 'HTTPRoute'): string {
  return [`apiVersion: gateway.networking.k8s.io/v1`, `kind: ${kind}`, 'metadata:', '  name: r', '  namespace: app', 'spec:', '  parentRefs:', ...parents, '  rules:', ...rules, ''].join('\n');
}

const files = (rules: string[], parents?: string[], kind?: string): Record<string, string> => ({ '/ws/svc.yaml': SVCS, '/ws/route.yaml': route(rules, parents, kind) });

test('unmatched-requests: an Exact-only route set; on the parentRef entry; the fix adds a catch-all to the parent and keeps traffic', () => {
  const run = analyze(files(['  - matches:', '    - path: {type: Exact, value: /v1}', '    backendRefs:', '    - name: svc-b', '      port: 80']));
  const f = single(run, 'unmatched-requests');
  assert.equal(f.severity, 'info');
  assert.equal(under(run, f), 'group: ""\n    kind: Service\n    name: svc-a\n    port: 80');
  assert.equal(
    f.message,
    'No rule of this producer route on app/svc-a port 80 matches every request: a bound route replaces the Service\'s default routing (GEP-1294), so requests that match no rule get 404 instead of reaching the Service. Add a rule without matches (or PathPrefix /) if other requests should still go through.',
  );
  assert.deepEqual(f.related.map((r) => under(run, r)), ['name: http\n    port: 80\n    targetPort: 8080']);
  assert.deepEqual(f.data, { parentIndex: 0, service: 'app/svc-a', ports: [80], audience: 'producer', routes: ['HTTPRoute/app/r'] });
  const before = explain(run.ws, { service: { namespace: 'app', name: 'svc-a' }, port: 80, from: 'app', path: '/other' });
  assert.equal(before.status, 404);
  const { files: fixed } = roundTrip(run, f);
  assert.equal(
    fixed['/ws/route.yaml'],
    route(['  - matches:', '    - path: {type: Exact, value: /v1}', '    backendRefs:', '    - name: svc-b', '      port: 80', '  - backendRefs:', '    - name: svc-a', '      port: 80']),
  );
  const ws2 = workspace(fixed);
  const after = explain(ws2, { service: { namespace: 'app', name: 'svc-a' }, port: 80, from: 'app', path: '/other' });
  assert.equal(after.status, 200);
  assert.deepEqual(after.backends, [{ service: 'app/svc-a', port: 80, weight: 1 }]);
  // /v1 still goes where it went.
  assert.deepEqual(explain(ws2, { service: { namespace: 'app', name: 'svc-a' }, port: 80, from: 'app', path: '/v1' }).backends, [{ service: 'app/svc-b', port: 80, weight: 1 }]);
});

test('unmatched-requests: a consumer route catch-all names the Service namespace; flow-style rules get a flow item', () => {
  const text = [
    'apiVersion: gateway.networking.k8s.io/v1',
    'kind: HTTPRoute',
    'metadata: {name: c, namespace: dev}',
    'spec:',
    '  parentRefs: [{group: "", kind: Service, name: svc-a, namespace: app, port: 80}]',
    '  rules: [{matches: [{headers: [{name: x-dev, value: "1"}]}], backendRefs: [{name: svc-b, namespace: app, port: 80}]}]',
    '',
  ].join('\n');
  const run = analyze({ '/ws/svc.yaml': SVCS, '/ws/c.yaml': text });
  const f = single(run, 'unmatched-requests');
  assert.equal(under(run, f), '{group: "", kind: Service, name: svc-a, namespace: app, port: 80}');
  assert.equal(f.data?.audience, 'consumer');
  const { files: fixed } = roundTrip(run, f);
  assert.match(fixed['/ws/c.yaml']!, /port: 80\}\]\}, \{backendRefs: \[\{name: svc-a, namespace: app, port: 80\}\]\}\]\n$/);
  assert.equal(explain(workspace(fixed), { service: { namespace: 'app', name: 'svc-a' }, port: 80, from: 'dev', path: '/' }).status, 200);
});

test('unmatched-requests near misses: a PathPrefix / rule, a rule without matches, another route of the set with a catch-all, a TCPRoute', () => {
  const exact = ['  - matches:', '    - path: {type: Exact, value: /v1}', '    backendRefs:', '    - name: svc-b', '      port: 80'];
  assert.deepEqual(of(analyze(files([...exact, '  - matches:', '    - path: {type: PathPrefix, value: /}', '    backendRefs:', '    - name: svc-a', '      port: 80'])), 'unmatched-requests'), []);
  assert.deepEqual(of(analyze(files(['  - backendRefs:', '    - name: svc-a', '      port: 80'])), 'unmatched-requests'), []);
  const other = route(['  - backendRefs:', '    - name: svc-a', '      port: 80']).replace('name: r\n', 'name: r2\n');
  assert.deepEqual(of(analyze({ ...files(exact), '/ws/r2.yaml': other }), 'unmatched-requests'), []);
  // A PathPrefix / match with a header condition does not match everything.
  const run = analyze(files(['  - matches:', '    - path: {type: PathPrefix, value: /}', '      headers: [{name: a, value: b}]', '    backendRefs:', '    - name: svc-a', '      port: 80']));
  assert.equal(of(run, 'unmatched-requests').length, 1);
});

test('unmatched-requests on a GRPCRoute with method matches only', () => {
  const run = analyze(files(['  - matches:', '    - method: {service: pkg.Svc, method: Get}', '    backendRefs:', '    - name: svc-b', '      port: 80'], undefined, 'GRPCRoute'));
  const f = single(run, 'unmatched-requests');
  assert.match(f.message, /calls that match no rule get an error \(HTTP 404 \/ gRPC UNIMPLEMENTED\)/);
  roundTrip(run, f);
});

test('rule-without-backends: warning on the rule; info under linkerd (forwards to the parent); near miss: a redirect', () => {
  const rules = ['  - matches:', '    - path: {type: PathPrefix, value: /x}', '  - backendRefs:', '    - name: svc-a', '      port: 80'];
  const run = analyze(files(rules));
  const f = single(run, 'rule-without-backends');
  assert.equal(f.severity, 'warning');
  assert.equal(under(run, f), 'matches:\n    - path: {type: PathPrefix, value: /x}');
  assert.equal(f.message, 'rule 0 has no backendRefs and no RequestRedirect: requests it matches get a 500 response (Gateway API). Add backendRefs, or a RequestRedirect filter.');
  const { files: fixed } = roundTrip(run, f);
  assert.match(fixed['/ws/route.yaml']!, / {2}- backendRefs: \[\{name: svc-a, port: 80\}\]\n {4}matches:\n/);
  const linkerd = single(analyze(files(rules), { implementation: 'linkerd' }), 'rule-without-backends');
  assert.equal(linkerd.severity, 'info');
  assert.match(linkerd.message, /Linkerd forwards the requests it matches to the parent Service/);
  const redirect = ['  - filters:', '    - type: RequestRedirect', '      requestRedirect: {statusCode: 301, hostname: x.example.com}', '  - backendRefs:', '    - name: svc-a', '      port: 80'];
  assert.deepEqual(of(analyze(files(redirect)), 'rule-without-backends'), []);
});

test('rule-without-backends: a route without rules gets the CRD default rule; a RequestMirror alone does not answer', () => {
  const text = ['apiVersion: gateway.networking.k8s.io/v1', 'kind: HTTPRoute', 'metadata:', '  name: r', '  namespace: app', 'spec:', '  parentRefs:', '  - group: ""', '    kind: Service', '    name: svc-a', ''].join('\n');
  const defaulted = analyze({ '/ws/svc.yaml': SVCS, '/ws/route.yaml': text });
  const f = single(defaulted, 'rule-without-backends');
  assert.equal(under(defaulted, f), 'r');
  assert.match(f.message, /^HTTPRoute app\/r has no rules, so the API server adds one catch-all rule without backends: requests it matches get a 500/);
  const mirror = single(analyze(files(['  - filters:', '    - type: RequestMirror', '      requestMirror:', '        backendRef: {name: svc-b, port: 80}'])), 'rule-without-backends');
  assert.match(mirror.message, /a RequestMirror only copies requests/);
});

test('rule-level findings need a recognised parent: a route whose only parent has no group gets none', () => {
  const run = analyze(files(['  - matches:', '    - path: {type: Exact, value: /x}', '  - backendRefs:', '    - name: nope', '      port: 80'], ['  - kind: Service', '    name: svc-a']));
  assert.deepEqual(run.findings.map((f) => f.code), ['parent-group-missing']);
  // ... and under istio `group: core` is not recognised either, while generic reports the backend.
  const core = files(['  - backendRefs:', '    - name: nope', '      port: 80'], ['  - group: core', '    kind: Service', '    name: svc-a']);
  assert.deepEqual(analyze(core, { implementation: 'istio' }).findings.map((f) => f.code), ['parent-group-core']);
  assert.deepEqual(analyze(core).findings.map((f) => f.code).sort(), ['backend-service-not-found', 'parent-group-core']);
});

test('backend-service-not-found: warning with did-you-mean and fix; hint at weight 0; covers RequestMirror backends', () => {
  const run = analyze(files(['  - backendRefs:', '    - name: svc-c', '      port: 80', '    - name: gone', '      port: 80', '      weight: 0']));
  const found = of(run, 'backend-service-not-found');
  assert.deepEqual(found.map((f) => [f.severity, under(run, f)]), [['warning', 'svc-c'], ['hint', 'gone']]);
  assert.match(found[0]!.message, /Did you mean svc-a\?$/);
  assert.equal(found[1]!.message, 'Service app/gone is not in the workspace; this backendRef of rule 0 has weight 0, so it gets no traffic anyway.');
  roundTrip(run, found[0]!);
  const mirror = analyze(files(['  - filters:', '    - type: RequestMirror', '      requestMirror:', '        backendRef: {name: shadow, port: 80}', '    backendRefs:', '    - name: svc-a', '      port: 80']));
  const m = single(mirror, 'backend-service-not-found');
  assert.equal(under(mirror, m), 'shadow');
  assert.match(m.message, /RequestMirror backendRef of rule 0 would get is not mirrored/);
  assert.deepEqual(of(analyze(files(['  - backendRefs:', '    - name: svc-b', '      port: 80'])), 'backend-service-not-found'), []);
});

test('backend-port-missing: error on the entry; fix adds the only port', () => {
  const run = analyze(files(['  - backendRefs:', '    - name: svc-b']));
  const f = single(run, 'backend-port-missing');
  assert.equal(f.severity, 'error');
  assert.equal(under(run, f), 'name: svc-b');
  assert.match(f.message, /Must have port for Service reference/);
  const { files: fixed } = roundTrip(run, f);
  assert.match(fixed['/ws/route.yaml']!, / {4}- port: 80\n {6}name: svc-b\n/);
  assert.deepEqual(of(analyze(files(['  - backendRefs:', '    - name: svc-b', '      port: 80'])), 'backend-port-missing'), []);
});

test('backend-port-not-found: a targetPort gets the Service port as fix; near miss: the Service port', () => {
  const run = analyze(files(['  - backendRefs:', '    - name: svc-a', '      port: 8080']));
  const f = single(run, 'backend-port-not-found');
  assert.equal(under(run, f), '8080');
  assert.equal(f.message, "port 8080 is the targetPort of svc-a's port 80; a backendRef port means the Service port, so this backendRef of rule 0 reaches nothing (500 for its share of requests). Use port 80.");
  assert.deepEqual(f.related.map((r) => under(run, r)), ['name: http\n    port: 80\n    targetPort: 8080']);
  roundTrip(run, f);
});

test('backend-port-not-found: a quoted port number is flagged (the CRD wants an integer); fix unquotes', () => {
  const run = analyze(files(['  - backendRefs:', '    - name: svc-b', "      port: '80'"]));
  const f = single(run, 'backend-port-not-found');
  assert.equal(under(run, f), "'80'");
  roundTrip(run, f);
});

test('backend-externalname: warning on the name, related to the type', () => {
  const run = analyze(files(['  - backendRefs:', '    - name: ext', '      port: 443']));
  const f = single(run, 'backend-externalname');
  assert.equal(under(run, f), 'ext');
  assert.deepEqual(f.related.map((r) => under(run, r)), ['ExternalName']);
  assert.match(f.message, /^Service app\/ext is type ExternalName \(api\.example\.com\)/);
  assert.deepEqual(of(analyze(files(['  - backendRefs:', '    - name: svc-b', '      port: 80'])), 'backend-externalname'), []);
});

test('backend-kind-unsupported: an unknown kind on its kind value; near miss: ServiceImport', () => {
  const run = analyze(files(['  - backendRefs:', '    - group: example.com', '      kind: Bucket', '      name: b']));
  const f = single(run, 'backend-kind-unsupported');
  assert.equal(under(run, f), 'Bucket');
  assert.match(f.message, /^example\.com\/Bucket is not a core Service/);
  assert.deepEqual(of(analyze(files(['  - backendRefs:', '    - group: multicluster.x-k8s.io', '      kind: ServiceImport', '      name: b', '      port: 80'])), 'backend-kind-unsupported'), []);
  // Implementation-specific kinds are fine under the implementation that documents them.
  const hostname = files(['  - backendRefs:', '    - group: networking.istio.io', '      kind: Hostname', '      name: api.example.com', '      port: 443']);
  assert.equal(of(analyze(hostname), 'backend-kind-unsupported').length, 1);
  assert.deepEqual(of(analyze(hostname, { implementation: 'istio' }), 'backend-kind-unsupported'), []);
  assert.equal(of(analyze(hostname, { implementation: 'linkerd' }), 'backend-kind-unsupported').length, 1);
});

test('backend-group-core: warning (generic), error (istio), none (linkerd); fix writes ""', () => {
  const rules = ['  - backendRefs:', '    - group: core', '      kind: Service', '      name: svc-b', '      port: 80'];
  const run = analyze(files(rules));
  const f = single(run, 'backend-group-core');
  assert.equal([f.severity, under(run, f)].join(' '), 'warning core');
  roundTrip(run, f);
  assert.equal(single(analyze(files(rules), { implementation: 'istio' }), 'backend-group-core').severity, 'error');
  assert.deepEqual(of(analyze(files(rules), { implementation: 'linkerd' }), 'backend-group-core'), []);
});
