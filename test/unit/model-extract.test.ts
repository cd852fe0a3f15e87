/** Model extraction: what the engine reads from each kind, and that wrong value types never throw. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractFile } from '../../server/src/core/model/extract';
import { BackendRef, ParentRef } from '../../server/src/core/model/nodes';
import { KeyedField } from '../../server/src/core/yaml/access';
import { isRoute, isService } from '../../server/src/core/model/types';
import type { K8sObject, RouteObject } from '../../server/src/core/model/types';
import { workspace, yaml } from '../support/workspace';

const F = '/ws/a.yaml';

function only<T extends K8sObject>(text: string, path = F): T {
  const ex = extractFile(path, text);
  assert.deepEqual(ex.problems, []);
  assert.equal(ex.objects.length, 1, `one object in:\n${text}`);
  return ex.objects[0] as T;
}

test('Service: type, clusterIP, externalName, ports with name, port, targetPort, protocol, appProtocol', () => {
  const text = yaml`
    apiVersion: v1
    kind: Service
    metadata:
      name: echo
      namespace: mesh
      labels: {app: echo, istio.io/use-waypoint: wp}
      creationTimestamp: 2024-05-01T10:00:00Z
    spec:
      type: NodePort
      clusterIP: 10.0.0.1
      ports:
      - name: http
        port: 80
        targetPort: 8080
        appProtocol: http
      - name: grpc
        port: 7070
        targetPort: grpc-port
        protocol: TCP
        appProtocol: kubernetes.io/h2c
      - port: 9090
  `;
  const svc = only<K8sObject>(text);
  assert.ok(isService(svc));
  assert.equal(svc.type, 'NodePort');
  assert.equal(svc.clusterIP?.value, '10.0.0.1');
  assert.deepEqual(svc.labels, { app: 'echo', 'istio.io/use-waypoint': 'wp' });
  assert.equal(svc.metadataNamespace?.value, 'mesh');
  assert.ok(svc.creationTimestamp?.startsWith('2024-05-01'));
  assert.deepEqual(
    svc.ports.map((p) => [p.index, p.name?.value, p.port?.value, p.targetPort?.value, p.protocol, p.appProtocol]),
    [
      [0, 'http', 80, 8080, undefined, 'http'],
      [1, 'grpc', 7070, 'grpc-port', 'TCP', 'kubernetes.io/h2c'],
      [2, undefined, 9090, undefined, undefined, undefined],
    ],
  );
});

test('Service defaults: ClusterIP type; headless and ExternalName are read', () => {
  const s1 = only<K8sObject>('apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {ports: [{port: 80}]}\n');
  assert.ok(isService(s1));
  assert.equal(s1.type, 'ClusterIP');
  assert.equal(s1.clusterIP, undefined);
  const s2 = only<K8sObject>('apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {clusterIP: None}\n');
  assert.ok(isService(s2));
  assert.equal(s2.clusterIP?.value, 'None');
  assert.deepEqual(s2.ports, []);
  const s3 = only<K8sObject>('apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {type: ExternalName, externalName: db.example.com}\n');
  assert.ok(isService(s3));
  assert.equal(s3.type, 'ExternalName');
  assert.equal(s3.externalName, 'db.example.com');
});

/** Every apiVersion the Gateway API CRDs serve for each route kind (digest §1). */
const SERVED: Array<[string, string[]]> = [
  ['HTTPRoute', ['v1', 'v1beta1']],
  ['GRPCRoute', ['v1', 'v1alpha2']],
  ['TLSRoute', ['v1', 'v1alpha2', 'v1alpha3']],
  ['TCPRoute', ['v1', 'v1alpha2']],
  ['UDPRoute', ['v1', 'v1alpha2']],
];

for (const [kind, versions] of SERVED) {
  for (const version of versions) {
    test(`${kind} ${version}: read as a route that binds its Service parent`, () => {
      const text = yaml`
        apiVersion: v1
        kind: Service
        metadata: {name: svc, namespace: ns}
        spec: {ports: [{name: p, port: 80}]}
        ---
        apiVersion: gateway.networking.k8s.io/${version}
        kind: ${kind}
        metadata: {name: r, namespace: ns}
        spec:
          parentRefs: [{group: "", kind: Service, name: svc, port: 80}]
          rules:
          - backendRefs: [{name: svc, port: 80}]
      `;
      const ws = workspace({ [F]: text });
      const [route] = [...ws.routes()];
      assert.ok(route);
      assert.equal(route.kind, kind);
      assert.equal(route.apiVersion, `gateway.networking.k8s.io/${version}`);
      assert.equal(route.version, version);
      assert.equal(route.linkerdPolicy, false);
      assert.deepEqual(route.parentRefs.map((p) => [p.group?.value, p.kind?.value, p.name?.value, p.port?.value]), [['', 'Service', 'svc', 80]]);
      assert.deepEqual(route.rules[0]!.backendRefs.map((b) => [b.name?.value, b.port?.value]), [['svc', 80]]);
      assert.deepEqual(ws.referencesTo('ns', 'svc').map((r) => r.type), ['parent', 'backend']);
    });
  }
}

test('route kinds from other groups are not Gateway API routes; policy.linkerd.io HTTPRoute is flagged', () => {
  const other = only<K8sObject>('apiVersion: example.com/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec: {parentRefs: [{group: "", kind: Service, name: s}]}\n');
  assert.equal(isRoute(other), false);
  const linkerd = only<K8sObject>('apiVersion: policy.linkerd.io/v1beta3\nkind: HTTPRoute\nmetadata: {name: r}\nspec: {parentRefs: [{group: "", kind: Service, name: s}]}\n');
  assert.ok(isRoute(linkerd));
  assert.equal(linkerd.linkerdPolicy, true);
});

test('HTTP matches: CRD defaults for path and its type; GRPC method matches', () => {
  const http = only<RouteObject>(yaml`
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata: {name: r}
    spec:
      rules:
      - matches:
        - path: {value: /a}
        - method: POST
          headers: [{name: x, value: "1"}, {type: RegularExpression, name: y, value: "a.*"}]
          queryParams: [{name: q, value: v}]
        - path: {type: Exact, value: /e}
      - backendRefs: []
  `);
  assert.deepEqual(http.rules[0]!.httpMatches!.map((m) => [m.path, m.method, m.headers.length, m.queryParams.length]), [
    [{ type: 'PathPrefix', value: '/a' }, undefined, 0, 0],
    [{ type: 'PathPrefix', value: '/' }, 'POST', 2, 1],
    [{ type: 'Exact', value: '/e' }, undefined, 0, 0],
  ]);
  assert.equal(http.rules[1]!.httpMatches, undefined);
  assert.equal(http.rules[1]!.hasBackendRefsKey, true);
  assert.equal(http.rules[1]!.defaulted, false);
  const grpc = only<RouteObject>(yaml`
    apiVersion: gateway.networking.k8s.io/v1
    kind: GRPCRoute
    metadata: {name: g}
    spec:
      rules:
      - matches:
        - method: {service: pkg.Svc, method: Get}
        - method: {type: RegularExpression, service: 'pkg\\..*'}
        - headers: [{name: x-test-case, value: set}]
  `);
  assert.deepEqual(grpc.rules[0]!.grpcMatches!.map((m) => [m.method, m.headers.length]), [
    [{ type: 'Exact', service: 'pkg.Svc', method: 'Get' }, 0],
    [{ type: 'RegularExpression', service: 'pkg\\..*', method: undefined }, 0],
    [undefined, 1],
  ]);
});

test('RequestRedirect: statusCode, 302 by default; RequestMirror backends are mirrors', () => {
  const r = only<RouteObject>(yaml`
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata: {name: r}
    spec:
      rules:
      - filters: [{type: RequestRedirect, requestRedirect: {hostname: example.org}}]
      - filters: [{type: RequestRedirect, requestRedirect: {statusCode: 301}}]
      - filters: [{type: RequestMirror, requestMirror: {backendRef: {name: m, port: 80}}}]
  `);
  assert.deepEqual(r.rules.map((x) => x.filters.map((f) => [f.type, f.redirectStatus])), [
    [['RequestRedirect', 302]],
    [['RequestRedirect', 301]],
    [['RequestMirror', undefined]],
  ]);
  assert.deepEqual(r.rules[2]!.backendRefs, []);
  assert.deepEqual(r.backendRefs.map((b) => [b.mirror, b.ruleIndex, b.name?.value]), [[true, 2, 'm']]);
});

test('a route without rules gets one defaulted catch-all rule without backends; rules: [] stays empty', () => {
  for (const rules of ['', 'rules:\n', 'rules: null\n', 'rules: ~\n']) {
    const r = only<RouteObject>(`apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec:\n  parentRefs: [{group: "", kind: Service, name: s}]\n  ${rules}`);
    assert.equal(r.rules.length, 1, `rules for ${JSON.stringify(rules)}`);
    const rule = r.rules[0]!;
    assert.deepEqual([rule.index, rule.defaulted, rule.httpMatches, rule.backendRefs, rule.hasBackendRefsKey, rule.filters], [0, true, undefined, [], false, []]);
  }
  const noSpec = only<RouteObject>('apiVersion: gateway.networking.k8s.io/v1\nkind: GRPCRoute\nmetadata: {name: r}\n');
  assert.equal(noSpec.rules.length, 1);
  assert.equal(noSpec.rules[0]!.defaulted, true);
  const empty = only<RouteObject>('apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec:\n  rules: []\n');
  assert.deepEqual(empty.rules, []);
});

test('Gateway, GatewayClass, ReferenceGrant, Namespace, ServiceImport', () => {
  const text = yaml`
    apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata: {name: gw, namespace: infra}
    spec:
      gatewayClassName: istio
      listeners:
      - {name: http, port: 80, protocol: HTTP, hostname: "*.example.com"}
      - {name: tls, port: "443", protocol: TLS}
    ---
    apiVersion: gateway.networking.k8s.io/v1
    kind: GatewayClass
    metadata: {name: istio, namespace: ignored}
    spec: {controllerName: istio.io/gateway-controller}
    ---
    apiVersion: gateway.networking.k8s.io/v1beta1
    kind: ReferenceGrant
    metadata: {name: grant, namespace: back}
    spec:
      from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: front}]
      to: [{group: "", kind: Service}, {group: "", kind: Service, name: only}]
    ---
    apiVersion: v1
    kind: Namespace
    metadata:
      name: mesh
      labels: {istio.io/use-waypoint: waypoint}
    ---
    apiVersion: multicluster.x-k8s.io/v1alpha1
    kind: ServiceImport
    metadata: {name: store, namespace: shop}
    spec:
      ports: [{name: http, port: 8080, protocol: TCP}]
  `;
  const ws = workspace({ [F]: text });
  const objs = ws.file(F)!.objects;
  assert.deepEqual(objs.map((o) => [o.kind, o.namespace, o.namespaceSource, o.name]), [
    ['Gateway', 'infra', 'metadata', 'gw'],
    ['GatewayClass', '', 'cluster', 'istio'],
    ['ReferenceGrant', 'back', 'metadata', 'grant'],
    ['Namespace', '', 'cluster', 'mesh'],
    ['ServiceImport', 'shop', 'metadata', 'store'],
  ]);
  const [gw, gc, rg, ns, si] = objs as unknown as [
    { gatewayClassName: string; listeners: unknown[] },
    { controllerName: string },
    { from: unknown[]; to: unknown[] },
    { labels: Record<string, string> },
    { ports: Array<{ port?: { value: number }; name?: { value: string } }> },
  ];
  assert.equal(gw.gatewayClassName, 'istio');
  assert.deepEqual(gw.listeners, [
    { name: 'http', port: 80, protocol: 'HTTP', hostname: '*.example.com' },
    { name: 'tls', port: 443, protocol: 'TLS', hostname: undefined },
  ]);
  assert.equal(gc.controllerName, 'istio.io/gateway-controller');
  assert.deepEqual(rg.from, [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'front' }]);
  assert.deepEqual(rg.to, [
    { group: '', kind: 'Service', name: undefined },
    { group: '', kind: 'Service', name: 'only' },
  ]);
  assert.deepEqual(ns.labels, { 'istio.io/use-waypoint': 'waypoint' });
  assert.deepEqual(si.ports.map((p) => [p.name?.value, p.port?.value]), [['http', 8080]]);
  assert.equal(ws.lookup('Namespace', '', 'mesh').length, 1);
  assert.equal(ws.lookup('ServiceImport', 'shop', 'store').length, 1);
});

test('kustomization.yaml: namespace and resources (resources, bases, components)', () => {
  for (const name of ['kustomization.yaml', 'kustomization.yml', 'Kustomization']) {
    const k = only<K8sObject & { setNamespace?: string; resources: string[] }>(
      yaml`
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        namespace: prod
        resources:
        - svc.yaml
        - ../base
        bases: [old]
        components: [comp]
      `,
      `/ws/overlay/${name}`,
    );
    assert.equal(k.kind, 'Kustomization');
    assert.equal(k.setNamespace, 'prod');
    assert.deepEqual(k.resources, ['svc.yaml', '../base', 'old', 'comp']);
  }
  // A kustomization without apiVersion/kind is still one.
  const bare = only<K8sObject & { setNamespace?: string; resources: string[] }>('namespace: x\nresources: [a.yaml]\n', '/ws/kustomization.yaml');
  assert.equal(bare.kind, 'Kustomization');
  assert.deepEqual([bare.setNamespace, bare.resources], ['x', ['a.yaml']]);
  // The same content in another file name is not a kustomization.
  assert.deepEqual(extractFile('/ws/other.yaml', 'namespace: x\nresources: [a.yaml]\n').objects, []);
});

/** Values of the wrong type are read as absent (or skipped), never thrown on. */
const WRONG_TYPES: Array<[string, string, (objs: readonly K8sObject[]) => void]> = [
  [
    'port: "eighty" and other bad ports',
    'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - port: "eighty"\n  - port: eighty\n  - port: 80.5\n  - {}\n  - 5\n  - port: [80]\n',
    (objs) => {
      const s = objs[0]!;
      assert.ok(isService(s));
      assert.deepEqual(s.ports.map((p) => p.port), [undefined, undefined, undefined, undefined, undefined, undefined]);
    },
  ],
  [
    'ports: a map',
    'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: {port: 80}\n',
    (objs) => assert.ok(isService(objs[0]!) && objs[0].ports.length === 0),
  ],
  [
    'spec: a list',
    'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: [1, 2]\n',
    (objs) => assert.ok(isService(objs[0]!) && objs[0].ports.length === 0),
  ],
  [
    'parentRefs: {} and rules: null',
    'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec:\n  parentRefs: {}\n  rules: null\n',
    (objs) => {
      const r = objs[0]!;
      assert.ok(isRoute(r));
      assert.deepEqual(r.parentRefs, []);
      assert.equal(r.rules.length, 1);
      assert.equal(r.rules[0]!.defaulted, true);
    },
  ],
  [
    'metadata: []',
    'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: []\nspec: {}\n',
    (objs) => assert.deepEqual(objs, []),
  ],
  [
    'metadata.name: a map, namespace: a list',
    'apiVersion: v1\nkind: Service\nmetadata: {name: {a: 1}}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: ok, namespace: [x]}\n',
    (objs) => {
      assert.deepEqual(objs.map((o) => o.name), ['ok']);
      assert.equal(objs[0]!.metadataNamespace, undefined);
    },
  ],
  [
    'parentRefs entries of the wrong type, bad port, bad rules',
    yaml`
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata: {name: r, labels: [1], annotations: 3}
      spec:
        parentRefs: ["str", null, 7, {group: "", kind: Service, name: x, port: [1], sectionName: {a: b}}]
        hostnames: {a: b}
        rules:
        - matches: {}
          backendRefs: "x"
          filters: 5
        - matches: [null, 3, {path: 7, headers: {}, queryParams: "q"}]
          backendRefs: [null, "b", {name: [1], port: "x", weight: "heavy"}]
    `,
    (objs) => {
      const r = objs[0]!;
      assert.ok(isRoute(r));
      assert.deepEqual(r.labels, {});
      assert.deepEqual(r.parentRefs.map((p) => [p.index, p.name?.value, p.sectionName]), [[3, 'x', undefined]]);
      assert.ok(Array.isArray(r.parentRefs[0]!.port?.value) || typeof r.parentRefs[0]!.port?.value === 'object');
      assert.deepEqual(r.hostnames?.value, []);
      assert.equal(r.rules.length, 2);
      assert.deepEqual(r.rules[1]!.backendRefs.map((b) => [b.name, b.port?.value, b.weight?.value]), [[undefined, 'x', 'heavy']]);
    },
  ],
];

for (const [name, text, check] of WRONG_TYPES) {
  test(`wrong value types do not throw: ${name}`, () => {
    const ex = extractFile(F, text);
    assert.deepEqual(ex.problems.filter((p) => p.reason === 'unreadable'), []);
    check(ex.objects);
    // The whole engine copes too.
    const ws = workspace({ [F]: text });
    for (const s of ws.services()) assert.ok(s.name);
  });
}

test('refs and ports keep their fields in slots: read back as the fields they were made from, absent ones undefined', () => {
  const text = [
    'apiVersion: gateway.networking.k8s.io/v1',
    'kind: HTTPRoute',
    'metadata: {name: r, namespace: ns}',
    'spec:',
    '  parentRefs:',
    '  - group: ""',
    '    kind: Service',
    '    name: svc',
    '    port: 80',
    '    sectionName: http',
    '  - name: gw',
    '  rules:',
    '  - backendRefs:',
    '    - group:',
    '      name: svc',
    '      namespace: other',
    '      port: 8080',
    '      weight: 3',
    '---',
    'apiVersion: v1',
    'kind: Service',
    'metadata: {name: svc, namespace: ns}',
    'spec:',
    '  ports:',
    '  - {name: http, port: 80, targetPort: web}',
    '  - port: 81',
    '',
  ].join('\n');
  const [route, service] = extractFile('/w/a.yaml', text).objects as [RouteObject, K8sObject];
  const at = (needle: string, from = 0): number => text.indexOf(needle, from);
  const span = (needle: string, from = 0): { start: number; end: number } => ({ start: at(needle, from), end: at(needle, from) + needle.length });
  const [p0, p1] = route.parentRefs;
  // Values and spans as written; group and sectionName also keep their key's span.
  assert.deepEqual(
    { value: p0!.group?.value, span: p0!.group?.span, keySpan: p0!.group?.keySpan },
    { value: '', span: span('""'), keySpan: span('group') },
  );
  assert.deepEqual([p0!.kind?.value, p0!.kind?.span], ['Service', span('Service')]);
  assert.deepEqual([p0!.name?.value, p0!.port?.value, p0!.port?.span], ['svc', 80, span('80')]);
  assert.deepEqual([p0!.sectionName?.value, p0!.sectionName?.keySpan], ['http', span('sectionName')]);
  assert.equal(p0!.name?.keySpan, undefined);
  assert.equal(p0!.namespace, undefined);
  assert.deepEqual([p1!.group, p1!.kind, p1!.namespace, p1!.port, p1!.sectionName], [undefined, undefined, undefined, undefined, undefined]);
  assert.equal(p1!.name?.value, 'gw');
  const b = route.backendRefs[0]!;
  // `group:` with no value: present, null.
  assert.equal(b.group?.value, null);
  assert.deepEqual(b.group?.keySpan, span('group', at('backendRefs')));
  assert.deepEqual([b.name?.value, b.namespace?.value, b.port?.value, b.weight?.value, b.kind], ['svc', 'other', 8080, 3, undefined]);
  assert.deepEqual(b.weight?.span, span('3', at('weight')));
  assert.ok(isService(service));
  const [q0, q1] = service.ports;
  assert.deepEqual([q0!.name?.value, q0!.port?.value, q0!.targetPort?.value, q0!.targetPort?.span], ['http', 80, 'web', span('web')]);
  assert.deepEqual([q1!.name, q1!.port?.value, q1!.targetPort], [undefined, 81, undefined]);
  // As JSON, each field is the object it would be on its own.
  assert.deepEqual(JSON.parse(JSON.stringify(p0)).group, { value: '', span: span('""'), keySpan: span('group') });
  assert.equal('namespace' in JSON.parse(JSON.stringify(p0)), false);
});

test('a key span given for a slot that does not keep one is a bug, not a silent loss', () => {
  const keyed = new KeyedField('Service', 10, 17, 4, 8);
  assert.throws(() => new ParentRef(0, 0, 20, undefined, keyed, undefined, undefined, undefined, undefined), /key span of kind/);
  assert.throws(() => new BackendRef(0, 20, 0, 0, false, undefined, undefined, keyed, undefined, undefined, undefined), /key span of name/);
  assert.deepEqual(new ParentRef(0, 0, 20, undefined, undefined, undefined, undefined, undefined, keyed).sectionName?.keySpan, { start: 4, end: 8 });
});
