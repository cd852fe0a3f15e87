/** Object-level and profile-only codes: duplicate-object, gateway-backend-not-permitted, api-version-deprecated, consumer-route-unsupported, waypoint-label-missing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { yaml } from '../support/workspace';
import { analyze, of, roundTrip, single, under } from './analyzers-support';

const svc = (name: string, ns: string, ports: string[], labels = ''): string =>
  ['apiVersion: v1', 'kind: Service', 'metadata:', `  name: ${name}`, `  namespace: ${ns}`, ...(labels ? ['  labels:', `    ${labels}`] : []), 'spec:', '  ports:', ...ports, ''].join('\n');

test('duplicate-object: info on the later definition (by path) when ports differ; none when they are equal', () => {
  const files = { '/ws/a.yaml': svc('s', 'app', ['  - name: http', '    port: 80']), '/ws/b.yaml': svc('s', 'app', ['  - name: web', '    port: 80']) };
  const run = analyze(files);
  const f = single(run, 'duplicate-object');
  assert.equal([f.file, f.severity].join(' '), '/ws/b.yaml info');
  assert.equal(under(run, f), '- name: web\n    port: 80');
  assert.equal(f.message, 'Service app/s is defined more than once with different ports: this definition (ports 80 (web)) is not used; bindings are checked against the first definition by file path, ./a.yaml (ports 80 (http)).');
  assert.deepEqual(f.related.map((r) => [r.file, under(run, r)]), [['/ws/a.yaml', '- name: http\n    port: 80']]);
  // A different targetPort does not change any binding: no finding.
  const same = { '/ws/a.yaml': svc('s', 'app', ['  - name: http', '    port: 80']), '/ws/b.yaml': svc('s', 'app', ['  - name: http', '    port: 80', '    targetPort: 8080']) };
  assert.deepEqual(analyze(same).findings, []);
});

const GW_ROUTE = yaml`
  apiVersion: gateway.networking.k8s.io/v1
  kind: HTTPRoute
  metadata:
    name: web
    namespace: front
  spec:
    parentRefs:
    - name: gw
    rules:
    - backendRefs:
      - name: api
        namespace: back
        port: 80
`;

test('gateway-backend-not-permitted: error on the backend namespace; the fix adds a ReferenceGrant beside the Service', () => {
  const files = { '/ws/route.yaml': GW_ROUTE, '/ws/back/api.yaml': svc('api', 'back', ['  - port: 80']) };
  const run = analyze(files);
  const f = single(run, 'gateway-backend-not-permitted');
  assert.equal(f.severity, 'error');
  assert.equal(under(run, f), 'back');
  assert.deepEqual(f.related.map((r) => under(run, r)), ['name: gw']);
  assert.match(f.message, /no ReferenceGrant in back allows HTTPRoutes from front: the Gateway refuses it \(ResolvedRefs=False, RefNotPermitted\)/);
  const { files: fixed } = roundTrip(run, f);
  assert.equal(
    fixed['/ws/back/api.yaml'],
    files['/ws/back/api.yaml'] +
      [
        '---',
        'apiVersion: gateway.networking.k8s.io/v1beta1',
        'kind: ReferenceGrant',
        'metadata:',
        '  name: allow-httproutes-from-front',
        '  namespace: back',
        'spec:',
        '  from:',
        '  - group: gateway.networking.k8s.io',
        '    kind: HTTPRoute',
        '    namespace: front',
        '  to:',
        '  - group: ""',
        '    kind: Service',
        '    name: api',
        '',
      ].join('\n'),
  );
});

test('gateway-backend-not-permitted: without the Service in the workspace the grant goes at the end of the route file', () => {
  const run = analyze({ '/ws/route.yaml': GW_ROUTE });
  const f = single(run, 'gateway-backend-not-permitted');
  assert.equal(f.fixes[0]!.edits[0]!.file, '/ws/route.yaml');
  const { files } = roundTrip(run, f);
  assert.match(files['/ws/route.yaml']!, /port: 80\n---\napiVersion: gateway.networking.k8s.io\/v1beta1\nkind: ReferenceGrant\n/);
});

test('gateway-backend-not-permitted near misses: Service parents never need a grant; a matching grant (any name) permits', () => {
  const mesh = GW_ROUTE.replace('- name: gw', '- group: ""\n    kind: Service\n    name: front-svc');
  const meshRun = analyze({ '/ws/route.yaml': mesh, '/ws/f.yaml': svc('front-svc', 'front', ['  - port: 80']), '/ws/b.yaml': svc('api', 'back', ['  - port: 80']) });
  assert.deepEqual(of(meshRun, 'gateway-backend-not-permitted'), []);
  const grant = yaml`
    apiVersion: gateway.networking.k8s.io/v1beta1
    kind: ReferenceGrant
    metadata:
      name: g
      namespace: back
    spec:
      from:
      - group: gateway.networking.k8s.io
        kind: HTTPRoute
        namespace: front
      to:
      - group: ""
        kind: Service
  `;
  assert.deepEqual(of(analyze({ '/ws/route.yaml': GW_ROUTE, '/ws/grant.yaml': grant }), 'gateway-backend-not-permitted'), []);
  // A grant for another route kind or another Service name does not.
  assert.equal(of(analyze({ '/ws/route.yaml': GW_ROUTE, '/ws/grant.yaml': grant.replace('kind: HTTPRoute', 'kind: GRPCRoute') }), 'gateway-backend-not-permitted').length, 1);
  assert.equal(of(analyze({ '/ws/route.yaml': GW_ROUTE, '/ws/grant.yaml': `${grant}    name: other\n` }), 'gateway-backend-not-permitted').length, 1);
});

test('api-version-deprecated: GRPCRoute v1alpha2 is no longer served; fix to v1; v1 is fine', () => {
  const text = yaml`
    apiVersion: gateway.networking.k8s.io/v1alpha2
    kind: GRPCRoute
    metadata:
      name: g
    spec:
      parentRefs:
      - name: gw
      rules:
      - backendRefs:
        - name: s
          port: 80
  `;
  const run = analyze({ '/ws/s.yaml': svc('s', 'default', ['  - port: 80']), '/ws/g.yaml': text });
  const f = single(run, 'api-version-deprecated');
  assert.equal([f.severity, under(run, f)].join(' '), 'info gateway.networking.k8s.io/v1alpha2');
  assert.match(f.message, /^GRPCRoute v1alpha2 is no longer served/);
  const { files } = roundTrip(run, f);
  assert.match(files['/ws/g.yaml']!, /^apiVersion: gateway\.networking\.k8s\.io\/v1\n/);
  assert.deepEqual(run.findings.length, 1);
});

test('api-version-deprecated: HTTPRoute v1beta1 is deprecated; a TCPRoute v1alpha2 with two rules gets no automatic fix', () => {
  const http = single(analyze({ '/ws/h.yaml': 'apiVersion: "gateway.networking.k8s.io/v1beta1"\nkind: HTTPRoute\nmetadata: {name: h}\nspec: {}\n' }), 'api-version-deprecated');
  assert.match(http.message, /HTTPRoute v1beta1 is deprecated \(still served by the standard CRDs\)/);
  const tcpRun = analyze({ '/ws/t.yaml': 'apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: TCPRoute\nmetadata: {name: t}\nspec:\n  rules:\n  - backendRefs: [{name: a, port: 1}]\n  - backendRefs: [{name: b, port: 2}]\n' });
  const tcp = single(tcpRun, 'api-version-deprecated');
  assert.deepEqual(tcp.fixes, []);
  assert.match(tcp.message, /served only by the experimental CRDs.*v1 TCPRoute allows exactly one rule/);
  assert.deepEqual(of(analyze({ '/ws/h.yaml': 'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: h}\nspec: {}\n' }), 'api-version-deprecated'), []);
});

const CONSUMER = yaml`
  apiVersion: gateway.networking.k8s.io/v1
  kind: HTTPRoute
  metadata:
    name: c
    namespace: dev
  spec:
    parentRefs:
    - group: ""
      kind: Service
      name: api
      namespace: back
    rules:
    - backendRefs:
      - name: api
        namespace: back
        port: 80
`;

test('consumer-route-unsupported: cilium and istio-ambient only, on the parentRef namespace', () => {
  const files = { '/ws/c.yaml': CONSUMER, '/ws/api.yaml': svc('api', 'back', ['  - port: 80'], 'istio.io/use-waypoint: waypoint') };
  for (const impl of ['cilium', 'istio-ambient'] as const) {
    const run = analyze(files, { implementation: impl });
    const f = single(run, 'consumer-route-unsupported');
    assert.equal([f.severity, under(run, f)].join(' '), 'warning back');
    assert.deepEqual(f.related.map((r) => under(run, r)), ['api']);
  }
  assert.match(single(analyze(files, { implementation: 'cilium' }), 'consumer-route-unsupported').message, /Cilium does not support consumer routes/);
  for (const impl of ['generic', 'istio', 'linkerd'] as const) assert.deepEqual(of(analyze(files, { implementation: impl }), 'consumer-route-unsupported'), [], impl);
});

const PRODUCER = CONSUMER.replace('namespace: dev', 'namespace: back');

test('waypoint-label-missing: istio-ambient only; the label on the Service or its Namespace; none counts as absent', () => {
  const opts = { implementation: 'istio-ambient' as const };
  const bare = { '/ws/r.yaml': PRODUCER, '/ws/api.yaml': svc('api', 'back', ['  - port: 80']) };
  const run = analyze(bare, opts);
  const f = single(run, 'waypoint-label-missing');
  assert.equal([f.severity, under(run, f)].join(' '), 'warning api');
  assert.match(f.message, /^Service back\/api has no label istio\.io\/use-waypoint \(and Namespace back is not in the workspace\)/);
  assert.deepEqual(of(analyze(bare), 'waypoint-label-missing'), []);
  const ns = (label: string): string => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: back\n  labels:\n    istio.io/use-waypoint: ${label}\n`;
  assert.deepEqual(of(analyze({ ...bare, '/ws/ns.yaml': ns('waypoint') }, opts), 'waypoint-label-missing'), []);
  const nsNone = single(analyze({ ...bare, '/ws/ns.yaml': ns('none') }, opts), 'waypoint-label-missing');
  assert.match(nsNone.message, /neither Service back\/api nor Namespace back has the label istio\.io\/use-waypoint \(the Namespace sets it to none\)/);
  assert.deepEqual(
    of(analyze({ '/ws/r.yaml': PRODUCER, '/ws/api.yaml': svc('api', 'back', ['  - port: 80'], 'istio.io/use-waypoint: waypoint') }, opts), 'waypoint-label-missing'),
    [],
  );
  // `none` on the Service opts out even when the Namespace names a waypoint.
  const optOut = single(analyze({ '/ws/r.yaml': PRODUCER, '/ws/api.yaml': svc('api', 'back', ['  - port: 80'], 'istio.io/use-waypoint: none'), '/ws/ns.yaml': ns('waypoint') }, opts), 'waypoint-label-missing');
  assert.match(optOut.message, /sets istio\.io\/use-waypoint: "none", which means no waypoint/);
  assert.deepEqual(optOut.related.map((r) => r.message), ['Service back/api', 'Namespace back']);
});

test('gateway-backend-not-permitted with kustomize: the grant goes beside the Service (same kustomized namespace); never into a kustomized route file', () => {
  const kust = (ns: string): string => `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ${ns}\nresources:\n- app.yaml\n`;
  const routeFile = GW_ROUTE.replace('  namespace: front\n', '');
  // The Service's folder is kustomized into `back`; the appended grant lands in `back` too and permits the route.
  const files = { '/ws/front/kustomization.yaml': kust('front'), '/ws/front/app.yaml': routeFile, '/ws/back/kustomization.yaml': kust('back'), '/ws/back/app.yaml': svc('api', 'ignored', ['  - port: 80']) };
  const run = analyze(files);
  const f = single(run, 'gateway-backend-not-permitted');
  assert.equal(f.fixes[0]!.edits[0]!.file, '/ws/back/app.yaml');
  roundTrip(run, f);
  // Without the Service in the workspace, a kustomized route file would move the grant to `front`: no fix.
  const noSvc = analyze({ '/ws/front/kustomization.yaml': kust('front'), '/ws/front/app.yaml': routeFile });
  assert.deepEqual(single(noSvc, 'gateway-backend-not-permitted').fixes, []);
});
