/** ParentRef resolution as a table: group, kind, namespace, port/sectionName, per implementation profile. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { duplicateParentRefs, resolveRoute } from '../../server/src/core/bindings/resolve';
import { serviceBindings } from '../../server/src/core/bindings/effective';
import type { Implementation } from '../../server/src/core/options';
import { IMPLEMENTATIONS } from '../../server/src/core/options';
import type { RouteObject } from '../../server/src/core/model/types';
import { workspace } from '../support/workspace';

// The Namespace names a waypoint, so istio-ambient applies routes here (tested on its own below).
const SERVICES = `apiVersion: v1
kind: Namespace
metadata: {name: app, labels: {istio.io/use-waypoint: waypoint}}
---
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: app}
spec:
  ports:
  - {name: http, port: 80, targetPort: 8080}
  - {name: grpc, port: 7070}
---
apiVersion: v1
kind: Service
metadata: {name: headless, namespace: app}
spec: {clusterIP: None, ports: [{name: http, port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: external, namespace: app}
spec: {type: ExternalName, externalName: db.example.com, ports: [{name: http, port: 80}]}
---
apiVersion: multicluster.x-k8s.io/v1alpha1
kind: ServiceImport
metadata: {name: imported, namespace: app}
spec: {ports: [{port: 80}]}
`;

interface Expect {
  target: string;
  binds: boolean;
  role?: string;
  ports?: number[];
  reason?: string;
  sectionNameIgnored?: boolean;
}

function resolveOne(ref: string, implementation: Implementation = 'generic', routeNs = 'app'): Expect {
  const route = `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: ${routeNs}}\nspec:\n  parentRefs:\n  - ${ref}\n`;
  const ws = workspace({ '/ws/svc.yaml': SERVICES, '/ws/route.yaml': route }, { implementation });
  const r = [...ws.routes()][0]!;
  const [res] = resolveRoute(ws, r);
  assert.ok(res);
  const out: Expect = { target: res.target, binds: res.binds, role: res.role, ports: res.ports.map((p) => p.port!.value) };
  if (res.reason) out.reason = res.reason;
  if (res.sectionNameIgnored) out.sectionNameIgnored = true;
  return out;
}

const ALL = [80, 7070];
const P = (role: string, ports: number[]): Expect => ({ target: 'service', binds: true, role, ports });
const U = (reason: string, role = 'producer'): Expect => ({ target: 'service', binds: false, role, ports: [], reason });

/** Group and kind (route in `app`, parent `svc`). */
const GROUP_KIND: Array<[string, string, Expect]> = [
  ['group ""', '{group: "", kind: Service, name: svc}', P('producer', ALL)],
  ["group ''", "{group: '', kind: Service, name: svc}", P('producer', ALL)],
  ['group core', '{group: core, kind: Service, name: svc}', P('producer', ALL)],
  ['group Core (case-insensitive)', '{group: Core, kind: Service, name: svc}', P('producer', ALL)],
  ['group missing', '{kind: Service, name: svc}', U('group-missing')],
  ['group: (null)', '{group: , kind: Service, name: svc}', U('group-missing')],
  ['group: null', '{group: null, kind: Service, name: svc}', U('group-missing')],
  ['group v1', '{group: v1, kind: Service, name: svc}', U('group-wrong')],
  ['group apps', '{group: apps, kind: Service, name: svc}', U('group-wrong')],
  ['group gateway.networking.k8s.io', '{group: gateway.networking.k8s.io, kind: Service, name: svc}', U('group-wrong')],
  ['Service not found', '{group: "", kind: Service, name: nope}', U('service-not-found')],
  ['no name', '{group: "", kind: Service}', U('no-name')],
  ['kind Gateway', '{group: gateway.networking.k8s.io, kind: Gateway, name: gw}', { target: 'gateway', binds: true, role: 'gateway', ports: [] }],
  ['kind omitted = Gateway', '{name: svc}', { target: 'gateway', binds: true, role: 'gateway', ports: [] }],
  ['group "" without kind: a core Gateway, invalid', '{group: "", name: svc}', { target: 'other', binds: false, role: 'producer', ports: [] }],
  ['kind ServiceImport', '{group: multicluster.x-k8s.io, kind: ServiceImport, name: imported}', { target: 'serviceimport', binds: true, role: 'producer', ports: [] }],
  ['kind ServiceImport in another group', '{group: "", kind: ServiceImport, name: imported}', { target: 'other', binds: false, role: 'producer', ports: [] }],
  ['kind ServiceEntry', '{group: networking.istio.io, kind: ServiceEntry, name: svc}', { target: 'other', binds: false, role: 'producer', ports: [] }],
];

for (const [name, ref, expect] of GROUP_KIND) {
  test(`parentRef ${name}`, () => assert.deepEqual(resolveOne(ref), expect));
}

/** Namespace: omitted, same, other (route in `app` or `dev`). */
const NAMESPACES: Array<[string, string, string, Expect]> = [
  ['namespace omitted, route with the Service', 'app', '{group: "", kind: Service, name: svc}', P('producer', ALL)],
  ['namespace same as the route', 'app', '{group: "", kind: Service, name: svc, namespace: app}', P('producer', ALL)],
  ['namespace of the Service, route elsewhere: consumer', 'dev', '{group: "", kind: Service, name: svc, namespace: app}', P('consumer', ALL)],
  ['namespace omitted, route elsewhere: looks in the route namespace', 'dev', '{group: "", kind: Service, name: svc}', U('service-not-found')],
];

for (const [name, ns, ref, expect] of NAMESPACES) {
  test(`parentRef ${name}`, () => assert.deepEqual(resolveOne(ref, 'generic', ns), expect));
}

/** Ports, per profile: istio, istio-ambient and linkerd ignore sectionName. */
const PORT_CASES: Array<[string, string, Expect, Expect]> = [
  // [name, ref fields, generic/cilium, istio/istio-ambient/linkerd]
  ['no port, no sectionName', '', P('producer', ALL), P('producer', ALL)],
  ['port 80', ', port: 80', P('producer', [80]), P('producer', [80])],
  ['port 8080 (the targetPort, not a Service port)', ', port: 8080', U('port-not-found'), U('port-not-found')],
  ['port "80" as a string', ', port: "80"', P('producer', [80]), P('producer', [80])],
  ['sectionName http', ', sectionName: http', P('producer', [80]), { ...P('producer', ALL), sectionNameIgnored: true }],
  ['sectionName nope', ', sectionName: nope', U('section-not-found'), { ...P('producer', ALL), sectionNameIgnored: true }],
  ['port and sectionName agreeing', ', port: 7070, sectionName: grpc', P('producer', [7070]), { ...P('producer', [7070]), sectionNameIgnored: true }],
  ['port and sectionName disagreeing', ', port: 80, sectionName: grpc', U('section-not-found'), { ...P('producer', [80]), sectionNameIgnored: true }],
  ['missing port with a good sectionName', ', port: 81, sectionName: http', U('port-not-found'), { ...U('port-not-found'), sectionNameIgnored: true }],
];

const IGNORES_SECTION: Record<Implementation, boolean> = { generic: false, istio: true, 'istio-ambient': true, linkerd: true, cilium: false };

for (const impl of IMPLEMENTATIONS) {
  for (const [name, fields, strict, lax] of PORT_CASES) {
    test(`${impl}: parentRef ${name}`, () => {
      assert.deepEqual(resolveOne(`{group: "", kind: Service, name: svc${fields}}`, impl), IGNORES_SECTION[impl] ? lax : strict);
    });
  }
}

/** The profile rows of CONTRACT §3 that change resolution. */
const PROFILE_ROWS: Array<[string, string, string, Record<Implementation, Expect>]> = [
  [
    'group core',
    'app',
    '{group: core, kind: Service, name: svc}',
    { generic: P('producer', ALL), istio: U('group-core-ignored'), 'istio-ambient': U('group-core-ignored'), linkerd: P('producer', ALL), cilium: P('producer', ALL) },
  ],
  [
    'headless parent',
    'app',
    '{group: "", kind: Service, name: headless}',
    { generic: P('producer', [80]), istio: P('producer', [80]), 'istio-ambient': P('producer', [80]), linkerd: U('service-type'), cilium: P('producer', [80]) },
  ],
  [
    'ExternalName parent',
    'app',
    '{group: "", kind: Service, name: external}',
    { generic: P('producer', [80]), istio: P('producer', [80]), 'istio-ambient': P('producer', [80]), linkerd: U('service-type'), cilium: P('producer', [80]) },
  ],
  [
    'consumer route',
    'dev',
    '{group: "", kind: Service, name: svc, namespace: app}',
    {
      generic: P('consumer', ALL),
      istio: P('consumer', ALL),
      'istio-ambient': U('consumer-unsupported', 'consumer'),
      linkerd: P('consumer', ALL),
      cilium: U('consumer-unsupported', 'consumer'),
    },
  ],
];

for (const [name, ns, ref, byImpl] of PROFILE_ROWS) {
  for (const impl of IMPLEMENTATIONS) {
    test(`${impl}: ${name}`, () => assert.deepEqual(resolveOne(ref, impl, ns), byImpl[impl]));
  }
}

test('policy.linkerd.io HTTPRoutes bind only with the linkerd profile', () => {
  const route = 'apiVersion: policy.linkerd.io/v1beta3\nkind: HTTPRoute\nmetadata: {name: r, namespace: app}\nspec:\n  parentRefs: [{group: core, kind: Service, name: svc, port: 80}]\n';
  for (const impl of IMPLEMENTATIONS) {
    const ws = workspace({ '/ws/svc.yaml': SERVICES, '/ws/r.yaml': route }, { implementation: impl });
    const [res] = resolveRoute(ws, [...ws.routes()][0]!);
    if (impl === 'linkerd') assert.deepEqual([res!.binds, res!.ports.map((p) => p.port!.value)], [true, [80]]);
    else assert.deepEqual([res!.binds, res!.reason], [false, impl === 'istio' || impl === 'istio-ambient' ? 'group-core-ignored' : 'route-kind-ignored']);
  }
});

/** Duplicate parentRefs under the CRD CEL rules of each channel (digest §2.4). */
const DUPLICATES: Array<[string, string[], number[], number[]]> = [
  // [name, refs, rejected indices standard, rejected indices experimental]
  ['distinct Services', ['{group: "", kind: Service, name: a}', '{group: "", kind: Service, name: b}'], [], []],
  ['same Service twice, nothing to tell them apart', ['{group: "", kind: Service, name: a}', '{group: "", kind: Service, name: a}'], [0, 1], [0, 1]],
  ['same Service, distinct sectionNames', ['{group: "", kind: Service, name: a, sectionName: x}', '{group: "", kind: Service, name: a, sectionName: y}'], [], []],
  ['same Service, same sectionName', ['{group: "", kind: Service, name: a, sectionName: x}', '{group: "", kind: Service, name: a, sectionName: x}'], [0, 1], [0, 1]],
  ['same Service, only one sectionName', ['{group: "", kind: Service, name: a, sectionName: x}', '{group: "", kind: Service, name: a}'], [0, 1], [0, 1]],
  ['same Service, distinct ports only (valid only in experimental)', ['{group: "", kind: Service, name: a, port: 80}', '{group: "", kind: Service, name: a, port: 8080}'], [0, 1], []],
  ['same Service, same port', ['{group: "", kind: Service, name: a, port: 80}', '{group: "", kind: Service, name: a, port: 80}'], [0, 1], [0, 1]],
  ['same Service, only one port', ['{group: "", kind: Service, name: a, port: 80}', '{group: "", kind: Service, name: a}'], [0, 1], [0, 1]],
  ['same Service, same sectionName, distinct ports', ['{group: "", kind: Service, name: a, sectionName: x, port: 80}', '{group: "", kind: Service, name: a, sectionName: x, port: 81}'], [0, 1], []],
  // CEL compares namespaces as written: an explicit namespace and none are different parents.
  ['same Service, one with its namespace written', ['{group: "", kind: Service, name: a, namespace: app}', '{group: "", kind: Service, name: a}'], [], []],
  ['same Service, namespace "" counts as absent', ['{group: "", kind: Service, name: a, namespace: ""}', '{group: "", kind: Service, name: a}'], [0, 1], [0, 1]],
  ['same name, group "" and core are different parents', ['{group: "", kind: Service, name: a}', '{group: core, kind: Service, name: a}'], [], []],
  ['same name, Service and Gateway', ['{group: "", kind: Service, name: a}', '{name: a}'], [], []],
  ['Gateway by default group/kind and written out', ['{name: gw}', '{group: gateway.networking.k8s.io, kind: Gateway, name: gw}'], [0, 1], [0, 1]],
  ['three refs, two clash', ['{group: "", kind: Service, name: a, sectionName: x}', '{group: "", kind: Service, name: b}', '{group: "", kind: Service, name: a, sectionName: x}'], [0, 2], [0, 2]],
];

for (const [name, refs, standard, experimental] of DUPLICATES) {
  test(`parent-ref duplicates: ${name}`, () => {
    const route = `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: app}\nspec:\n  parentRefs:\n${refs.map((r) => `  - ${r}\n`).join('')}`;
    const ws = workspace({ '/ws/r.yaml': route });
    const r = [...ws.routes()][0] as RouteObject;
    assert.deepEqual(duplicateParentRefs(r, 'standard'), standard, 'standard channel');
    assert.deepEqual(duplicateParentRefs(r, 'experimental'), experimental, 'experimental channel');
  });
}

test('a route the CRD rejects does not bind at all; the experimental channel accepts port-only distinction', () => {
  const route = `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: app}\nspec:\n  parentRefs:\n  - {group: "", kind: Service, name: svc, port: 80}\n  - {group: "", kind: Service, name: svc, port: 7070}\n`;
  const std = workspace({ '/ws/svc.yaml': SERVICES, '/ws/r.yaml': route });
  assert.deepEqual(resolveRoute(std, [...std.routes()][0]!).map((p) => [p.binds, p.reason]), [
    [false, 'route-rejected'],
    [false, 'route-rejected'],
  ]);
  assert.deepEqual(serviceBindings(std, std.service('app', 'svc')!).ports.map((p) => p.producer), [null, null]);
  const exp = workspace({ '/ws/svc.yaml': SERVICES, '/ws/r.yaml': route }, { crdChannel: 'experimental' });
  assert.deepEqual(resolveRoute(exp, [...exp.routes()][0]!).map((p) => [p.binds, p.ports.map((x) => x.port!.value)]), [
    [true, [80]],
    [true, [7070]],
  ]);
  assert.deepEqual(
    serviceBindings(exp, exp.service('app', 'svc')!).ports.map((p) => p.producer?.routes.map((a) => a.route.name)),
    [['r'], ['r']],
  );
});

/** istio-ambient: a waypoint, named on the Service or its Namespace, applies the routes. */
const WAYPOINTS: Array<[string, string, string, boolean]> = [
  ['no label anywhere', '', '', false],
  ['label on the Namespace', '', 'waypoint', true],
  ['label on the Service', 'waypoint', '', true],
  ['Service opts out with none although the Namespace names one', 'none', 'waypoint', false],
  ['empty label on the Namespace', '', '""', false],
];

for (const [name, onService, onNamespace, binds] of WAYPOINTS) {
  test(`istio-ambient waypoint: ${name}`, () => {
    const label = (v: string): string => (v ? `, labels: {istio.io/use-waypoint: ${v}}` : '');
    const files = {
      '/ws/ns.yaml': `apiVersion: v1\nkind: Namespace\nmetadata: {name: app${label(onNamespace)}}\n`,
      '/ws/svc.yaml': `apiVersion: v1\nkind: Service\nmetadata: {name: svc, namespace: app${label(onService)}}\nspec: {ports: [{name: http, port: 80}]}\n`,
      '/ws/route.yaml': 'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: app}\nspec:\n  parentRefs: [{group: "", kind: Service, name: svc}]\n',
    };
    const ambient = workspace(files, { implementation: 'istio-ambient' });
    const [res] = resolveRoute(ambient, [...ambient.routes()][0]!);
    assert.deepEqual([res!.binds, res!.reason], binds ? [true, undefined] : [false, 'waypoint-missing']);
    // Other profiles do not look at waypoints.
    const istio = workspace(files, { implementation: 'istio' });
    assert.equal(resolveRoute(istio, [...istio.routes()][0]!)[0]!.binds, true);
  });
}
