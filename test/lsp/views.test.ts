/**
 * The custom requests behind the VS Code views, over stdio on a copy of examples/seed-article:
 * gammaLens/tree, gammaLens/graph, gammaLens/explainView and gammaLens/createConsumerRoute.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LspClient, applyEdits, copyFixture, fileUri, textIn } from '../support/lsp-client';
import type { WorkspaceEdit } from '../support/lsp-client';
import { CreateConsumerRouteRequest, ExplainViewRequest, GraphRequest, TreeRequest } from '../../server/src/protocol';
import type { ExplainViewResult, GraphResult, TreeResult } from '../../server/src/protocol';
import { REPO_ROOT } from '../support/workspace';

describe('view requests on the seed article', () => {
  let dir: string;
  let client: LspClient;

  before(async () => {
    dir = copyFixture(path.join(REPO_ROOT, 'examples', 'seed-article'));
    client = await LspClient.start({ folders: [dir], cleanup: [dir] });
  });
  after(async () => {
    await client.stop();
  });

  test('gammaLens/tree: namespaces → Services → ports → producer and consumer routes, with locations', async () => {
    const tree = await client.request<TreeResult>(TreeRequest, {});
    const rows: string[] = [];
    for (const ns of tree.namespaces) {
      for (const s of ns.services) {
        for (const p of s.ports) {
          for (const e of p.entries) rows.push(`${ns.name}/${s.name}:${p.port} ${e.role}${e.from ? ` from ${e.from}` : ''} ${e.route}`);
          if (!p.entries.length) rows.push(`${ns.name}/${s.name}:${p.port} default`);
        }
      }
    }
    assert.deepEqual(rows, ['app-ns/svc-a:80 producer HTTPRoute/app-ns/route-b', 'app-ns/svc-a:80 consumer from dev-ns HTTPRoute/dev-ns/route-c', 'ext-ns/svc-b:80 default']);
    assert.deepEqual(tree.unresolved, []);
    const consumer = tree.namespaces[0]!.services[0]!.ports[0]!.entries[1]!;
    const file = path.join(dir, '03-consumer-route-c.yaml');
    assert.equal(consumer.location?.uri, fileUri(file));
    assert.equal(textIn(fs.readFileSync(file, 'utf8'), consumer.location!.range).split('\n')[0], 'group: ""');
    const filtered = await client.request<TreeResult>(TreeRequest, { namespace: 'ext-ns' });
    assert.deepEqual(
      filtered.namespaces.map((n) => [n.name, n.services.map((s) => s.name)]),
      [['ext-ns', ['svc-b']]],
    );
  });

  test('gammaLens/graph centred on svc-a: the article diagram, SVG with stable ids, Mermaid', async () => {
    const g = await client.request<GraphResult>(GraphRequest, { service: 'app-ns/svc-a' });
    assert.equal(g.scope, 'Service app-ns/svc-a');
    assert.deepEqual(
      g.edges.map((e) => `${e.role} ${e.route} -> ${e.target}`),
      [
        'gateway HTTPRoute/app-ns/route-a -> Gateway/app-ns/gw',
        'backend HTTPRoute/app-ns/route-a -> Service/app-ns/svc-a',
        'producer HTTPRoute/app-ns/route-b -> Service/app-ns/svc-a',
        'backend HTTPRoute/app-ns/route-b -> Service/ext-ns/svc-b',
        'consumer HTTPRoute/dev-ns/route-c -> Service/app-ns/svc-a',
        'backend HTTPRoute/dev-ns/route-c -> Service/app-ns/svc-a',
      ],
    );
    for (const n of g.nodes) assert.ok(g.svg.includes(`data-node-id="${n.id}"`), n.id);
    assert.doesNotMatch(g.svg, /<style>/);
    assert.match(g.mermaid, /^flowchart LR\n/);
    assert.equal(g.tooLarge, false);
    const svc = g.nodes.find((n) => n.id === 'Service/app-ns/svc-a')!;
    assert.equal(textIn(fs.readFileSync(path.join(dir, '01-gateway-route-a.yaml'), 'utf8'), svc.location!.range), 'svc-a');
    const standalone = await client.request<GraphResult>(GraphRequest, { standalone: true });
    assert.match(standalone.svg, /<style>/);
    const small = await client.request<GraphResult>(GraphRequest, { maxNodes: 3 });
    assert.deepEqual([small.tooLarge, small.svg, small.nodes.length], [true, '', 6]);
  });

  test('gammaLens/explainView from dev-ns: the consumer route wins, every step located', async () => {
    const r = await client.request<ExplainViewResult>(ExplainViewRequest, { service: 'app-ns/svc-a', from: 'dev-ns', path: '/' });
    assert.equal(r.audience, 'consumer');
    assert.equal(r.status, 200);
    assert.deepEqual(r.match, { route: 'HTTPRoute/dev-ns/route-c', rule: 0 });
    assert.deepEqual(
      r.steps.map((s) => (s.location ? path.basename(s.location.uri) : '-')),
      ['03-consumer-route-c.yaml', '03-consumer-route-c.yaml', '03-consumer-route-c.yaml'],
    );
    const err = await client.request<{ error: string }>(ExplainViewRequest, { service: 'app-ns/nope', from: 'x' });
    assert.match(err.error, /nope/);
  });

  test('gammaLens/createConsumerRoute: a consumer route for callers in dev-ns, appended to dev-ns route file', async () => {
    const edit = await client.request<WorkspaceEdit | null>(CreateConsumerRouteRequest, { service: 'ext-ns/svc-b', from: 'dev-ns' });
    assert.ok(edit?.changes);
    const file = path.join(dir, '03-consumer-route-c.yaml');
    const edits = edit.changes[fileUri(file)];
    assert.ok(edits, JSON.stringify(Object.keys(edit.changes)));
    const after = applyEdits(fs.readFileSync(file, 'utf8'), edits);
    assert.ok(
      after.endsWith(`---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: svc-b-consumer
  namespace: dev-ns
spec:
  parentRefs:
    - group: ""
      kind: Service
      name: svc-b
      namespace: ext-ns
      port: 80
  rules:
    - backendRefs:
        - name: svc-b
          namespace: ext-ns
          port: 80
`),
      after,
    );
    assert.equal(await client.request(CreateConsumerRouteRequest, { service: 'app-ns/svc-a', from: 'app-ns' }), null);
  });
});
