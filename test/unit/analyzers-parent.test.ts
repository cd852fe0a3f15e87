/** Parent-side codes: one trigger, one near miss and the quick-fix round trip per code. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { yaml } from '../support/workspace';
import { analyze, of, roundTrip, single, under } from './analyzers-support';

const SVC = yaml`
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
    - name: grpc
      port: 9090
`;

/** A producer HTTPRoute in `app` with the given parentRef lines (indented as list items under parentRefs). */
function route(parentRef: string, extra = ''): string {
  return [
    'apiVersion: gateway.networking.k8s.io/v1',
    'kind: HTTPRoute',
    'metadata:',
    '  name: r',
    '  namespace: app',
    'spec:',
    '  parentRefs:',
    parentRef,
    '  rules:',
    '  - backendRefs:',
    '    - name: svc-a',
    '      port: 80',
    extra,
  ].join('\n');
}

const ws = (ref: string, extra = ''): Record<string, string> => ({ '/ws/svc.yaml': SVC, '/ws/route.yaml': route(ref, extra) });

test('parent-group-missing: kind Service without group, on the parentRef entry; fix adds group: ""', () => {
  const run = analyze(ws('  - kind: Service\n    name: svc-a\n    port: 80'));
  const f = single(run, 'parent-group-missing');
  assert.equal(f.severity, 'error');
  assert.equal(under(run, f), 'kind: Service\n    name: svc-a\n    port: 80');
  assert.match(f.message, /defaults it to gateway\.networking\.k8s\.io/);
  assert.deepEqual(f.related.map((r) => [r.file, under(run, r), r.message]), [['/ws/svc.yaml', 'svc-a', 'Service app/svc-a']]);
  const { files, after } = roundTrip(run, f);
  assert.match(files['/ws/route.yaml']!, /- group: ""\n {4}kind: Service\n/);
  assert.equal(of(after, 'parent-group-missing').length, 0);
});

test('parent-group-missing: `group:` with no value is null, span on the key; fix writes ""', () => {
  const run = analyze(ws('  - group:\n    kind: Service\n    name: svc-a\n    port: 80'));
  const f = single(run, 'parent-group-missing');
  assert.equal(under(run, f), 'group');
  const { files } = roundTrip(run, f);
  assert.match(files['/ws/route.yaml']!, /- group: ""\n/);
});

test('parent-group-missing: flow-style entry gets the key inside the braces', () => {
  const run = analyze(ws('  - {kind: Service, name: svc-a, port: 80}'));
  const f = single(run, 'parent-group-missing');
  assert.equal(under(run, f), '{kind: Service, name: svc-a, port: 80}');
  const { files } = roundTrip(run, f);
  assert.match(files['/ws/route.yaml']!, /- \{group: "", kind: Service, name: svc-a, port: 80\}/);
});

test('parent-group-missing near miss: group "" and a Gateway parent without group are fine', () => {
  const run = analyze(ws('  - group: ""\n    kind: Service\n    name: svc-a\n    port: 80\n  - name: gw'));
  assert.deepEqual(of(run, 'parent-group-missing'), []);
});

test('parent-group-core: warning on the value (generic), fix replaces it with ""', () => {
  const run = analyze(ws('  - group: core\n    kind: Service\n    name: svc-a\n    port: 80'));
  const f = single(run, 'parent-group-core');
  assert.equal(f.severity, 'warning');
  assert.equal(under(run, f), 'core');
  const { files } = roundTrip(run, f);
  assert.match(files['/ws/route.yaml']!, /- group: ""\n/);
});

test('parent-group-wrong: group v1 is an error on the value; near miss: group "" is not flagged', () => {
  const run = analyze(ws('  - group: v1\n    kind: Service\n    name: svc-a\n    port: 80'));
  const f = single(run, 'parent-group-wrong');
  assert.equal(f.severity, 'error');
  assert.equal(under(run, f), 'v1');
  roundTrip(run, f);
  assert.deepEqual(of(analyze(ws('  - group: ""\n    kind: Service\n    name: svc-a')), 'parent-group-wrong'), []);
});

test('parent-service-not-found: did you mean the Service one edit away; fix renames', () => {
  const run = analyze(ws('  - group: ""\n    kind: Service\n    name: svc-b\n    port: 80'));
  const f = single(run, 'parent-service-not-found');
  assert.equal(f.severity, 'warning');
  assert.equal(under(run, f), 'svc-b');
  assert.equal(f.message, 'Service app/svc-b is not in the workspace, so this producer route binds nothing here. Did you mean svc-a?');
  assert.deepEqual(f.related.map((r) => [r.file, under(run, r)]), [['/ws/svc.yaml', 'svc-a']]);
  roundTrip(run, f);
});

test('parent-service-not-found: names the namespace where a Service of that name exists', () => {
  const run = analyze({ '/ws/svc.yaml': SVC, '/ws/route.yaml': route('  - group: ""\n    kind: Service\n    name: svc-a\n    port: 80').replace('namespace: app', 'namespace: other') });
  const f = single(run, 'parent-service-not-found');
  assert.equal(f.message, "Service other/svc-a is not in the workspace, so this producer route binds nothing here. A Service svc-a exists in namespace app; the parentRef has no namespace, so it means the route's own namespace other.");
  assert.deepEqual(f.fixes, []);
});

test('parent-service-not-found: past five namespaces holding the name, the rest are counted', () => {
  const files: Record<string, string> = { '/ws/route.yaml': route('  - group: ""\n    kind: Service\n    name: svc-a\n    port: 80').replace('namespace: app', 'namespace: other') };
  for (const ns of ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7']) files[`/ws/${ns}.yaml`] = SVC.replace('namespace: app', `namespace: ${ns}`);
  const f = single(analyze(files), 'parent-service-not-found');
  assert.equal(f.message, "Service other/svc-a is not in the workspace, so this producer route binds nothing here. A Service svc-a exists in namespace n1, n2, n3, n4, n5 and 2 more; the parentRef has no namespace, so it means the route's own namespace other.");
});

test('parent-port-not-found: a targetPort is named as such; fix puts the Service port', () => {
  const run = analyze(ws('  - group: ""\n    kind: Service\n    name: svc-a\n    port: 8080'));
  const f = single(run, 'parent-port-not-found');
  assert.equal(under(run, f), '8080');
  assert.equal(f.message, "port 8080 is the targetPort of svc-a's port 80; parentRef.port means the Service port, so this route binds nothing. Use port 80.");
  assert.deepEqual(f.related.map((r) => under(run, r)), ['name: http\n    port: 80\n    targetPort: 8080']);
  const { files } = roundTrip(run, f);
  assert.match(files['/ws/route.yaml']!, /port: 80\n {2}rules/);
});

test('parent-port-not-found: a near-miss port gets "did you mean"; near miss: an existing port is fine', () => {
  const run = analyze(ws('  - group: ""\n    kind: Service\n    name: svc-a\n    port: 9091'));
  const f = single(run, 'parent-port-not-found');
  assert.equal(f.message, 'Service app/svc-a has no port 9091 (its ports: 80 (http), 9090 (grpc)), so this route binds nothing. Did you mean 9090?');
  roundTrip(run, f);
  assert.deepEqual(of(analyze(ws('  - group: ""\n    kind: Service\n    name: svc-a\n    port: 9090')), 'parent-port-not-found'), []);
});

test('parent-section-not-found: unknown name with a near miss; and a name that disagrees with port', () => {
  const run = analyze(ws('  - group: ""\n    kind: Service\n    name: svc-a\n    sectionName: htp'));
  const f = single(run, 'parent-section-not-found');
  assert.equal(under(run, f), 'htp');
  assert.match(f.message, /has no port named htp .*Did you mean http\?/);
  roundTrip(run, f);
  const run2 = analyze(ws('  - group: ""\n    kind: Service\n    name: svc-a\n    port: 80\n    sectionName: grpc'));
  const g = single(run2, 'parent-section-not-found');
  assert.equal(g.message, 'sectionName grpc is port 9090 of svc-a, but port is 80: the two name different ports, so this route binds nothing. Port 80 is named http.');
  const { files } = roundTrip(run2, g);
  assert.match(files['/ws/route.yaml']!, /sectionName: http\n/);
  assert.deepEqual(of(analyze(ws('  - group: ""\n    kind: Service\n    name: svc-a\n    port: 80\n    sectionName: http')), 'parent-section-not-found'), []);
});

test('parent-section-not-found under istio: sectionName is ignored, so the ref binds every port; fix uses port', () => {
  const opts = { implementation: 'istio' as const };
  const run = analyze(ws('  - group: ""\n    kind: Service\n    name: svc-a\n    sectionName: http'), opts);
  const f = single(run, 'parent-section-not-found');
  assert.equal(f.message, 'istio ignores sectionName on Service parents, so this route binds every port of svc-a (80, 9090), not only port 80 (http). Use port: 80 to select one port everywhere.');
  const { files } = roundTrip(run, f, opts);
  assert.match(files['/ws/route.yaml']!, /name: svc-a\n {4}port: 80\n/);
  assert.deepEqual(of(analyze(ws('  - group: ""\n    kind: Service\n    name: svc-a\n    sectionName: http')), 'parent-section-not-found'), []);
});

const HEADLESS = yaml`
  apiVersion: v1
  kind: Service
  metadata:
    name: svc-h
    namespace: app
  spec:
    clusterIP: None
    ports:
    - port: 80
  ---
  apiVersion: v1
  kind: Service
  metadata:
    name: svc-x
    namespace: app
  spec:
    type: ExternalName
    externalName: example.com
`;

test('parent-service-type: headless and ExternalName parents, related to the clusterIP / type field', () => {
  const files = { '/ws/svc.yaml': SVC, '/ws/h.yaml': HEADLESS, '/ws/route.yaml': route('  - group: ""\n    kind: Service\n    name: svc-h\n  - group: ""\n    kind: Service\n    name: svc-x') };
  const run = analyze(files);
  const found = of(run, 'parent-service-type');
  assert.deepEqual(found.map((f) => [f.severity, under(run, f), f.related.map((r) => under(run, r))]), [
    ['warning', 'svc-h', ['None']],
    ['warning', 'svc-x', ['ExternalName']],
  ]);
  assert.match(found[0]!.message, /headless Service \(clusterIP: None\).*Istio binds it, Linkerd rejects it/);
  const linkerd = analyze(files, { implementation: 'linkerd' });
  assert.match(of(linkerd, 'parent-service-type')[0]!.message, /Linkerd does not bind it/);
  assert.deepEqual(of(analyze(ws('  - group: ""\n    kind: Service\n    name: svc-a')), 'parent-service-type'), []);
});

test('parent-ref-duplicate: port-only refs to one Service are rejected in standard; fix adds sectionNames', () => {
  const ref = '  - group: ""\n    kind: Service\n    name: svc-a\n    port: 80\n  - group: ""\n    kind: Service\n    name: svc-a\n    port: 9090';
  const run = analyze(ws(ref));
  const f = single(run, 'parent-ref-duplicate');
  assert.equal(f.severity, 'error');
  assert.equal(under(run, f), 'group: ""\n    kind: Service\n    name: svc-a\n    port: 9090');
  assert.deepEqual(f.related.map((r) => under(run, r)), ['group: ""\n    kind: Service\n    name: svc-a\n    port: 80']);
  assert.match(f.message, /port does not count in the standard channel CRDs/);
  const { files, after } = roundTrip(run, f);
  assert.match(files['/ws/route.yaml']!, /- sectionName: http\n {4}group: ""/);
  assert.match(files['/ws/route.yaml']!, /- sectionName: grpc\n {4}group: ""/);
  assert.equal(after.findings.length, 0);
  // Near miss: the experimental channel tells them apart by port.
  assert.deepEqual(of(analyze(ws(ref), { crdChannel: 'experimental' }), 'parent-ref-duplicate'), []);
});

test('parent-ref-duplicate: an exact copy of a ref is removed by the fix (block and flow)', () => {
  const ref = '  - group: ""\n    kind: Service\n    name: svc-a\n    port: 80\n  - group: ""\n    kind: Service\n    name: svc-a\n    port: 80';
  const run = analyze(ws(ref));
  const f = single(run, 'parent-ref-duplicate');
  assert.match(f.message, /sectionName must be specified when parentRefs includes 2 or more references to the same parent/);
  const { files, after } = roundTrip(run, f);
  assert.equal(files['/ws/route.yaml'], run.files['/ws/route.yaml']!.replace('  - group: ""\n    kind: Service\n    name: svc-a\n    port: 80\n', ''));
  assert.deepEqual(after.findings, []);
  const flow = analyze(ws('  - {group: "", kind: Service, name: svc-a}\n  - {group: "", kind: Service, name: svc-a}'));
  const g = single(flow, 'parent-ref-duplicate');
  assert.equal(roundTrip(flow, g).files['/ws/route.yaml']!.includes('name: svc-a}\n  rules:'), true);
});

test('parent-ref-duplicate: a rejected route gets no rule-level findings', () => {
  const ref = '  - group: ""\n    kind: Service\n    name: svc-a\n  - group: ""\n    kind: Service\n    name: svc-a';
  const run = analyze({ '/ws/svc.yaml': SVC, '/ws/route.yaml': route(ref).replace('name: svc-a\n      port: 80', 'name: nowhere\n      port: 80') });
  assert.deepEqual(run.findings.map((f) => f.code), ['parent-ref-duplicate']);
});

test('mesh-hostnames-ignored: info on the key for a Service-only route; fix removes the hostnames', () => {
  const text = yaml`
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata:
      name: r
      namespace: app
    spec:
      hostnames:
      - a.example.com
      - b.example.com
      parentRefs:
      - group: ""
        kind: Service
        name: svc-a
      rules:
      - backendRefs:
        - name: svc-a
          port: 80
  `;
  const run = analyze({ '/ws/svc.yaml': SVC, '/ws/route.yaml': text });
  const f = single(run, 'mesh-hostnames-ignored');
  assert.equal(f.severity, 'info');
  assert.equal(under(run, f), 'hostnames');
  const { files } = roundTrip(run, f);
  assert.equal(files['/ws/route.yaml'], text.replace('  hostnames:\n  - a.example.com\n  - b.example.com\n', ''));
  // Flow style: the entry and its comma go.
  const flow = analyze({ '/ws/svc.yaml': SVC, '/ws/route.yaml': `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: app}\nspec: {hostnames: [a.example.com], parentRefs: [{group: "", kind: Service, name: svc-a}], rules: [{backendRefs: [{name: svc-a, port: 80}]}]}\n` });
  const g = single(flow, 'mesh-hostnames-ignored');
  const fixed = roundTrip(flow, g);
  assert.match(fixed.files['/ws/route.yaml']!, /spec: \{parentRefs: /);
  // Near miss: a Gateway parent too, the hostnames still filter the Gateway side.
  assert.deepEqual(of(analyze({ '/ws/svc.yaml': SVC, '/ws/route.yaml': text.replace('  parentRefs:\n', '  parentRefs:\n  - name: gw\n') }), 'mesh-hostnames-ignored'), []);
});

test('route-kind-conflict: the HTTPRoute loses to a GRPCRoute on the same port, once per route, related to the winner', () => {
  const grpc = yaml`
    apiVersion: gateway.networking.k8s.io/v1
    kind: GRPCRoute
    metadata:
      name: g
      namespace: app
    spec:
      parentRefs:
      - group: ""
        kind: Service
        name: svc-a
      rules:
      - backendRefs:
        - name: svc-a
          port: 80
  `;
  const files = { ...ws('  - group: ""\n    kind: Service\n    name: svc-a'), '/ws/grpc.yaml': grpc };
  const run = analyze(files);
  const f = single(run, 'route-kind-conflict');
  assert.equal(f.file, '/ws/route.yaml');
  assert.equal(under(run, f), 'group: ""\n    kind: Service\n    name: svc-a');
  assert.equal(f.message, 'HTTPRoute app/r does not apply on svc-a ports 80, 9090: GRPCRoute/app/g binds the same port and GRPCRoute wins over HTTPRoute (GEP-1294: GRPCRoute > HTTPRoute > TLSRoute > TCPRoute).');
  assert.deepEqual(f.related.map((r) => [r.file, r.message]), [['/ws/grpc.yaml', 'GRPCRoute/app/g wins']]);
  // Near miss: istio does not resolve kind conflicts.
  assert.deepEqual(of(analyze(files, { implementation: 'istio' }), 'route-kind-conflict'), []);
});

test('policy.linkerd.io HTTPRoutes get no findings outside the linkerd profile; linkerd reads them', () => {
  const policy = [
    'apiVersion: policy.linkerd.io/v1beta2',
    'kind: HTTPRoute',
    'metadata:',
    '  name: p',
    '  namespace: app',
    'spec:',
    '  parentRefs:',
    '  - group: core',
    '    kind: Service',
    '    name: svc-a',
    '    port: 8080',
    '  rules:',
    '  - backendRefs:',
    '    - name: svc-a',
    '      port: 80',
    '',
  ].join('\n');
  for (const impl of ['generic', 'istio', 'cilium'] as const) assert.deepEqual(analyze({ '/ws/svc.yaml': SVC, '/ws/p.yaml': policy }, { implementation: impl }).findings, [], impl);
  const linkerd = analyze({ '/ws/svc.yaml': SVC, '/ws/p.yaml': policy }, { implementation: 'linkerd' });
  assert.deepEqual(linkerd.findings.map((f) => `${f.code} ${under(linkerd, f)}`), ['parent-port-not-found 8080']);
});

test('route-kind-conflict under linkerd: only refs to the same port conflict, and only those winners are named', () => {
  const grpc = (name: string, port: string): string =>
    ['apiVersion: gateway.networking.k8s.io/v1', 'kind: GRPCRoute', 'metadata:', `  name: ${name}`, '  namespace: app', 'spec:', '  parentRefs:', '  - group: ""', '    kind: Service', '    name: svc-a', ...(port ? [`    port: ${port}`] : []), '  rules:', '  - backendRefs:', '    - name: svc-a', '      port: 80', ''].join('\n');
  const files = { ...ws('  - group: ""\n    kind: Service\n    name: svc-a\n    port: 80'), '/ws/g1.yaml': grpc('g1', '80'), '/ws/g2.yaml': grpc('g2', '') };
  const generic = single(analyze(files), 'route-kind-conflict');
  assert.deepEqual(generic.data?.winners, ['GRPCRoute/app/g1', 'GRPCRoute/app/g2']);
  const linkerd = single(analyze(files, { implementation: 'linkerd' }), 'route-kind-conflict');
  assert.deepEqual(linkerd.data?.winners, ['GRPCRoute/app/g1']);
  assert.match(linkerd.message, /: GRPCRoute\/app\/g1 binds the same port/);
  const noPort = { ...ws('  - group: ""\n    kind: Service\n    name: svc-a\n    port: 80'), '/ws/g2.yaml': grpc('g2', '') };
  assert.deepEqual(of(analyze(noPort, { implementation: 'linkerd' }), 'route-kind-conflict'), []);
  assert.equal(of(analyze(noPort), 'route-kind-conflict').length, 1);
});

test('parent-port-not-found: a quoted port number binds here but the CRD rejects it; fix unquotes', () => {
  const run = analyze(ws('  - group: ""\n    kind: Service\n    name: svc-a\n    port: "80"'));
  const f = single(run, 'parent-port-not-found');
  assert.equal(under(run, f), '"80"');
  assert.match(f.message, /is a string, but the CRD's port field is an integer/);
  const { files } = roundTrip(run, f);
  assert.match(files['/ws/route.yaml']!, /name: svc-a\n {4}port: 80\n/);
});
