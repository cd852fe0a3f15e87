/**
 * The language server under faults and hostile input (issue 7): a throwing feature answers empty
 * and logs the request; odd document sync (never-opened, duplicate, out of order), unknown URIs and
 * cancelled requests; Helm templates; huge, deep and binary files; links out of the workspace; and
 * Markdown injection and secret values that must never reach a hover, lens or log.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { LspClient, copyFixture, fileUri, positionAtOffset, positionOf } from '../support/lsp-client';
import type { Range } from '../support/lsp-client';
import { Commands } from '../../server/src/protocol';
import { REPO_ROOT } from '../support/workspace';

const ROBUST = path.join(REPO_ROOT, 'test', 'fixtures', 'robustness');
const ROUTE = (name: string) => `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: ${name}\n  namespace: app-ns\nspec:\n  parentRefs:\n  - kind: Service\n    name: svc-a\n`;

function failures(client: LspClient, from = 0): string[] {
  return client.logs.slice(from).filter((l) => /failed|Error|exception/i.test(l));
}

describe('faults inside features', () => {
  const FEATURES = ['hover', 'codeLens', 'codeAction', 'definition', 'references', 'documentSymbol', 'workspaceSymbol', 'completion'];
  const CUSTOM = ['gammaLens/bindings', 'gammaLens/explain', 'gammaLens/createProducerRoute'];
  let client: LspClient;
  let routes: string;
  before(async () => {
    const dir = copyFixture('lsp/basic');
    routes = path.join(dir, 'routes.yaml');
    client = await LspClient.start({ folders: [dir], env: { GAMMA_LENS_TEST_FAULT: [...FEATURES, ...CUSTOM].join(',') } });
  });
  after(() => client.stop());

  test('every feature that throws answers empty, logs its name, the document and the stack, and the next request is served', async () => {
    const text = fs.readFileSync(routes, 'utf8');
    const at = positionOf(text, 'name: svc-a', 7);
    const uri = fileUri(routes);
    for (let round = 0; round < 2; round++) {
      assert.equal(await client.hover(routes, at), null);
      assert.deepEqual(await client.codeLens(routes), []);
      assert.deepEqual(await client.codeActions(routes, { start: at, end: at }), []);
      assert.deepEqual(await client.definition(routes, at), []);
      assert.deepEqual(await client.references(routes, at, true), []);
      assert.deepEqual(await client.documentSymbols(routes), []);
      assert.deepEqual(await client.request('workspace/symbol', { query: '' }), []);
      assert.deepEqual(await client.completion(routes, at), []);
    }
    for (const f of FEATURES) {
      const lines = client.logs.filter((l) => l.startsWith(`${f} failed`));
      assert.equal(lines.length, 2, `${f}: ${client.logs.join('\n')}`);
      assert.match(lines[0]!, /injected fault/);
      assert.match(lines[0]!, /\n\s+at /, 'with the stack');
      if (f !== 'workspaceSymbol') assert.ok(lines[0]!.includes(uri), `${f} names the document`);
    }
    // Custom requests answer their empty shapes.
    assert.deepEqual(await client.request('gammaLens/bindings', {}), { services: [] });
    assert.deepEqual(await client.request('gammaLens/explain', { service: 'app-ns/svc-a', from: 'dev-ns' }), { error: 'internal error' });
    assert.equal(await client.request('gammaLens/createProducerRoute', { service: 'app-ns/svc-a' }), null);
    for (const f of CUSTOM) assert.ok(client.logs.some((l) => l.startsWith(`${f} failed`) && l.includes('injected fault')), f);
    // Requests without a fault still work on the same server.
    const services = await client.request<Array<{ name: string }>>('gammaLens/services', {});
    assert.ok(services.length > 0);
    assert.equal(client.errorOutput, '');
  });
});

describe('document sync edge cases, unknown URIs, cancellation', () => {
  let client: LspClient;
  let dir: string;
  let routes: string;
  let broken: string;
  before(async () => {
    dir = copyFixture('lsp/basic');
    routes = path.join(dir, 'routes.yaml');
    broken = path.join(dir, 'broken.yaml');
    client = await LspClient.start({ folders: [dir] });
  });
  after(() => client.stop());

  test('didClose and didChange for documents never opened, a duplicate didOpen: no error, answers stay current', async () => {
    const logs = client.logs.length;
    const conn = client.connection;
    await conn.sendNotification('textDocument/didClose', { textDocument: { uri: fileUri(path.join(dir, 'never-opened.yaml')) } });
    await conn.sendNotification('textDocument/didClose', { textDocument: { uri: fileUri(broken) } });
    await conn.sendNotification('textDocument/didChange', { textDocument: { uri: fileUri(path.join(dir, 'ghost.yaml')), version: 7 }, contentChanges: [{ text: ROUTE('ghost') }] });
    const text = fs.readFileSync(routes, 'utf8');
    client.open(routes);
    client.open(routes);
    const h = await client.hover(routes, positionOf(text, 'name: svc-a', 7));
    assert.match(h!.contents.value, /\*\*producer\*\* route/);
    assert.deepEqual(client.diagnosticsFor(path.join(dir, 'ghost.yaml')), []);
    assert.deepEqual(client.diagnosticsFor(broken).map((d) => d.code), ['parent-group-missing']);
    assert.deepEqual(failures(client, logs), []);
    client.close(routes);
  });

  test('out-of-order and duplicate didChange: the server ends on the last text it was sent, with matching diagnostics', async () => {
    const logs = client.logs.length;
    const uri = fileUri(broken);
    const original = fs.readFileSync(broken, 'utf8');
    const fixed = original.replace('kind: Service', 'group: ""\n    kind: Service');
    assert.notEqual(fixed, original);
    const conn = client.connection;
    let ready = client.nextReady();
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text: original } });
    await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ text: fixed }] });
    // An older version arriving late, then the same change twice.
    await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: original }] });
    await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 4 }, contentChanges: [{ text: fixed }] });
    await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 4 }, contentChanges: [{ text: fixed }] });
    await ready;
    assert.deepEqual(client.diagnosticsFor(broken), []);
    ready = client.nextReady();
    await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 5 }, contentChanges: [{ text: original }] });
    await ready;
    assert.deepEqual(client.diagnosticsFor(broken).map((d) => d.code), ['parent-group-missing']);
    // An incremental change with a range past the end of the document is clamped, not fatal.
    ready = client.nextReady();
    const far: Range = { start: { line: 999, character: 0 }, end: { line: 1000, character: 5 } };
    await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 6 }, contentChanges: [{ range: far, text: '\n# appended\n' }] });
    await ready;
    assert.deepEqual(client.diagnosticsFor(broken).map((d) => d.code), ['parent-group-missing']);
    ready = client.nextReady();
    await conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
    await ready;
    assert.deepEqual(client.diagnosticsFor(broken).map((d) => d.code), ['parent-group-missing']);
    assert.deepEqual(failures(client, logs), []);
  });

  test('file events out of order, duplicated or about files that do not exist: the index ends as the disk is', async () => {
    const logs = client.logs.length;
    const services = path.join(dir, 'services.yaml');
    const symbols = async (): Promise<string[]> => (await client.request<Array<{ name: string }>>('workspace/symbol', { query: 'svc-' })).map((s) => s.name).sort();
    const before = await symbols();
    assert.ok(before.some((n) => n.endsWith('/svc-a')), before.join(','));
    const event = async (events: Array<{ uri: string; type: 1 | 2 | 3 }>): Promise<void> => {
      const ready = client.nextReady();
      client.filesChanged(events);
      await ready;
    };
    // A late "deleted" for a file that is still there (it was re-created): it stays indexed.
    await event([{ uri: fileUri(services), type: 3 }]);
    assert.deepEqual(await symbols(), before);
    // Created and changed events for a file that does not exist, and duplicates.
    const ghost = path.join(dir, 'ghost-created.yaml');
    await event([{ uri: fileUri(ghost), type: 1 }, { uri: fileUri(ghost), type: 2 }, { uri: fileUri(services), type: 2 }, { uri: fileUri(services), type: 2 }]);
    assert.deepEqual(await symbols(), before);
    assert.deepEqual(client.diagnosticsFor(ghost), []);
    // Really deleted, then the event; then re-created with the events in the wrong order.
    const text = fs.readFileSync(services, 'utf8');
    fs.rmSync(services);
    await event([{ uri: fileUri(services), type: 3 }]);
    assert.ok(!(await symbols()).some((n) => n.endsWith('/svc-a')));
    fs.writeFileSync(services, text);
    await event([{ uri: fileUri(services), type: 1 }, { uri: fileUri(services), type: 3 }]);
    assert.deepEqual(await symbols(), before);
    assert.deepEqual(failures(client, logs), []);
  });

  test('requests for unknown, foreign and malformed URIs answer empty without logging a failure', async () => {
    const logs = client.logs.length;
    const p = { line: 0, character: 0 };
    for (const uri of ['file:///nonexistent/x.yaml', 'untitled:Untitled-1', 'not a uri', 'http://example.com/x.yaml', fileUri(dir), `${fileUri(dir)}/../../etc/passwd`]) {
      const td = { textDocument: { uri } };
      assert.equal(await client.request('textDocument/hover', { ...td, position: p }), null, uri);
      assert.deepEqual(await client.request('textDocument/codeLens', td), [], uri);
      assert.deepEqual(await client.request('textDocument/codeAction', { ...td, range: { start: p, end: p }, context: { diagnostics: [] } }), [], uri);
      assert.deepEqual(await client.request('textDocument/definition', { ...td, position: p }), [], uri);
      assert.deepEqual(await client.request('textDocument/documentSymbol', td), [], uri);
      assert.deepEqual(await client.request('textDocument/completion', { ...td, position: p }), [], uri);
    }
    // Positions outside a known document.
    assert.equal(await client.hover(routes, { line: 10_000, character: 10_000 }), null);
    assert.equal(await client.hover(routes, { line: -1, character: -5 }), null);
    assert.deepEqual(failures(client, logs), []);
  });

  test('a cancelled request answers empty or RequestCancelled, and the next request is served', async () => {
    const text = fs.readFileSync(routes, 'utf8');
    const at = positionOf(text, 'name: svc-a', 7);
    for (const method of ['textDocument/hover', 'textDocument/references', 'gammaLens/bindings']) {
      const source = new CancellationTokenSource();
      const params = method === 'gammaLens/bindings' ? {} : { textDocument: { uri: fileUri(routes) }, position: at, context: { includeDeclaration: true } };
      const pending = client.connection.sendRequest(method, params, source.token);
      source.cancel();
      try {
        const r = await pending;
        assert.ok(r === null || Array.isArray(r) || typeof r === 'object', method);
      } catch (err) {
        assert.equal((err as { code?: number }).code, -32800, String(err));
      }
    }
    const h = await client.hover(routes, at);
    assert.match(h!.contents.value, /\*\*producer\*\* route/);
  });
});

describe('Helm templates and hostile files in a workspace', () => {
  let client: LspClient;
  let dir: string;
  let outside: string;
  before(async () => {
    dir = copyFixture('lsp/basic');
    outside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gamma-lens-outside-')));
    const w = (rel: string, data: string | Buffer): void => {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), data);
    };
    w('chart/Chart.yaml', 'apiVersion: v2\nname: c\nversion: 1.0.0\n');
    w('chart/templates/route.yaml', `{{- if .Values.x }}\n${ROUTE('{{ .Release.Name }}')}{{- end }}\n`);
    w('huge.yaml', Buffer.alloc(30 * 1024 * 1024, `${ROUTE('huge')}---\n`));
    w('deep.yaml', `${ROUTE('deep-sibling')}---\nkind: HTTPRoute\nspec: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
    w('binary.yaml', Buffer.from([0x6b, 0x3a, 0x00, 0xff]));
    fs.writeFileSync(path.join(outside, 'route.yaml'), ROUTE('outside-route'));
    client = await LspClient.start({ folders: [dir], cleanup: [dir, outside] });
  });
  after(() => client.stop());

  test('a 30 MB file is skipped with exactly one log line; the deep document is reported and its sibling analysed', () => {
    const huge = client.logs.filter((l) => l.includes('huge.yaml'));
    assert.equal(huge.length, 1, client.logs.join('\n'));
    assert.match(huge[0]!, /over the size cap/);
    assert.deepEqual(client.diagnosticsFor(path.join(dir, 'huge.yaml')), []);
    assert.deepEqual(client.diagnosticsFor(path.join(dir, 'deep.yaml')).map((d) => d.code), ['parent-group-missing']);
    assert.deepEqual(client.diagnosticsFor(path.join(dir, 'binary.yaml')), []);
    assert.deepEqual(failures(client), []);
  });

  test('a Helm template (languageId helm) gets no diagnostics and no errors, on disk, open and while typing', async () => {
    const tpl = path.join(dir, 'chart', 'templates', 'route.yaml');
    assert.deepEqual(client.diagnosticsFor(tpl), []);
    const text = fs.readFileSync(tpl, 'utf8');
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: fileUri(tpl), languageId: 'helm', version: 1, text } });
    const ready = client.nextReady();
    client.change(tpl, [{ text: `${text}---\n{{ include "x" . }}\nkind: Service\n` }]);
    await ready;
    assert.deepEqual(client.diagnosticsFor(tpl), []);
    for (let o = 0; o < text.length; o += 5) assert.equal(await client.hover(tpl, positionAtOffset(text, o)), null);
    assert.deepEqual(failures(client), []);
  });

  test('a 100k-level nested document typed into an open buffer does not take the server down', async () => {
    const file = path.join(dir, 'typed.yaml');
    const uri = fileUri(file);
    let ready = client.nextReady();
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text: ROUTE('typed') } });
    await ready;
    assert.deepEqual(client.diagnosticsFor(file).map((d) => d.code), ['parent-group-missing']);
    ready = client.nextReady();
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: `${ROUTE('typed')}---\nkind: Service\nspec: ${'{a: '.repeat(100_000)}1${'}'.repeat(100_000)}\n` }] });
    await ready;
    assert.deepEqual(client.diagnosticsFor(file).map((d) => d.code), ['parent-group-missing']);
    assert.ok((await client.documentSymbols(file))!.length >= 1);
    assert.deepEqual(failures(client), []);
  });

  test('BOM, CRLF and emoji before nodes: ranges count UTF-16 code units on the lines the editor sees', async () => {
    const file = path.join(dir, 'utf16.yaml');
    const body = ROUTE('utf16').replace('  parentRefs:\n', '  parentRefs: # 😀😀 ünï\n').replace('  - kind: Service', '  - {x: "😀😀😀"}\n  - kind: Service');
    const ready = client.nextReady();
    fs.writeFileSync(file, `\uFEFF# 日本語 😀\n${body}`.replace(/\n/g, '\r\n'));
    client.filesChanged([{ uri: fileUri(file), type: 1 }]);
    await ready;
    // The editor's lines: the BOM is not part of the text.
    const lines = `# 日本語 😀\n${body}`.split('\n');
    const d = client.diagnosticsFor(file).find((x) => x.code === 'parent-group-missing');
    assert.ok(d, JSON.stringify(client.diagnosticsFor(file)));
    assert.equal(lines[d!.range.start.line]!.slice(d!.range.start.character), 'kind: Service');
    const emojiLine = lines.findIndex((l) => l.includes('{x: "😀😀😀"}'));
    const h = await client.hover(file, { line: emojiLine + 2, character: lines[emojiLine + 2]!.indexOf('svc-a') + 1 });
    assert.match(h?.contents.value ?? '', /binds nothing/);
  });

  test('a link to a file outside the workspace, announced by a file event, is never read', async () => {
    const link = path.join(dir, 'link-out.yaml');
    fs.symlinkSync(path.join(outside, 'route.yaml'), link);
    const ready = client.nextReady();
    client.filesChanged([{ uri: fileUri(link), type: 1 }]);
    await ready;
    assert.deepEqual(client.diagnosticsFor(link), []);
    const symbols = await client.request<Array<{ name: string }>>('workspace/symbol', { query: 'outside' });
    assert.deepEqual(symbols.map((s) => s.name), []);
    const linkDir = path.join(dir, 'link-out-dir');
    fs.symlinkSync(outside, linkDir);
    const again = client.nextReady();
    client.filesChanged([{ uri: fileUri(path.join(linkDir, 'route.yaml')), type: 1 }]);
    await again;
    assert.deepEqual(client.diagnosticsFor(path.join(linkDir, 'route.yaml')), []);
    assert.deepEqual((await client.request<Array<{ name: string }>>('workspace/symbol', { query: 'outside' })).map((s) => s.name), []);
  });
});

/** The Markdown outside code spans (CommonMark: a run of n backticks closes at the next run of exactly n). */
function outsideCode(md: string): string {
  let out = '';
  let i = 0;
  while (i < md.length) {
    if (md[i] === '\\') {
      out += '  ';
      i += 2;
      continue;
    }
    if (md[i] === '`') {
      let n = 0;
      while (md[i + n] === '`') n++;
      const run = '`'.repeat(n);
      let j = i + n;
      let close = -1;
      while ((j = md.indexOf(run, j)) !== -1) {
        if (md[j - 1] !== '`' && md[j + n] !== '`') {
          close = j;
          break;
        }
        j += n;
      }
      if (close === -1) {
        out += md.slice(i, i + n);
        i += n;
        continue;
      }
      out += ' '.repeat(close + n - i);
      i = close + n;
      continue;
    }
    out += md[i];
    i++;
  }
  return out;
}

describe('Markdown injection and secrets', () => {
  let client: LspClient;
  let dir: string;
  before(async () => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gamma-lens-hostile-')));
    fs.cpSync(path.join(ROBUST, 'markdown'), dir, { recursive: true });
    fs.cpSync(path.join(ROBUST, 'secrets'), path.join(dir, 'secrets'), { recursive: true });
    client = await LspClient.start({ folders: [dir] });
  });
  after(() => client.stop());

  test('the checker finds links and HTML outside code spans (so the next test can fail)', () => {
    assert.match(outsideCode('`a` [x](command:y)'), /\]\(/);
    assert.match(outsideCode('``x`` [run](command:z) ``y``'), /\]\(/);
    assert.doesNotMatch(outsideCode('``` x`` [run](command:z) ``y ```'), /\]\(|</);
    assert.doesNotMatch(outsideCode('\\[x\\]\\(command:y\\) \\<b\\>'), /\[|</);
  });

  test('hovers show names from files only inside code spans or escaped: no link, no command, no HTML', async () => {
    let hovers = 0;
    for (const name of ['services.yaml', 'routes.yaml']) {
      const file = path.join(dir, name);
      const text = fs.readFileSync(file, 'utf8');
      for (let o = 0; o < text.length; o += 3) {
        const h = await client.hover(file, positionAtOffset(text, o));
        if (!h) continue;
        hovers++;
        const plain = outsideCode(h.contents.value);
        assert.doesNotMatch(plain, /\]\(|\[|<|>/, `hover at ${name}:${o}:\n${h.contents.value}`);
      }
    }
    assert.ok(hovers > 20, `${hovers} hovers`);
  });

  test('lens commands are only ours', async () => {
    const ours = new Set<string>([...Object.values(Commands), '']);
    for (const name of ['services.yaml', 'routes.yaml']) {
      for (const l of (await client.codeLens(path.join(dir, name))) ?? []) assert.ok(ours.has(l.command?.command ?? ''), l.command?.command);
    }
  });

  test('no secret value in hovers, lenses, symbols, completions, diagnostics, custom requests or logs', async () => {
    const seen: unknown[] = [];
    for (const name of ['secrets.yaml', 'mesh.yaml']) {
      const file = path.join(dir, 'secrets', name);
      const text = client.open(file);
      for (let o = 0; o < text.length; o += 2) {
        const p = positionAtOffset(text, o);
        seen.push(await client.hover(file, p), await client.completion(file, p), await client.definition(file, p));
      }
      seen.push(await client.codeLens(file), await client.documentSymbols(file), await client.codeActions(file, { start: { line: 0, character: 0 }, end: { line: 40, character: 0 } }, client.diagnosticsFor(file)));
    }
    seen.push(await client.request('workspace/symbol', { query: '' }), await client.request('gammaLens/bindings', {}), await client.request('gammaLens/services', {}));
    seen.push(await client.request('gammaLens/explain', { service: 'app-ns/api', from: 'app-ns', path: '/' }));
    seen.push([...client.diagnostics.entries()], client.logs, client.errorOutput);
    const all = JSON.stringify(seen);
    assert.ok(all.includes('app-ns/api'), 'the answers talk about the workspace');
    for (const marker of ['GLSECRET', 'R0xTRUNSRVQt']) assert.ok(!all.includes(marker), `${marker} leaked: ${all.slice(Math.max(0, all.indexOf(marker) - 300), all.indexOf(marker) + 100)}`);
  });
});
