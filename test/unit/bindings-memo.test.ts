/**
 * The per-snapshot memos of route resolution, duplicate parentRefs and Service bindings: reused
 * within a snapshot, never stale in the next one (an edit to a Service or a Namespace changes how an
 * untouched route resolves; an unrelated edit keeps every result right).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { duplicateParentRefs, resolveRoute } from '../../server/src/core/bindings/resolve';
import { serviceBindings } from '../../server/src/core/bindings/effective';
import { analyzeFile } from '../../server/src/core/analyzers/index';
import type { Workspace } from '../../server/src/core/index/snapshot';
import type { RouteObject } from '../../server/src/core/model/types';
import { workspace, yaml } from '../support/workspace';

const service = (port: number, labels = ''): string => yaml`
  apiVersion: v1
  kind: Service
  metadata: {name: svc, namespace: app${labels}}
  spec:
    ports:
    - {name: http, port: ${port}}
`;

const ROUTE = yaml`
  apiVersion: gateway.networking.k8s.io/v1
  kind: HTTPRoute
  metadata: {name: r, namespace: app}
  spec:
    parentRefs:
    - {group: "", kind: Service, name: svc, port: 80}
    rules:
    - backendRefs: [{name: svc, port: 80}]
`;

const OTHER = yaml`
  apiVersion: v1
  kind: ConfigMap
  metadata: {name: unrelated, namespace: app}
`;

function route(ws: Workspace): RouteObject {
  return [...ws.routes()][0]!;
}

/** How the route's only parentRef resolves, and which routes the Service's port 80 binds. */
function state(ws: Workspace): { binds: boolean; reason?: string; bound: string[] } {
  const [res] = resolveRoute(ws, route(ws));
  const svc = ws.service('app', 'svc')!;
  const bound = serviceBindings(ws, svc).ports.flatMap((pb) => (pb.producer?.routes ?? []).map((a) => `${a.route.name}@${pb.port.port!.value}`));
  return { binds: res!.binds, reason: res!.reason, bound };
}

test('resolveRoute is memoised within a snapshot: the analyzers and the bindings share one resolution', () => {
  const ws = workspace({ '/ws/svc.yaml': service(80), '/ws/route.yaml': ROUTE });
  const first = resolveRoute(ws, route(ws));
  assert.equal(resolveRoute(ws, route(ws)), first);
  const svc = ws.service('app', 'svc')!;
  assert.equal(serviceBindings(ws, svc).refs[0], first[0]);
  assert.equal(serviceBindings(ws, svc), serviceBindings(ws, svc));
});

test('an edit to the Service changes the resolution of the untouched route in the next snapshot', () => {
  const ws1 = workspace({ '/ws/svc.yaml': service(80), '/ws/route.yaml': ROUTE, '/ws/other.yaml': OTHER });
  assert.deepEqual(state(ws1), { binds: true, reason: undefined, bound: ['r@80'] });
  assert.deepEqual(analyzeFile(ws1, '/ws/route.yaml').map((f) => f.code), []);

  const ws2 = ws1.withFiles([{ path: '/ws/svc.yaml', text: service(81) }]);
  assert.deepEqual(state(ws2), { binds: false, reason: 'port-not-found', bound: [] });
  assert.deepEqual(analyzeFile(ws2, '/ws/route.yaml').map((f) => f.code), ['parent-port-not-found', 'backend-port-not-found']);
  // The older snapshot still answers as before.
  assert.deepEqual(state(ws1), { binds: true, reason: undefined, bound: ['r@80'] });

  // An unrelated edit keeps the results (carried over or recomputed) right.
  const ws3 = ws2.withFiles([{ path: '/ws/other.yaml', text: OTHER.replace('unrelated', 'renamed') }]);
  assert.deepEqual(state(ws3), { binds: false, reason: 'port-not-found', bound: [] });
  const ws4 = ws3.withFiles([{ path: '/ws/svc.yaml', text: service(80) }]);
  assert.deepEqual(state(ws4), { binds: true, reason: undefined, bound: ['r@80'] });
  const ws5 = ws4.withFiles([{ path: '/ws/other.yaml', text: OTHER }]);
  assert.deepEqual(state(ws5), { binds: true, reason: undefined, bound: ['r@80'] });
  assert.deepEqual(analyzeFile(ws5, '/ws/route.yaml').map((f) => f.code), []);
});

test('istio-ambient: a waypoint label added on the Service binds the untouched route in the next snapshot', () => {
  const ws1 = workspace({ '/ws/svc.yaml': service(80), '/ws/route.yaml': ROUTE }, { implementation: 'istio-ambient' });
  assert.deepEqual(state(ws1), { binds: false, reason: 'waypoint-missing', bound: [] });
  const ws2 = ws1.withFiles([{ path: '/ws/svc.yaml', text: service(80, ', labels: {istio.io/use-waypoint: wp}') }]);
  assert.deepEqual(state(ws2), { binds: true, reason: undefined, bound: ['r@80'] });
});

test('duplicate parentRefs follow the edited route, per channel', () => {
  const withRefs = (...ports: number[]): string =>
    ROUTE.replace(/ {2}- \{group: "", kind: Service, name: svc, port: 80\}\n/, ports.map((p) => `  - {group: "", kind: Service, name: svc, port: ${p}}\n`).join(''));
  assert.equal(withRefs(80), ROUTE);
  const ws1 = workspace({ '/ws/svc.yaml': service(80), '/ws/route.yaml': ROUTE });
  assert.deepEqual(duplicateParentRefs(route(ws1), 'standard'), []);
  const ws2 = ws1.withFiles([{ path: '/ws/route.yaml', text: withRefs(80, 80) }]);
  assert.equal(route(ws2).parentRefs.length, 2);
  assert.deepEqual(duplicateParentRefs(route(ws2), 'standard'), [0, 1]);
  assert.deepEqual(duplicateParentRefs(route(ws2), 'experimental'), [0, 1]);
  assert.deepEqual(resolveRoute(ws2, route(ws2)).map((p) => p.reason), ['route-rejected', 'route-rejected']);
  // Told apart by port: only the standard channel rejects them.
  const ws3 = ws2.withFiles([{ path: '/ws/route.yaml', text: withRefs(80, 8080) }]);
  assert.deepEqual(duplicateParentRefs(route(ws3), 'standard'), [0, 1]);
  assert.deepEqual(duplicateParentRefs(route(ws3), 'experimental'), []);
  const ws4 = ws3.withFiles([{ path: '/ws/route.yaml', text: ROUTE }]);
  assert.deepEqual(resolveRoute(ws4, route(ws4)).map((p) => [p.binds, p.reason]), [[true, undefined]]);
});

test('istio-ambient: a waypoint label added on the Namespace binds the untouched route in the next snapshot', () => {
  const ns = (labels: string): string => `apiVersion: v1\nkind: Namespace\nmetadata: {name: app${labels}}\n`;
  const ws1 = workspace({ '/ws/ns.yaml': ns(''), '/ws/svc.yaml': service(80), '/ws/route.yaml': ROUTE }, { implementation: 'istio-ambient' });
  assert.deepEqual(state(ws1), { binds: false, reason: 'waypoint-missing', bound: [] });
  const ws2 = ws1.withFiles([{ path: '/ws/ns.yaml', text: ns(', labels: {istio.io/use-waypoint: wp}') }]);
  assert.deepEqual(state(ws2), { binds: true, reason: undefined, bound: ['r@80'] });
  const ws3 = ws2.withFiles([{ path: '/ws/ns.yaml', text: ns('') }]);
  assert.deepEqual(state(ws3), { binds: false, reason: 'waypoint-missing', bound: [] });
});
