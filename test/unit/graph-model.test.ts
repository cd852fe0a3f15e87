/** The binding graph model: nodes, edges and roles, scopes, dangling refs and conflicts, and the layered layout. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { buildGraph, layoutGraph, nodeLines } from '../../server/src/core/graph/index';
import type { BindingGraph } from '../../server/src/core/graph/index';
import type { Workspace } from '../../server/src/core/index/snapshot';
import { REPO_ROOT, textAt, workspace, workspaceFromDisk, yaml } from '../support/workspace';

const SEED = path.join(REPO_ROOT, 'examples', 'seed-article');

function seed(): Workspace {
  return workspaceFromDisk([SEED]);
}

function edgeRows(g: BindingGraph): string[] {
  return g.edges.map((e) => `${e.id} ${e.role} "${e.label}"${e.weight !== undefined ? ` w=${e.weight}` : ''}`);
}

function nodeRows(g: BindingGraph): string[] {
  return g.nodes.map(
    (n) =>
      `${n.id} ${n.type}${n.missing ? ' missing' : ''}${n.conflicted ? ' conflicted' : ''}${n.focus ? ' focus' : ''}` +
      `${n.overridden ? ` overridden(producer=${n.overridden.producer}, consumers=${n.overridden.consumers.join('|')})` : ''}`,
  );
}

test('seed article: every node with its type and the overrides of svc-a', () => {
  const g = buildGraph(seed());
  assert.deepEqual(nodeRows(g), [
    'Gateway/app-ns/gw gateway',
    'HTTPRoute/app-ns/route-a route',
    'HTTPRoute/app-ns/route-b route',
    'Service/app-ns/svc-a service overridden(producer=true, consumers=dev-ns)',
    'HTTPRoute/dev-ns/route-c route',
    'Service/ext-ns/svc-b service',
  ]);
  assert.deepEqual(
    g.nodes.map((n) => n.mermaidId),
    ['Gateway_app_ns_gw', 'HTTPRoute_app_ns_route_a', 'HTTPRoute_app_ns_route_b', 'Service_app_ns_svc_a', 'HTTPRoute_dev_ns_route_c', 'Service_ext_ns_svc_b'],
  );
});

test('seed article: edges with roles, labels and weights, in route order', () => {
  const g = buildGraph(seed());
  assert.deepEqual(edgeRows(g), [
    'parentRef:HTTPRoute/app-ns/route-a->Gateway/app-ns/gw gateway "parentRef"',
    'backendRef:HTTPRoute/app-ns/route-a->Service/app-ns/svc-a backend "weight 100" w=100',
    'parentRef:HTTPRoute/app-ns/route-b->Service/app-ns/svc-a producer "parentRef producer: all callers"',
    'backendRef:HTTPRoute/app-ns/route-b->Service/ext-ns/svc-b backend "weight 100" w=100',
    'parentRef:HTTPRoute/dev-ns/route-c->Service/app-ns/svc-a consumer "parentRef consumer: callers in dev-ns"',
    'backendRef:HTTPRoute/dev-ns/route-c->Service/app-ns/svc-a backend ""',
  ]);
});

test('seed article: edge and node spans point at the parentRef/backendRef entry and the metadata name', () => {
  const ws = seed();
  const g = buildGraph(ws);
  const producer = g.edges.find((e) => e.role === 'producer')!;
  assert.equal(path.basename(producer.file), '02-producer-route-b.yaml');
  assert.equal(textAt(ws, producer.file, producer.span), 'group: ""\n      kind: Service\n      name: svc-a\n      namespace: app-ns\n      port: 80');
  const backend = g.edges.find((e) => e.id === 'backendRef:HTTPRoute/dev-ns/route-c->Service/app-ns/svc-a')!;
  assert.equal(textAt(ws, backend.file, backend.span), 'name: svc-a\n          namespace: app-ns\n          port: 80');
  const svc = g.nodes.find((n) => n.id === 'Service/app-ns/svc-a')!;
  assert.equal(path.basename(svc.file!), '01-gateway-route-a.yaml');
  assert.equal(textAt(ws, svc.file!, svc.span!), 'svc-a');
});

test('scope: centred on svc-a, the article diagram (Gateway → route-a → svc-a ⇢ route-b → svc-b, and route-c)', () => {
  const g = buildGraph(seed(), { service: { namespace: 'app-ns', name: 'svc-a' } });
  assert.deepEqual(
    g.nodes.map((n) => `${n.id}${n.focus ? ' focus' : ''}`),
    ['Gateway/app-ns/gw', 'HTTPRoute/app-ns/route-a', 'HTTPRoute/app-ns/route-b', 'Service/app-ns/svc-a focus', 'HTTPRoute/dev-ns/route-c', 'Service/ext-ns/svc-b'],
  );
  assert.equal(g.edges.length, 6);
});

test('scope: centred on svc-b, only the route that names it and what that route names', () => {
  const g = buildGraph(seed(), { service: { namespace: 'ext-ns', name: 'svc-b' } });
  assert.deepEqual(nodeRows(g), [
    'HTTPRoute/app-ns/route-b route',
    'Service/app-ns/svc-a service overridden(producer=true, consumers=dev-ns)',
    'Service/ext-ns/svc-b service focus',
  ]);
  assert.deepEqual(edgeRows(g), [
    'parentRef:HTTPRoute/app-ns/route-b->Service/app-ns/svc-a producer "parentRef producer: all callers"',
    'backendRef:HTTPRoute/app-ns/route-b->Service/ext-ns/svc-b backend "weight 100" w=100',
  ]);
});

test('scope: a namespace keeps the routes that live in it or name something in it', () => {
  const g = buildGraph(seed(), { namespace: 'dev-ns' });
  assert.deepEqual(
    g.nodes.map((n) => n.id),
    ['Service/app-ns/svc-a', 'HTTPRoute/dev-ns/route-c'],
  );
  const ext = buildGraph(seed(), { namespace: 'ext-ns' });
  assert.deepEqual(
    ext.nodes.map((n) => n.id),
    ['HTTPRoute/app-ns/route-b', 'Service/app-ns/svc-a', 'Service/ext-ns/svc-b'],
  );
});

const DANGLING = {
  'a.yaml': yaml`
    apiVersion: v1
    kind: Service
    metadata: {name: web, namespace: shop}
    spec:
      ports:
      - {name: http, port: 80}
    ---
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata: {name: to-nowhere, namespace: shop}
    spec:
      parentRefs:
      - {group: "", kind: Service, name: gone}
      - {name: no-such-gw}
      rules:
      - backendRefs:
        - {name: missing-backend, port: 80}
    ---
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata: {name: http, namespace: shop}
    spec:
      parentRefs:
      - {group: "", kind: Service, name: web, port: 80}
      rules:
      - backendRefs:
        - {name: web, port: 80}
    ---
    apiVersion: gateway.networking.k8s.io/v1alpha2
    kind: TCPRoute
    metadata: {name: tcp, namespace: shop}
    spec:
      parentRefs:
      - {group: "", kind: Service, name: web, port: 80}
      rules:
      - backendRefs:
        - {name: web, port: 80}
  `,
};

test('dangling refs: missing Service and Gateway nodes, an unbound parentRef with its reason', () => {
  const g = buildGraph(workspace(DANGLING));
  assert.deepEqual(nodeRows(g), [
    'Gateway/shop/no-such-gw gateway missing',
    'HTTPRoute/shop/http route',
    'HTTPRoute/shop/to-nowhere route',
    'Service/shop/gone service missing',
    'Service/shop/missing-backend service missing',
    'Service/shop/web service overridden(producer=true, consumers=)',
    'TCPRoute/shop/tcp route conflicted',
  ]);
  assert.deepEqual(
    g.edges.filter((e) => e.route === 'HTTPRoute/shop/to-nowhere').map((e) => `${e.role} ${e.target} ${e.reason ?? ''}`.trim()),
    ['unbound Service/shop/gone service-not-found', 'gateway Gateway/shop/no-such-gw', 'backend Service/shop/missing-backend'],
  );
  assert.equal(g.nodes.find((n) => n.id === 'Service/shop/gone')!.label, 'Service gone (not found)');
});

test('layout: traffic flows left to right in layers; the consumer route that sends traffic back to svc-a is a back edge', () => {
  const g = buildGraph(seed());
  const lay = layoutGraph(g, (id) => nodeLines(g.nodes.find((n) => n.id === id)!));
  const layer = Object.fromEntries(lay.nodes.map((b) => [b.id, b.layer]));
  assert.deepEqual(layer, {
    'Gateway/app-ns/gw': 0,
    'HTTPRoute/app-ns/route-a': 1,
    'Service/app-ns/svc-a': 2,
    'HTTPRoute/app-ns/route-b': 3,
    'HTTPRoute/dev-ns/route-c': 3,
    'Service/ext-ns/svc-b': 4,
  });
  assert.deepEqual(
    lay.edges.filter((e) => e.back).map((e) => e.id),
    ['backendRef:HTTPRoute/dev-ns/route-c->Service/app-ns/svc-a'],
  );
  // Nodes of one layer do not overlap; layers do not overlap.
  for (const a of lay.nodes) {
    for (const b of lay.nodes) {
      if (a === b) continue;
      const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
      assert.ok(apart, `${a.id} overlaps ${b.id}`);
    }
  }
  for (const b of lay.nodes) assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.width <= lay.width && b.y + b.height <= lay.height, `${b.id} inside the picture`);
  // Deterministic.
  assert.deepEqual(layoutGraph(g, (id) => nodeLines(g.nodes.find((n) => n.id === id)!)), lay);
});

test('layout: 1,000 nodes lay out without overlaps', () => {
  const docs: string[] = [];
  for (let i = 0; i < 250; i++) {
    docs.push(`apiVersion: v1\nkind: Service\nmetadata: {name: s${i}, namespace: ns${i % 10}}\nspec:\n  ports:\n  - {port: 80}\n`);
    docs.push(`apiVersion: v1\nkind: Service\nmetadata: {name: b${i}, namespace: ns${i % 10}}\nspec:\n  ports:\n  - {port: 80}\n`);
    docs.push(
      `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: p${i}, namespace: ns${i % 10}}\nspec:\n  parentRefs:\n  - {group: "", kind: Service, name: s${i}, port: 80}\n  rules:\n  - backendRefs:\n    - {name: b${i}, port: 80}\n    - {name: s${(i + 1) % 250}, namespace: ns${(i + 1) % 10}, port: 80}\n`,
    );
    docs.push(
      `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: c${i}, namespace: other}\nspec:\n  parentRefs:\n  - {group: "", kind: Service, name: s${i}, namespace: ns${i % 10}, port: 80}\n  rules:\n  - backendRefs:\n    - {name: s${i}, namespace: ns${i % 10}, port: 80}\n`,
    );
  }
  const g = buildGraph(workspace({ 'big.yaml': docs.join('---\n') }));
  assert.equal(g.nodes.length, 1000);
  const lay = layoutGraph(g, (id) => nodeLines(g.nodes.find((n) => n.id === id)!));
  const byLayer = new Map<number, typeof lay.nodes>();
  for (const b of lay.nodes) byLayer.set(b.layer, [...(byLayer.get(b.layer) ?? []), b]);
  for (const list of byLayer.values()) {
    const ys = list.map((b) => b.y).sort((a, b) => a - b);
    for (let i = 1; i < ys.length; i++) assert.ok(ys[i]! - ys[i - 1]! >= list[0]!.height, 'no overlap within a layer');
  }
  assert.equal(lay.edges.length, g.edges.length);
});
