/**
 * The extraction cache (warm starts): a second server on the same folder with the same cache folder
 * reuses the extractions of unchanged files and publishes exactly what a cold start publishes; a
 * corrupt cache is ignored and replaced; a file changed on disk (size or mtime) is read again.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { LspClient, SERVER_JS, copyFixture, fileUri, positionOf } from '../support/lsp-client';
import type { Diagnostic } from '../support/lsp-client';

const CACHE_FILE = 'gamma-lens-extractions.v1.bin';

interface Run {
  diagnostics: Map<string, Diagnostic[]>;
  ready: unknown;
  logs: string[];
  hover: unknown;
  references: unknown;
  lenses: unknown;
  /** Which route answers a request: reads the routes' rules. */
  explain: unknown;
  bindings: unknown;
}

/**
 * Starts a server on `dir` with `cacheDir`, collects what it publishes and answers, stops it. The logs
 * are taken after the shutdown, which waits for the cache write: its "cache: wrote" line is in them
 * however long the write took.
 */
async function run(dir: string, cacheDir: string, settings?: Record<string, unknown>, transport?: 'stdio' | 'ipc', env: Record<string, string> = {}): Promise<Run> {
  const client = await LspClient.start({ folders: [dir], env: { GAMMA_LENS_CACHE_DIR: cacheDir, ...env }, cleanup: [], settings, transport });
  let answers: Omit<Run, 'logs'>;
  try {
    const routes = path.join(dir, 'routes.yaml');
    const services = path.join(dir, 'services.yaml');
    const routesText = fs.readFileSync(routes, 'utf8');
    const servicesText = fs.readFileSync(services, 'utf8');
    // Requests on files that are not open: answered from the (cached) extraction and the disk text.
    const hover = await client.hover(routes, positionOf(routesText, 'name: ', 6, 1));
    const references = await client.references(services, positionOf(servicesText, 'name: ', 6), true);
    const lenses = await client.codeLens(services);
    const explain = await client.request('gammaLens/explain', { service: 'app-ns/svc-a', port: 80, from: 'dev-ns', path: '/x' });
    const bindings = await client.request('gammaLens/bindings', {});
    assert.equal(client.errorOutput, '');
    answers = { diagnostics: new Map(client.diagnostics), ready: client.statuses.find((s) => s.state === 'ready'), hover, references, lenses, explain, bindings };
  } finally {
    await client.stop();
  }
  return { ...answers, logs: [...client.logs] };
}

function setup(): { dir: string; cacheDir: string; cleanup: () => void } {
  const dir = copyFixture('lsp/basic');
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gamma-lens-cache-'));
  return {
    dir,
    cacheDir,
    cleanup: () => {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}

const cacheLine = (r: Run): string | undefined => r.logs.find((l) => l.startsWith('cache: ') && l.includes('reused'));

describe('extraction cache across server starts', () => {
  test('a second start reuses every file and publishes the same diagnostics, hovers, references and lenses', async () => {
    const { dir, cacheDir, cleanup } = setup();
    try {
      const cold = await run(dir, cacheDir);
      assert.match(cacheLine(cold) ?? '', /^cache: 0 files reused, 3 read /);
      assert.ok(fs.statSync(path.join(cacheDir, CACHE_FILE)).size > 0, 'cache written after the first scan');
      assert.ok(cold.logs.includes('cache: wrote 3 files'), cold.logs.join('\n'));
      const warm = await run(dir, cacheDir);
      // Every file unchanged, same settings: the diagnostics published by the first start are reused.
      assert.match(cacheLine(warm) ?? '', /^cache: 3 files reused, 0 read, diagnostics of 1 folder\(s\) reused /);
      // Nothing changed: the cache is not written again.
      assert.ok(!warm.logs.some((l) => l.startsWith('cache: wrote')), warm.logs.join('\n'));
      assert.deepEqual(warm.ready, cold.ready);
      assert.deepEqual([...warm.diagnostics].sort(), [...cold.diagnostics].sort());
      assert.equal([...cold.diagnostics.values()].flat().length > 0, true, 'the fixture has findings to compare');
      assert.deepEqual(warm.hover, cold.hover);
      assert.ok(cold.hover, 'hover answered');
      assert.deepEqual(warm.references, cold.references);
      assert.ok(Array.isArray(cold.references) && cold.references.length > 1, 'references answered');
      assert.deepEqual(warm.lenses, cold.lenses);
    } finally {
      cleanup();
    }
  });

  test('rules and ports the warm start left undecoded are filled before a request reads them', async () => {
    // With a quiet spell longer than the test, rules and ports are not filled in the background: the
    // requests (bindings for the lenses, the hover) must fill them first.
    const { dir, cacheDir, cleanup } = setup();
    try {
      const cold = await run(dir, cacheDir);
      assert.ok(cold.logs.includes('cache: wrote 3 files'), cold.logs.join('\n'));
      const warm = await run(dir, cacheDir, undefined, undefined, { GAMMA_LENS_BACKGROUND_QUIET_MS: '600000' });
      assert.match(cacheLine(warm) ?? '', /^cache: 3 files reused, 0 read, diagnostics of 1 folder\(s\) reused /);
      assert.ok(!warm.logs.some((l) => l.includes('could not be read') || l.includes('failed')), warm.logs.join('\n'));
      assert.deepEqual(warm.hover, cold.hover);
      assert.deepEqual(warm.references, cold.references);
      assert.deepEqual(warm.lenses, cold.lenses);
      assert.deepEqual(warm.explain, cold.explain);
      assert.deepEqual(warm.bindings, cold.bindings);
      assert.ok(JSON.stringify(cold.explain).includes('route-c'), JSON.stringify(cold.explain));
    } finally {
      cleanup();
    }
  });

  test('over IPC as over stdio: a second start publishes the stored diagnostics as the first start published them', async () => {
    // On stdio the stored lists are sent as stored (JSON); on another transport they are decoded and
    // sent by the library.
    const { dir, cacheDir, cleanup } = setup();
    try {
      const cold = await run(dir, cacheDir, undefined, 'ipc');
      assert.ok(cold.logs.includes('cache: wrote 3 files'), cold.logs.join('\n'));
      const warm = await run(dir, cacheDir, undefined, 'ipc');
      assert.match(cacheLine(warm) ?? '', /^cache: 3 files reused, 0 read, diagnostics of 1 folder\(s\) reused /);
      assert.equal([...cold.diagnostics.values()].flat().length > 0, true, 'the fixture has findings to compare');
      assert.deepEqual([...warm.diagnostics].sort(), [...cold.diagnostics].sort());
      // And a start over stdio on the cache written over IPC sends the same.
      const stdio = await run(dir, cacheDir);
      assert.match(cacheLine(stdio) ?? '', /^cache: 3 files reused, 0 read, diagnostics of 1 folder\(s\) reused /);
      assert.deepEqual([...stdio.diagnostics].sort(), [...cold.diagnostics].sort());
      assert.deepEqual(warm.hover, cold.hover);
      assert.deepEqual(stdio.lenses, cold.lenses);
    } finally {
      cleanup();
    }
  });

  test('the cache is written in the background only after a quiet spell, and whole on shutdown', async () => {
    const { dir, cacheDir, cleanup } = setup();
    try {
      // A quiet spell longer than the test, and a pause after every file: the write waits until the
      // shutdown, which has it finish before the server answers.
      const env = { GAMMA_LENS_CACHE_DIR: cacheDir, GAMMA_LENS_BACKGROUND_QUIET_MS: '600000', GAMMA_LENS_BACKGROUND_SLICE_MS: '0' };
      const client = await LspClient.start({ folders: [dir], env, cleanup: [] });
      assert.ok(!client.logs.some((l) => l.startsWith('cache: wrote')), client.logs.join('\n'));
      await client.stop();
      assert.ok(client.logs.includes('cache: wrote 3 files'), client.logs.join('\n'));
      const warm = await run(dir, cacheDir);
      assert.match(cacheLine(warm) ?? '', /^cache: 3 files reused, 0 read/);
    } finally {
      cleanup();
    }
  });

  test('other settings: the extractions are reused, the diagnostics are not', async () => {
    const { dir, cacheDir, cleanup } = setup();
    try {
      const cold = await run(dir, cacheDir);
      const uri = [...cold.diagnostics.keys()].find((u) => u.endsWith('/broken.yaml'))!;
      assert.equal(cold.diagnostics.get(uri)?.[0]?.severity, 1);
      const settings = { diagnostics: { severity: { 'parent-group-missing': 'hint' } } };
      const other = await run(dir, cacheDir, settings);
      assert.match(cacheLine(other) ?? '', /^cache: 3 files reused, 0 read \(/);
      assert.equal(other.diagnostics.get(uri)?.[0]?.severity, 4);
      // It stored its own diagnostics; a start with those settings reuses them.
      const again = await run(dir, cacheDir, settings);
      assert.match(cacheLine(again) ?? '', /diagnostics of 1 folder\(s\) reused/);
      assert.deepEqual([...again.diagnostics].sort(), [...other.diagnostics].sort());
    } finally {
      cleanup();
    }
  });

  test('a corrupt cache is ignored, logged and replaced', async () => {
    const { dir, cacheDir, cleanup } = setup();
    try {
      const cold = await run(dir, cacheDir);
      const file = path.join(cacheDir, CACHE_FILE);
      const bytes = fs.readFileSync(file);
      fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
      const afterCorrupt = await run(dir, cacheDir);
      assert.ok(afterCorrupt.logs.some((l) => l.includes('not used (corrupt)')), afterCorrupt.logs.join('\n'));
      assert.match(cacheLine(afterCorrupt) ?? '', /^cache: 0 files reused, 3 read /);
      assert.deepEqual([...afterCorrupt.diagnostics].sort(), [...cold.diagnostics].sort());
      // Replaced by a good one.
      const warm = await run(dir, cacheDir);
      assert.match(cacheLine(warm) ?? '', /^cache: 3 files reused, 0 read, diagnostics of 1 folder\(s\) reused /);
      assert.deepEqual([...warm.diagnostics].sort(), [...cold.diagnostics].sort());

      fs.writeFileSync(file, 'not a cache at all');
      const garbage = await run(dir, cacheDir);
      assert.ok(garbage.logs.some((l) => l.includes('not used (')), garbage.logs.join('\n'));
      assert.deepEqual([...garbage.diagnostics].sort(), [...cold.diagnostics].sort());
    } finally {
      cleanup();
    }
  });

  test('an entry that does not decode: its file is read, the folder analysed, and the diagnostics are a cold start\'s', async () => {
    const { dir, cacheDir, cleanup } = setup();
    try {
      const cold = await run(dir, cacheDir);
      const file = path.join(cacheDir, CACHE_FILE);
      const bytes = fs.readFileSync(file);
      // The first token of the first entry becomes one of no meaning (tag 7); the index and the
      // stored diagnostics are intact, so the start publishes them before it finds out.
      bytes.writeUInt32LE(7, 0);
      fs.writeFileSync(file, bytes);
      const warm = await run(dir, cacheDir);
      assert.match(cacheLine(warm) ?? '', /^cache: 2 files reused, 1 read \(/);
      assert.deepEqual([...warm.diagnostics].sort(), [...cold.diagnostics].sort());
      assert.deepEqual(warm.hover, cold.hover);
      assert.deepEqual(warm.references, cold.references);
      // It wrote the cache again: the next start reuses everything.
      assert.ok(warm.logs.includes('cache: wrote 3 files'), warm.logs.join('\n'));
      const again = await run(dir, cacheDir);
      assert.match(cacheLine(again) ?? '', /^cache: 3 files reused, 0 read, diagnostics of 1 folder\(s\) reused /);
      assert.deepEqual([...again.diagnostics].sort(), [...cold.diagnostics].sort());
    } finally {
      cleanup();
    }
  });

  test('a file changed on disk between starts is read again (same size, other mtime)', async () => {
    const { dir, cacheDir, cleanup } = setup();
    try {
      const broken = path.join(dir, 'broken.yaml');
      const cold = await run(dir, cacheDir);
      const uri = [...cold.diagnostics.keys()].find((u) => u.endsWith('/broken.yaml'))!;
      assert.equal(cold.diagnostics.get(uri)?.length, 1);
      // Same size: only the mtime tells the change apart. The route moves to another namespace, where
      // no svc-a exists, so its findings change.
      const text = fs.readFileSync(broken, 'utf8');
      const moved = text.replace('namespace: app-ns', 'namespace: ext-ns');
      assert.notEqual(moved, text);
      assert.equal(moved.length, text.length);
      const st = fs.statSync(broken);
      fs.writeFileSync(broken, moved);
      fs.utimesSync(broken, st.atime, new Date(st.mtimeMs + 5000));
      const warm = await run(dir, cacheDir);
      assert.match(cacheLine(warm) ?? '', /^cache: 2 files reused, 1 read \(/);
      // A fresh server without a cache agrees with the warm one.
      const freshCache = fs.mkdtempSync(path.join(os.tmpdir(), 'gamma-lens-cache-'));
      const fresh = await run(dir, freshCache);
      fs.rmSync(freshCache, { recursive: true, force: true });
      assert.deepEqual([...warm.diagnostics].sort(), [...fresh.diagnostics].sort());
      assert.notDeepEqual(warm.diagnostics.get(uri), cold.diagnostics.get(uri));
      // The third start reuses the diagnostics the second one wrote for the new content.
      const third = await run(dir, cacheDir);
      assert.match(cacheLine(third) ?? '', /^cache: 3 files reused, 0 read, diagnostics of 1 folder\(s\) reused /);
      assert.deepEqual([...third.diagnostics].sort(), [...fresh.diagnostics].sort());
    } finally {
      cleanup();
    }
  });
});

/** Starts a server on several folders with `cacheDir` and returns what it published and logged by the first ready. */
async function runFolders(dirs: readonly string[], cacheDir: string): Promise<{ diagnostics: Map<string, Diagnostic[]>; logs: string[] }> {
  const client = await LspClient.start({ folders: dirs, env: { GAMMA_LENS_CACHE_DIR: cacheDir }, cleanup: [] });
  let diagnostics: Map<string, Diagnostic[]>;
  try {
    // Requests answered after ready, as in `run`: the log lines sent before their answers are in.
    const services = path.join(dirs[0]!, 'services.yaml');
    await client.references(services, positionOf(fs.readFileSync(services, 'utf8'), 'name: ', 6), true);
    await client.codeLens(services);
    assert.equal(client.errorOutput, '');
    diagnostics = new Map(client.diagnostics);
  } finally {
    await client.stop();
  }
  // After the shutdown, as in `run`: the cache write's log line is in however long it took.
  return { diagnostics, logs: [...client.logs] };
}

describe('extraction cache with several workspace folders', () => {
  test('each folder reuses its own stored diagnostics; a folder with a changed file is analysed, the other is not', async () => {
    const dirs = [copyFixture('lsp/basic'), copyFixture('lsp/kustomize')];
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gamma-lens-cache-'));
    try {
      const cold = await runFolders(dirs, cacheDir);
      assert.match(cold.logs.find((l) => l.startsWith('cache: ') && l.includes('reused')) ?? '', /^cache: 0 files reused, 6 read /);
      assert.ok(cold.logs.includes('cache: wrote 6 files'), cold.logs.join('\n'));
      assert.ok([...cold.diagnostics.values()].flat().length > 0, 'the fixtures have findings to compare');
      const warm = await runFolders(dirs, cacheDir);
      assert.match(warm.logs.find((l) => l.startsWith('cache: ') && l.includes('reused')) ?? '', /^cache: 6 files reused, 0 read, diagnostics of 2 folder\(s\) reused /);
      assert.deepEqual([...warm.diagnostics].sort(), [...cold.diagnostics].sort());
      // A file of the second folder changes (other mtime, same text): only the first folder's diagnostics are reused.
      const route = path.join(dirs[1]!, 'route.yaml');
      const st = fs.statSync(route);
      fs.utimesSync(route, st.atime, new Date(st.mtimeMs + 5000));
      const changed = await runFolders(dirs, cacheDir);
      assert.match(changed.logs.find((l) => l.startsWith('cache: ') && l.includes('reused')) ?? '', /^cache: 5 files reused, 1 read, diagnostics of 1 folder\(s\) reused /);
      assert.deepEqual([...changed.diagnostics].sort(), [...cold.diagnostics].sort());
    } finally {
      for (const d of [...dirs, cacheDir]) fs.rmSync(d, { recursive: true, force: true });
    }
  });
});

/**
 * As an editor restoring its tabs: files opened right after `initialized`, before the scan. Returns
 * the last diagnostics per URI at the first ready, and the log lines.
 */
async function runWithOpenFiles(dir: string, cacheDir: string, open: ReadonlyArray<{ file: string; text: string }>): Promise<{ diagnostics: Map<string, Diagnostic[]>; logs: string[] }> {
  const child = spawn(process.execPath, [SERVER_JS, '--stdio'], { env: { ...process.env, GAMMA_LENS_CACHE_DIR: cacheDir }, stdio: ['pipe', 'pipe', 'pipe'] });
  const conn = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const diagnostics = new Map<string, Diagnostic[]>();
  const logs: string[] = [];
  let ready!: () => void;
  const readyP = new Promise<void>((r) => (ready = r));
  conn.onNotification((method: string, raw: unknown) => {
    const params = raw as { uri: string; diagnostics: Diagnostic[]; state: string; message: string };
    if (method === 'textDocument/publishDiagnostics') diagnostics.set(params.uri, params.diagnostics);
    else if (method === 'window/logMessage') logs.push(params.message);
    else if (method === 'gammaLens/status' && params.state === 'ready') ready();
  });
  conn.onRequest(() => null);
  conn.listen();
  try {
    await conn.sendRequest('initialize', { processId: process.pid, rootUri: fileUri(dir), workspaceFolders: [{ uri: fileUri(dir), name: 'w' }], capabilities: {} });
    // Opened before `initialized` (in order on the wire), so they are open when the scan starts.
    for (const o of open) await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: fileUri(o.file), languageId: 'yaml', version: 7, text: o.text } });
    await conn.sendNotification('initialized', {});
    await readyP;
    await conn.sendRequest('shutdown');
    return { diagnostics, logs };
  } finally {
    void conn.sendNotification('exit');
    await new Promise((r) => child.once('exit', r));
    conn.dispose();
  }
}

describe('extraction cache with files open at start', () => {
  test('buffers equal to disk are cached; a warm start with a changed buffer publishes the buffer\'s diagnostics', async () => {
    const { dir, cacheDir, cleanup } = setup();
    try {
      const broken = path.join(dir, 'broken.yaml');
      const text = fs.readFileSync(broken, 'utf8');
      const cold = await runWithOpenFiles(dir, cacheDir, [{ file: broken, text }]);
      assert.ok(cold.logs.includes('cache: wrote 3 files'), cold.logs.join('\n'));
      const uri = fileUri(broken);
      assert.equal(cold.diagnostics.get(uri)?.length, 1);
      assert.equal((cold.diagnostics.get(uri)![0]!.data as { version?: number }).version, 7);
      // Not open now: the stored diagnostics, as for the file on disk (no buffer version).
      const closed = await run(dir, cacheDir);
      assert.match(cacheLine(closed) ?? '', /^cache: 3 files reused, 0 read, diagnostics of 1 folder\(s\) reused /);
      assert.equal((closed.diagnostics.get(uri)![0]!.data as { version?: number }).version, undefined);
      assert.deepEqual(closed.diagnostics.get(uri)![0]!.range, cold.diagnostics.get(uri)![0]!.range);
      // Open with other text (the group fixed): the buffer wins over the stored diagnostics.
      const fixedText = text.replace('- kind: Service', '- group: ""\n      kind: Service');
      assert.notEqual(fixedText, text);
      const edited = await runWithOpenFiles(dir, cacheDir, [{ file: broken, text: fixedText }]);
      assert.match(edited.logs.find((l) => l.startsWith('cache: ') && l.includes('reused')) ?? '', /diagnostics of 1 folder\(s\) reused/);
      assert.deepEqual(edited.diagnostics.get(uri), []);
    } finally {
      cleanup();
    }
  });
});
