/**
 * The custom gammaLens/* requests, workspace symbols, the size cap and the consumer route generator,
 * plus a check that incremental re-analysis ends where a fresh full scan does.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BindingsRequest, CreateProducerRouteRequest, ExplainRequestMethod, RoleAtRequest, ServicesRequest } from '../../server/src/protocol';
import type { BindingsResult, ServiceSummary } from '../../server/src/protocol';
import { LspClient, applyEdits, copyFixture, fileUri, positionOf } from '../support/lsp-client';
import type { Diagnostic, WorkspaceEdit } from '../support/lsp-client';
import { globMatcher } from '../../server/src/lsp/glob';

describe('custom requests on the basic fixture', () => {
  let dir: string;
  let client: LspClient;

  before(async () => {
    dir = copyFixture('lsp/basic');
    client = await LspClient.start({ folders: [dir] });
  });
  after(async () => {
    await client.stop();
  });

  test('gammaLens/bindings returns the CLI bindings JSON for one Service', async () => {
    const r = await client.request<BindingsResult>(BindingsRequest, { service: 'app-ns/svc-a' });
    assert.deepEqual(
      r.services.map((s) => ({ namespace: s.namespace, name: s.name, ports: s.ports })),
      [
        {
          namespace: 'app-ns',
          name: 'svc-a',
          ports: [
            {
              port: 80,
              name: 'http',
              producer: { kind: 'HTTPRoute', routes: ['HTTPRoute/app-ns/route-b'] },
              consumers: [{ namespace: 'dev-ns', kind: 'HTTPRoute', routes: ['HTTPRoute/dev-ns/route-c'] }],
              conflicted: [],
            },
          ],
        },
      ],
    );
    const all = await client.request<BindingsResult>(BindingsRequest, { uri: fileUri(path.join(dir, 'routes.yaml')) });
    assert.deepEqual(all.services.map((s) => `${s.namespace}/${s.name}`), ['app-ns/svc-a', 'app-ns/svc-lonely', 'ext-ns/svc-b']);
  });

  test('gammaLens/explain answers like the CLI, and reports unknown Services as an error', async () => {
    const consumer = await client.request<Record<string, unknown>>(ExplainRequestMethod, { service: 'app-ns/svc-a', from: 'dev-ns', path: '/' });
    assert.equal(consumer.audience, 'consumer');
    assert.deepEqual(consumer.routes, ['HTTPRoute/dev-ns/route-c']);
    assert.deepEqual(consumer.backends, [{ service: 'app-ns/svc-lonely', port: 9000, weight: 1 }]);
    assert.equal(consumer.status, 200);
    const producer = await client.request<Record<string, unknown>>(ExplainRequestMethod, { service: 'app-ns/svc-a', port: 80, from: 'other-ns' });
    assert.equal(producer.audience, 'producer');
    assert.deepEqual(producer.backends, [{ service: 'ext-ns/svc-b', port: 80, weight: 1 }]);
    const missing = await client.request<{ error?: string }>(ExplainRequestMethod, { service: 'app-ns/nope', from: 'dev-ns' });
    assert.match(missing.error ?? '', /app-ns\/nope is not in the workspace/);
  });

  test('gammaLens/services lists Services with ports; createProducerRoute returns the edit', async () => {
    const services = await client.request<ServiceSummary[]>(ServicesRequest, {});
    assert.deepEqual(
      services.map((s) => `${s.namespace}/${s.name}:${s.ports.map((p) => p.port).join(',')}`),
      ['app-ns/svc-a:80', 'app-ns/svc-lonely:9000', 'ext-ns/svc-b:80'],
    );
    const edit = await client.request<WorkspaceEdit | null>(CreateProducerRouteRequest, { service: 'ext-ns/svc-b' });
    const file = path.join(dir, 'services.yaml');
    const edits = edit?.changes?.[fileUri(file)];
    assert.ok(edits);
    const after = applyEdits(fs.readFileSync(file, 'utf8'), edits);
    assert.match(after, /\n---\napiVersion: gateway\.networking\.k8s\.io\/v1\nkind: HTTPRoute\nmetadata:\n {2}name: svc-b-producer\n {2}namespace: ext-ns\n/);
  });

  test('workspace symbols match kind, namespace and name', async () => {
    const syms = await client.request<Array<{ name: string; location: { uri: string } }>>('workspace/symbol', { query: 'route-' });
    assert.deepEqual(syms.map((s) => s.name).sort(), ['HTTPRoute app-ns/route-b', 'HTTPRoute app-ns/route-x', 'HTTPRoute dev-ns/route-c']);
  });

  test('a backendRef to another namespace offers producer and consumer route generators', async () => {
    const routes = path.join(dir, 'routes.yaml');
    const text = fs.readFileSync(routes, 'utf8');
    const at = positionOf(text, 'name: svc-lonely');
    const actions = await client.codeActions(routes, { start: at, end: at });
    assert.deepEqual(
      (actions ?? []).map((a) => a.title),
      ['Create producer HTTPRoute for app-ns/svc-lonely', 'Create consumer HTTPRoute for app-ns/svc-lonely for callers in dev-ns'],
    );
    const consumer = actions![1]!;
    const next = applyEdits(text, consumer.edit!.changes![fileUri(routes)]!);
    assert.equal(
      next.slice(text.length),
      '---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: svc-lonely-consumer\n  namespace: dev-ns\nspec:\n  parentRefs:\n    - group: ""\n      kind: Service\n      name: svc-lonely\n      namespace: app-ns\n      port: 9000\n  rules:\n    - backendRefs:\n        - name: svc-lonely\n          namespace: app-ns\n          port: 9000\n',
    );
  });
});

describe('indexing limits and consistency', () => {
  test('files over maxFileSize are skipped until opened', async () => {
    const dir = copyFixture('lsp/basic');
    const broken = path.join(dir, 'broken.yaml');
    const client = await LspClient.start({ folders: [dir], settings: { maxFileSize: 300 } });
    try {
      assert.ok(fs.statSync(broken).size > 300);
      assert.deepEqual(client.diagnosticsFor(broken), []);
      assert.ok(client.logs.some((l) => l.includes('broken.yaml') && l.includes('maxFileSize')), client.logs.join('\n'));
      const ready = client.nextReady();
      client.open(broken);
      await ready;
      assert.deepEqual(client.diagnosticsFor(broken).map((d) => d.code), ['parent-group-missing']);
    } finally {
      await client.stop();
    }
  });

  test('after a series of edits, diagnostics equal those of a fresh scan', async () => {
    const dir = copyFixture('lsp/basic');
    const services = path.join(dir, 'services.yaml');
    const routes = path.join(dir, 'routes.yaml');
    const client = await LspClient.start({ folders: [dir] });
    const snapshot = (c: LspClient): Record<string, Diagnostic[]> =>
      Object.fromEntries([...c.diagnostics].filter(([, d]) => d.length).map(([u, d]) => [u, d.map((x) => ({ ...x, data: undefined }))]));
    let fresh: LspClient | undefined;
    try {
      let svcText = client.open(services);
      let routeText = client.open(routes);
      const steps: Array<[string, string, string]> = [
        [services, 'port: 80', 'port: 81'],
        [routes, 'group: ""', 'group: core'],
        [services, 'name: svc-b', 'name: svc-c'],
        [routes, 'port: 9000', 'port: 9001'],
      ];
      for (const [file, from, to] of steps) {
        const text = file === services ? svcText : routeText;
        const start = positionOf(text, from);
        const end = positionOf(text, from, from.length);
        const ready = client.nextReady();
        client.change(file, [{ range: { start, end }, text: to }]);
        await ready;
        const next = text.replace(from, to);
        if (file === services) svcText = next;
        else routeText = next;
      }
      fs.writeFileSync(services, svcText);
      fs.writeFileSync(routes, routeText);
      fresh = await LspClient.start({ folders: [dir], cleanup: [] });
      assert.ok(Object.keys(snapshot(fresh)).length >= 2);
      assert.deepEqual(snapshot(client), snapshot(fresh));
    } finally {
      await fresh?.stop();
      await client.stop();
    }
  });
});

describe('exclude globs', () => {
  test('files.exclude and gammaLens.exclude patterns', () => {
    const m = globMatcher(['**/.git', 'node_modules', 'charts/**/templates', '*.tmp.yaml', 'a/{b,c}/x?.yaml']);
    assert.equal(m('sub/.git'), true);
    assert.equal(m('x/node_modules/y.yaml'), true);
    assert.equal(m('charts/app/templates/svc.yaml'), true);
    assert.equal(m('charts/app/values.yaml'), false);
    assert.equal(m('deep/f.tmp.yaml'), true);
    assert.equal(m('a/c/x1.yaml'), true);
    assert.equal(m('a/d/x1.yaml'), false);
    assert.equal(globMatcher([])('anything'), false);
  });
});

describe('role under the cursor', () => {
  test('gammaLens/roleAt describes the route or Service at a position', async () => {
    const dir = copyFixture('lsp/basic');
    const client = await LspClient.start({ folders: [dir] });
    try {
      const routes = path.join(dir, 'routes.yaml');
      const text = fs.readFileSync(routes, 'utf8');
      const at = async (needle: string, occurrence = 0) =>
        (await client.request<{ text: string | null }>(RoleAtRequest, { uri: fileUri(routes), position: positionOf(text, needle, 0, occurrence) })).text;
      assert.equal(await at('rules:'), 'producer route for app-ns/svc-a:80 · applies to all callers');
      assert.equal(await at('rules:', 1), 'consumer route for app-ns/svc-a:80 · applies to callers in dev-ns');
      const services = path.join(dir, 'services.yaml');
      const r = await client.request<{ text: string | null }>(RoleAtRequest, { uri: fileUri(services), position: positionOf(fs.readFileSync(services, 'utf8'), 'svc-lonely') });
      assert.equal(r.text, 'Service app-ns/svc-lonely: no mesh routes');
    } finally {
      await client.stop();
    }
  });
});
