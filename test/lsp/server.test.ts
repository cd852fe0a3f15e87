/**
 * The language server over stdio, as an editor sees it: the bundled server/out/server.js on a
 * temporary copy of a fixture workspace. Every wait is on `gammaLens/status` ready.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LspClient, applyEdits, copyFixture, fileUri, positionOf, textIn } from '../support/lsp-client';
import type { CodeLens } from '../support/lsp-client';
import { REPO_ROOT } from '../support/workspace';

function lensTitles(lenses: CodeLens[] | null): string[] {
  return (lenses ?? []).map((l) => l.command?.title ?? '');
}

describe('language server on the basic fixture', () => {
  let dir: string;
  let client: LspClient;
  let services: string;
  let routes: string;
  let broken: string;

  before(async () => {
    dir = copyFixture('lsp/basic');
    services = path.join(dir, 'services.yaml');
    routes = path.join(dir, 'routes.yaml');
    broken = path.join(dir, 'broken.yaml');
    client = await LspClient.start({ folders: [dir] });
  });
  after(async () => {
    await client.stop();
  });

  test('the first ready counts the indexed files and resources, after work-done progress', () => {
    const ready = client.statuses.find((s) => s.state === 'ready');
    assert.deepEqual(ready, { state: 'ready', files: 3, resources: 6 });
    assert.equal(client.statuses[0]?.state, 'indexing');
    const kinds = client.progress.map((p) => (p as { value: { kind: string } }).value.kind);
    assert.equal(kinds[0], 'begin');
    assert.equal(kinds.at(-1), 'end');
    assert.ok(client.registrations.some((r) => r.method === 'workspace/didChangeWatchedFiles'), 'file watchers registered');
    assert.equal(client.errorOutput, '');
  });

  test('diagnostics on a file that was never opened', () => {
    const diags = client.diagnosticsFor(broken);
    assert.equal(diags.length, 1);
    const d = diags[0]!;
    assert.equal(d.code, 'parent-group-missing');
    assert.equal(d.source, 'gamma-lens');
    assert.equal(d.severity, 1);
    assert.match(d.codeDescription?.href ?? '', /#parent-group-missing$/);
    // The whole parentRef entry, since the group key is missing.
    assert.equal(textIn(fs.readFileSync(broken, 'utf8'), d.range).split('\n')[0], 'kind: Service');
    assert.deepEqual(client.diagnosticsFor(services), []);
  });

  test('hover on a producer parentRef names the role, target, ports and callers', async () => {
    const text = fs.readFileSync(routes, 'utf8');
    const h = await client.hover(routes, positionOf(text, 'name: svc-a', 7));
    assert.ok(h);
    const md = h.contents.value;
    assert.match(md, /\*\*producer\*\* route for Service `app-ns\/svc-a`, port `80 \(http\)`/);
    assert.match(md, /all callers/);
    assert.equal(textIn(text, h.range!).split('\n')[0], 'group: ""');
  });

  test('hover on a consumer parentRef names the caller namespace', async () => {
    const text = fs.readFileSync(routes, 'utf8');
    const h = await client.hover(routes, positionOf(text, 'namespace: app-ns', 3, 1));
    assert.ok(h);
    assert.match(h.contents.value, /\*\*consumer\*\* route for Service `app-ns\/svc-a`/);
    assert.match(h.contents.value, /only to callers in namespace `dev-ns`/);
  });

  test('hover on an unresolved parentRef says why', async () => {
    const text = fs.readFileSync(broken, 'utf8');
    const h = await client.hover(broken, positionOf(text, 'port: 80'));
    assert.ok(h);
    assert.match(h.contents.value, /binds nothing/);
    assert.match(h.contents.value, /the ref has no group/);
  });

  test('hover on a backendRef says whether its Service is overridden', async () => {
    const text = fs.readFileSync(broken, 'utf8');
    const h = await client.hover(broken, positionOf(text, 'name: svc-a', 0, 1));
    assert.ok(h);
    assert.match(h.contents.value, /backendRef to Service `app-ns\/svc-a`, port `80`/);
    assert.match(h.contents.value, /itself overridden/);
  });

  test('code lenses on Services and routes', async () => {
    const text = fs.readFileSync(services, 'utf8');
    const lenses = await client.codeLens(services);
    assert.deepEqual(lensTitles(lenses), [
      'overridden by 1 producer route (route-b) · 1 consumer route (dev-ns/route-c)',
      'no mesh routes · create producer route',
      '1 reference',
      'no mesh routes · create producer route',
      '1 reference',
    ]);
    assert.equal(textIn(text, lenses![0]!.range), 'svc-a');
    assert.equal(lenses![0]!.command!.command, 'gammaLens.showReferences');
    const locations = lenses![0]!.command!.arguments![2] as Array<{ uri: string }>;
    assert.equal(locations.length, 4, 'route-b, route-c, and route-x (parent and backend)');
    assert.equal(lenses![1]!.command!.command, 'gammaLens.createProducerRoute');
    assert.deepEqual(lensTitles(await client.codeLens(routes)), [
      'producer route for app-ns/svc-a:80 · applies to all callers',
      'consumer route for app-ns/svc-a:80 · applies to callers in dev-ns',
    ]);
    assert.deepEqual(lensTitles(await client.codeLens(broken)), ['no effect: group missing']);
  });

  test('definition from a parentRef name to the Service name', async () => {
    const text = fs.readFileSync(routes, 'utf8');
    const defs = await client.definition(routes, positionOf(text, 'name: svc-a', 7));
    assert.equal(defs?.length, 1);
    assert.equal(defs![0]!.uri, fileUri(services));
    assert.equal(textIn(fs.readFileSync(services, 'utf8'), defs![0]!.range), 'svc-a');
    const backend = await client.definition(routes, positionOf(text, 'name: svc-b', 7));
    assert.equal(textIn(fs.readFileSync(services, 'utf8'), backend![0]!.range), 'svc-b');
  });

  test('references on a Service name list every parentRef and backendRef', async () => {
    const text = fs.readFileSync(services, 'utf8');
    const refs = await client.references(services, positionOf(text, 'name: svc-a', 7));
    const got = (refs ?? []).map((l) => `${path.basename(URIpath(l.uri))}:${l.range.start.line + 1}:${textIn(fs.readFileSync(URIpath(l.uri), 'utf8'), l.range)}`);
    assert.deepEqual(got, ['broken.yaml:10:svc-a', 'broken.yaml:14:svc-a', 'routes.yaml:10:svc-a', 'routes.yaml:27:svc-a']);
  });

  test('document symbols: one per document', async () => {
    const syms = await client.documentSymbols(services);
    assert.deepEqual(
      (syms ?? []).map((s) => s.name),
      ['Service app-ns/svc-a', 'Service ext-ns/svc-b', 'Service app-ns/svc-lonely'],
    );
    const routeSyms = await client.documentSymbols(routes);
    assert.deepEqual(
      (routeSyms ?? []).map((s) => [s.name, (s.children ?? []).map((c) => c.name)]),
      [
        ['HTTPRoute app-ns/route-b', ['parentRef Service app-ns/svc-a:80', 'backendRef ext-ns/svc-b:80']],
        ['HTTPRoute dev-ns/route-c', ['parentRef Service app-ns/svc-a:80', 'backendRef app-ns/svc-lonely:9000']],
      ],
    );
    const text = fs.readFileSync(routes, 'utf8');
    assert.equal(textIn(text, routeSyms![0]!.children![0]!.selectionRange), 'svc-a');
  });

  test('completion of Service names, ports and the snippet inside parentRefs', async () => {
    const text = fs.readFileSync(routes, 'utf8');
    const names = await client.completion(routes, positionOf(text, 'name: svc-a', 'name: svc-'.length));
    const labels = (names ?? []).map((c) => c.label);
    assert.deepEqual(labels.slice(0, 2), ['svc-a', 'svc-lonely']);
    assert.ok(labels.includes('svc-b'));
    assert.equal(textIn(text, names![0]!.textEdit!.range), 'svc-');
    const ports = await client.completion(routes, positionOf(text, 'port: 80', 'port: '.length));
    assert.deepEqual((ports ?? []).map((c) => c.label), ['80']);
    const ns = await client.completion(routes, positionOf(text, 'namespace: app-ns', 'namespace: '.length, 1));
    assert.deepEqual((ns ?? []).map((c) => c.label), ['app-ns', 'ext-ns']);
    const snippet = await client.completion(routes, positionOf(text, '- group: ""', 2));
    assert.ok((snippet ?? []).some((c) => c.label.startsWith('Service parentRef') && c.textEdit?.newText.includes('kind: Service')));
  });

  test('quick fix for a diagnostic adds group: ""', async () => {
    const text = fs.readFileSync(broken, 'utf8');
    const d = client.diagnosticsFor(broken)[0]!;
    const actions = await client.codeActions(broken, d.range, [d]);
    const fix = (actions ?? []).find((a) => a.kind === 'quickfix');
    assert.ok(fix, 'a quick fix');
    assert.equal(fix.isPreferred, true);
    const edited = applyEdits(text, fix.edit!.changes![fileUri(broken)]!);
    assert.match(edited, /parentRefs:\n {4}- group: ""\n {6}kind: Service\n/);
  });
});

function URIpath(uri: string): string {
  return decodeURIComponent(uri.replace(/^file:\/\//, ''));
}

describe('editing through the server', () => {
  test('the producer route code action, applied, binds the Service', async () => {
    const dir = copyFixture('lsp/basic');
    const services = path.join(dir, 'services.yaml');
    const client = await LspClient.start({ folders: [dir] });
    try {
      const text = client.open(services);
      const actions = await client.codeActions(services, { start: positionOf(text, 'svc-lonely'), end: positionOf(text, 'svc-lonely') });
      const create = (actions ?? []).find((a) => a.title === 'Create producer HTTPRoute for app-ns/svc-lonely');
      assert.ok(create, `actions: ${JSON.stringify((actions ?? []).map((a) => a.title))}`);
      const edits = create.edit!.changes![fileUri(services)]!;
      const next = applyEdits(text, edits);
      assert.equal(
        next.slice(text.length),
        [
          '---',
          'apiVersion: gateway.networking.k8s.io/v1',
          'kind: HTTPRoute',
          'metadata:',
          '  name: svc-lonely-producer',
          '  namespace: app-ns',
          'spec:',
          '  parentRefs:',
          '    - group: ""',
          '      kind: Service',
          '      name: svc-lonely',
          '      port: 9000',
          '  rules:',
          '    - backendRefs:',
          '        - name: svc-lonely',
          '          port: 9000',
          '',
        ].join('\n'),
      );
      const ready = client.nextReady();
      client.change(services, edits.map((e) => ({ range: e.range, text: e.newText })));
      await ready;
      const lenses = lensTitles(await client.codeLens(services));
      assert.ok(lenses.includes('overridden by 1 producer route (svc-lonely-producer)'), JSON.stringify(lenses));
      assert.ok(lenses.includes('producer route for app-ns/svc-lonely:9000 · applies to all callers'), JSON.stringify(lenses));
    } finally {
      await client.stop();
    }
  });

  test('an incremental edit in one file updates the diagnostics of another; closing reverts to disk', async () => {
    const dir = copyFixture('lsp/basic');
    const services = path.join(dir, 'services.yaml');
    const routes = path.join(dir, 'routes.yaml');
    const client = await LspClient.start({ folders: [dir] });
    try {
      assert.deepEqual(client.diagnosticsFor(routes), []);
      const text = client.open(services);
      // Renumber svc-a's port: route-b and route-c now name a port that does not exist.
      const at = positionOf(text, 'port: 80', 'port: '.length);
      let ready = client.nextReady();
      client.change(services, [{ range: { start: at, end: { line: at.line, character: at.character + 2 } }, text: '81' }]);
      await ready;
      assert.deepEqual(
        client.diagnosticsFor(routes).map((d) => `${d.code}@${d.range.start.line + 1}`),
        ['parent-port-not-found@11', 'parent-port-not-found@29'],
      );
      ready = client.nextReady();
      client.close(services);
      await ready;
      assert.deepEqual(client.diagnosticsFor(routes), []);
    } finally {
      await client.stop();
    }
  });

  test('file events: a created file gets diagnostics, a deleted one loses them', async () => {
    const dir = copyFixture('lsp/basic');
    const client = await LspClient.start({ folders: [dir] });
    try {
      const extra = path.join(dir, 'nested', 'extra.yml');
      fs.mkdirSync(path.dirname(extra));
      fs.writeFileSync(extra, fs.readFileSync(path.join(dir, 'broken.yaml'), 'utf8').replace('route-x', 'route-y'));
      let ready = client.nextReady();
      client.filesChanged([{ uri: fileUri(extra), type: 1 }]);
      const status = await ready;
      assert.deepEqual(status, { state: 'ready', files: 4, resources: 7 });
      assert.deepEqual(client.diagnosticsFor(extra).map((d) => d.code), ['parent-group-missing']);
      const broken = path.join(dir, 'broken.yaml');
      fs.rmSync(broken);
      ready = client.nextReady();
      client.filesChanged([{ uri: fileUri(broken), type: 3 }]);
      await ready;
      assert.deepEqual(client.diagnostics.get(fileUri(broken)), []);
      assert.equal(client.diagnosticsFor(extra).length, 1);
    } finally {
      await client.stop();
    }
  });

  test('settings apply without restart: severity, exclude, enable', async () => {
    const dir = copyFixture('lsp/basic');
    const broken = path.join(dir, 'broken.yaml');
    const client = await LspClient.start({ folders: [dir] });
    try {
      assert.equal(client.diagnosticsFor(broken).length, 1);
      let ready = client.nextReady();
      client.setSettings({ diagnostics: { severity: { 'parent-group-missing': 'warning' } } });
      await ready;
      assert.equal(client.diagnosticsFor(broken)[0]?.severity, 2);
      ready = client.nextReady();
      client.setSettings({ exclude: ['broken.yaml'] });
      const status = await ready;
      assert.equal(status.files, 2);
      assert.deepEqual(client.diagnosticsFor(broken), []);
      ready = client.nextReady();
      client.setSettings({ enable: false });
      assert.deepEqual(await ready, { state: 'ready', files: 0, resources: 0 });
      client.open(broken);
      assert.deepEqual(await client.codeLens(broken), []);
      ready = client.nextReady();
      client.setSettings({ enable: true });
      await ready;
      assert.deepEqual(client.diagnosticsFor(broken).map((d) => d.code), ['parent-group-missing']);
    } finally {
      await client.stop();
    }
  });
});

describe('multi-root and robustness', () => {
  test('two folders with the same namespace/name are not mixed up', async () => {
    const root = copyFixture('lsp/multi');
    const one = path.join(root, 'one');
    const two = path.join(root, 'two');
    const client = await LspClient.start({ folders: [one, two], cleanup: [root] });
    try {
      assert.deepEqual(client.diagnosticsFor(path.join(one, 'app.yaml')), []);
      assert.deepEqual(client.diagnosticsFor(path.join(two, 'app.yaml')).map((d) => d.code), ['parent-port-not-found']);
      assert.deepEqual(lensTitles(await client.codeLens(path.join(one, 'app.yaml')))[0], 'overridden by 1 producer route (route-one)');
      assert.deepEqual(lensTitles(await client.codeLens(path.join(two, 'app.yaml')))[0], 'no mesh routes · create producer route');
      const text = fs.readFileSync(path.join(two, 'app.yaml'), 'utf8');
      const defs = await client.definition(path.join(two, 'app.yaml'), positionOf(text, 'name: svc-a', 7, 1));
      assert.deepEqual(defs?.map((d) => d.uri), [fileUri(path.join(two, 'app.yaml'))]);
    } finally {
      await client.stop();
    }
  });

  test('workspace folders added and removed while running', async () => {
    const root = copyFixture('lsp/multi');
    const one = path.join(root, 'one');
    const two = path.join(root, 'two');
    const client = await LspClient.start({ folders: [one], cleanup: [root] });
    try {
      assert.equal(client.diagnostics.has(fileUri(path.join(two, 'app.yaml'))), false);
      let ready = client.nextReady();
      client.changeFolders([two]);
      assert.deepEqual(await ready, { state: 'ready', files: 2, resources: 4 });
      assert.deepEqual(client.diagnosticsFor(path.join(two, 'app.yaml')).map((d) => d.code), ['parent-port-not-found']);
      ready = client.nextReady();
      client.changeFolders([], [two]);
      assert.deepEqual(await ready, { state: 'ready', files: 1, resources: 2 });
      assert.deepEqual(client.diagnostics.get(fileUri(path.join(two, 'app.yaml'))), []);
    } finally {
      await client.stop();
    }
  });

  test('a kustomization namespace edit re-resolves the Services of other files', async () => {
    const dir = copyFixture('lsp/kustomize');
    const kustomization = path.join(dir, 'base', 'kustomization.yaml');
    const svc = path.join(dir, 'base', 'svc.yaml');
    const route = path.join(dir, 'route.yaml');
    const client = await LspClient.start({ folders: [dir] });
    try {
      assert.deepEqual(client.diagnosticsFor(route), []);
      const svcText = fs.readFileSync(svc, 'utf8');
      const h = await client.hover(svc, positionOf(svcText, 'svc-a'));
      assert.match(h!.contents.value, /^Service `app-ns\/svc-a` \(namespace from kustomization `.\/kustomization.yaml`\)\n/);
      const text = client.open(kustomization);
      const ready = client.nextReady();
      client.change(kustomization, [{ range: { start: positionOf(text, 'app-ns'), end: positionOf(text, 'app-ns', 6) }, text: 'other-ns' }]);
      await ready;
      assert.deepEqual(client.diagnosticsFor(route).map((d) => d.code), ['parent-service-not-found', 'backend-service-not-found']);
    } finally {
      await client.stop();
    }
  });

  test('a client with no capabilities: no progress or registrations, settings pushed in didChangeConfiguration', async () => {
    const dir = copyFixture('lsp/basic');
    const broken = path.join(dir, 'broken.yaml');
    const client = await LspClient.start({ folders: [dir], bareCapabilities: true });
    try {
      assert.deepEqual(client.progress, []);
      assert.deepEqual(client.registrations, []);
      assert.deepEqual(client.diagnosticsFor(broken).map((d) => d.code), ['parent-group-missing']);
      const ready = client.nextReady();
      client.pushSettings({ gammaLens: { diagnostics: { severity: { 'parent-group-missing': 'off' } } } });
      await ready;
      assert.deepEqual(client.diagnosticsFor(broken), []);
    } finally {
      await client.stop();
    }
  });

  test('a feature that throws leaves the server answering the next request', async () => {
    const dir = copyFixture('lsp/basic');
    const routes = path.join(dir, 'routes.yaml');
    const client = await LspClient.start({ folders: [dir], env: { GAMMA_LENS_TEST_FAULT: 'hover' } });
    try {
      const text = fs.readFileSync(routes, 'utf8');
      assert.equal(await client.hover(routes, positionOf(text, 'name: svc-a', 7)), null);
      assert.ok(client.logs.some((l) => /hover failed.*injected fault/s.test(l)), client.logs.join('\n'));
      const defs = await client.definition(routes, positionOf(text, 'name: svc-a', 7));
      assert.equal(defs?.length, 1);
      assert.equal(await client.hover(routes, positionOf(text, 'name: svc-a', 7)), null);
    } finally {
      await client.stop();
    }
  });

  test('the seed article example: hover and lens wording', async () => {
    const dir = copyFixture(path.join(REPO_ROOT, 'examples', 'seed-article'));
    const client = await LspClient.start({ folders: [dir] });
    try {
      const first = path.join(dir, '01-gateway-route-a.yaml');
      const lenses = lensTitles(await client.codeLens(first));
      assert.ok(lenses.includes('overridden by 1 producer route (route-b) · 1 consumer route (dev-ns/route-c)'), JSON.stringify(lenses));
      const text = fs.readFileSync(first, 'utf8');
      const h = await client.hover(first, positionOf(text, 'name: gw', 7, 1));
      assert.match(h!.contents.value, /\*\*gateway\*\* parentRef/);
      const defs = await client.definition(first, positionOf(text, 'name: gw', 7, 1));
      assert.deepEqual(
        defs?.map((d) => `${d.range.start.line + 1}:${textIn(text, d.range)}`),
        ['6:gw'],
      );
    } finally {
      await client.stop();
    }
  });
});
