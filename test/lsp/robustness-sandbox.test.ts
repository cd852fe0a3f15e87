/**
 * What the language server and the CLI do to the machine (issue 7, docs/security.md): run with a
 * preloaded module that records every attempt to start a process, open a network connection,
 * resolve a host name or write, delete, rename or change a file, then used on a workspace. Both must
 * only read. Also static checks of package.json and of the sources' imports.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspClient, positionAtOffset } from '../support/lsp-client';
import { REPO_ROOT } from '../support/workspace';

/** CommonJS preload: wraps the dangerous APIs so that each call appends one JSON line to the log. */
const PRELOAD = `
const fs = require('fs');
const log = process.env.GAMMA_LENS_SANDBOX_LOG;
const append = fs.appendFileSync.bind(fs);
let busy = false;
const record = (api, args) => {
  if (busy) return;
  busy = true;
  try { append(log, JSON.stringify({ api, arg: String(args[0]).slice(0, 200) }) + '\\n'); } finally { busy = false; }
};
const wrap = (mod, name, names) => {
  for (const n of names) {
    const orig = mod[n];
    if (typeof orig !== 'function') continue;
    mod[n] = function (...args) {
      if (busy) return orig.apply(this, args);
      record(name + '.' + n, args);
      busy = true;
      try { return orig.apply(this, args); } finally { busy = false; }
    };
  }
};
wrap(require('child_process'), 'child_process', ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']);
wrap(require('net'), 'net', ['connect', 'createConnection', 'createServer']);
wrap(require('http'), 'http', ['request', 'get', 'createServer']);
wrap(require('https'), 'https', ['request', 'get']);
wrap(require('dns'), 'dns', ['lookup', 'resolve']);
wrap(require('dgram'), 'dgram', ['createSocket']);
wrap(require('fs'), 'fs', ['writeFile', 'writeFileSync', 'appendFile', 'mkdir', 'mkdirSync', 'rm', 'rmSync', 'rmdir', 'rmdirSync', 'unlink', 'unlinkSync', 'rename', 'renameSync', 'copyFile', 'copyFileSync', 'cp', 'cpSync', 'symlink', 'symlinkSync', 'chmod', 'chmodSync', 'chown', 'chownSync', 'truncate', 'truncateSync', 'createWriteStream', 'utimes', 'utimesSync']);
wrap(require('fs').promises, 'fs.promises', ['writeFile', 'appendFile', 'mkdir', 'rm', 'unlink', 'rename', 'copyFile', 'symlink', 'chmod', 'truncate']);
const origOpen = fs.openSync;
fs.openSync = function (p, flags, ...rest) { if (flags && !/^r/.test(String(flags)) && flags !== 0) record('fs.openSync(' + flags + ')', [p]); return origOpen.call(this, p, flags, ...rest); };
if (typeof globalThis.fetch === 'function') { const f = globalThis.fetch; globalThis.fetch = function (...args) { record('fetch', args); return f.apply(this, args); }; }
`;

describe('the server and the CLI only read', () => {
  let tmp: string;
  let ws: string;
  let logFile: string;
  let preload: string;
  before(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gamma-lens-sandbox-')));
    ws = path.join(tmp, 'ws');
    fs.cpSync(path.join(REPO_ROOT, 'test', 'fixtures', 'robustness'), ws, { recursive: true });
    fs.cpSync(path.join(REPO_ROOT, 'examples', 'seed-article'), path.join(ws, 'seed'), { recursive: true });
    logFile = path.join(tmp, 'calls.jsonl');
    preload = path.join(tmp, 'preload.js');
    fs.writeFileSync(preload, PRELOAD);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  function calls(): Array<{ api: string; arg: string }> {
    if (!fs.existsSync(logFile)) return [];
    return fs.readFileSync(logFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { api: string; arg: string });
  }

  test('the recorder works (so the checks below can fail)', () => {
    const r = spawnSync(process.execPath, ['-e', "require('fs').writeFileSync(process.argv[1], 'x'); require('child_process').spawnSync('true')", path.join(tmp, 'probe.txt')], {
      env: { ...process.env, NODE_OPTIONS: `--require ${preload}`, GAMMA_LENS_SANDBOX_LOG: logFile },
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(calls().map((c) => c.api), ['fs.writeFileSync', 'child_process.spawnSync']);
    fs.rmSync(logFile);
  });

  test('CLI: check, bindings and explain start no process, open no connection, write nothing', () => {
    const env = { ...process.env, NODE_OPTIONS: `--require ${preload}`, GAMMA_LENS_SANDBOX_LOG: logFile };
    for (const args of [['check', '--format', 'sarif'], ['bindings', '--format', 'mermaid'], ['explain', '--service', 'app-ns/svc-a', '--from', 'dev-ns']]) {
      const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'gamma-lens.js'), ...args, ws], { env, encoding: 'utf8', cwd: ws });
      assert.ok(r.status === 0 || r.status === 1, `${args.join(' ')}: ${r.status} ${r.stderr}`);
    }
    assert.deepEqual(calls(), []);
  });

  test('language server: indexing, edits, every feature and a shutdown start nothing, connect nowhere, write nothing', async () => {
    const client = await LspClient.start({ folders: [ws], env: { NODE_OPTIONS: `--require ${preload}`, GAMMA_LENS_SANDBOX_LOG: logFile }, cleanup: [] });
    try {
      const file = path.join(ws, 'seed', '02-producer-route-b.yaml');
      const text = client.open(file);
      for (let o = 0; o < text.length; o += 11) {
        const p = positionAtOffset(text, o);
        await client.hover(file, p);
        await client.definition(file, p);
        await client.references(file, p, true);
        await client.completion(file, p);
        await client.codeActions(file, { start: p, end: p }, client.diagnosticsFor(file));
      }
      await client.codeLens(file);
      await client.documentSymbols(file);
      await client.request('workspace/symbol', { query: '' });
      await client.request('gammaLens/bindings', {});
      await client.request('gammaLens/createProducerRoute', { service: 'ext-ns/svc-b', port: 80 });
      const ready = client.nextReady();
      client.change(file, [{ text: `${text}\n---\n# typed\n` }]);
      await ready;
    } finally {
      await client.stop();
    }
    assert.deepEqual(calls(), []);
  });

  test('language server with --code-cache: writes into that folder only, and only its cache', async () => {
    const before = calls().length;
    const folder = path.join(tmp, 'global-storage', 'code-cache');
    const client = await LspClient.start({ folders: [ws], args: [`--code-cache=${folder}`], env: { NODE_OPTIONS: `--require ${preload}`, GAMMA_LENS_SANDBOX_LOG: logFile }, cleanup: [] });
    try {
      const file = path.join(ws, 'seed', '02-producer-route-b.yaml');
      // Answered after the turn in which the cache is written (see code-cache.test.ts).
      await client.hover(file, positionAtOffset(client.open(file), 0));
    } finally {
      await client.stop();
    }
    const made = calls().slice(before);
    assert.ok(made.some((c) => c.api === 'fs.renameSync'), JSON.stringify(made));
    for (const c of made) assert.ok(c.arg.startsWith(folder), `${c.api} ${c.arg}`);
    assert.deepEqual(fs.readdirSync(folder).map((n) => /^server-main-[0-9a-f]{16}\.v8cache$/.test(n)), [true]);
  });
});

describe('declared capabilities and imports', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    capabilities: { untrustedWorkspaces: { supported: boolean | string }; virtualWorkspaces: boolean | { supported: boolean } };
    contributes: { configuration: { properties: Record<string, { type: string; enum?: string[]; items?: { type: string } }> } };
  };

  test('untrusted workspaces are supported, virtual (non-file) workspaces are not', () => {
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, true);
    assert.equal(pkg.capabilities.virtualWorkspaces, false);
  });

  test('no setting names a program, a path to run or a URL (a workspace cannot make the extension execute anything)', () => {
    for (const [name, p] of Object.entries(pkg.contributes.configuration.properties)) {
      assert.doesNotMatch(name, /path|command|exec|binary|program|url|args|env/i, name);
      if (p.type === 'string') assert.ok(p.enum || name === 'gammaLens.defaultNamespace', `${name} is a free string`);
    }
  });

  test('server, CLI and client sources import only fs, path, vscode, the LSP libraries, vscode-uri and yaml', () => {
    const cacheFile = (f: string): boolean => f === path.join(REPO_ROOT, 'server', 'src', 'lsp', 'cache.ts');
    const BOOT = path.join(REPO_ROOT, 'server', 'src', 'boot.ts');
    const allowed = new Set(['node:fs', 'node:path', 'vscode', 'vscode-languageclient/node', 'vscode-languageserver/node', 'vscode-languageserver-textdocument', 'vscode-uri', 'yaml']);
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const f = path.join(d, e.name);
        if (e.isDirectory()) walk(f);
        else if (f.endsWith('.ts')) files.push(f);
      }
    };
    walk(path.join(REPO_ROOT, 'server', 'src'));
    walk(path.join(REPO_ROOT, 'client', 'src'));
    assert.ok(files.length > 20);
    const seen = new Set<string>();
    for (const f of files) {
      const src = fs.readFileSync(f, 'utf8');
      for (const m of src.matchAll(/^\s*(?:import|export)[^;'"]*?from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|\brequire\(\s*['"]([^'"]+)['"]\s*\)|\bimport\(\s*['"]([^'"]+)['"]/gm)) {
        const spec = (m[1] ?? m[2] ?? m[3] ?? m[4])!;
        seen.add(spec);
        // The client reads the CPU count (node:os) to choose the server's node options
        // (server/src/launch.ts); the loader (server/src/boot.ts) compiles the server with V8's code
        // cache (node:vm, and node:module for the server's own require); the loader and the
        // warm-start cache (server/src/lsp/cache.ts) name the server build by a hash of its bundle
        // (node:crypto, which the LSP library loads anyway).
        const clientCtx = f === path.join(REPO_ROOT, 'client', 'src', 'ctx.ts');
        const boot = f === BOOT;
        assert.ok(
          spec.startsWith('.') ||
            allowed.has(spec) ||
            (cacheFile(f) && spec === 'node:crypto') ||
            (clientCtx && spec === 'node:os') ||
            (boot && (spec === 'node:vm' || spec === 'node:module' || spec === 'node:crypto')),
          `${path.relative(REPO_ROOT, f)} imports ${spec}`,
        );
      }
      assert.doesNotMatch(src, /\beval\s*\(|new Function\s*\(|\bfetch\s*\(|XMLHttpRequest|WebSocket/, path.relative(REPO_ROOT, f));
      // The server's writers are its cache, only into the storage folder the client gives it, and
      // the loader's code cache, only into the folder of --code-cache (test/lsp/code-cache.test.ts).
      if (!f.includes(`${path.sep}client${path.sep}`) && !cacheFile(f) && f !== BOOT) assert.doesNotMatch(src, /fs\.(write|append|mkdir|rm|unlink|rename|copy|symlink|chmod|createWriteStream)/, path.relative(REPO_ROOT, f));
    }
    // The scan sees the imports (so it can fail).
    for (const spec of ['node:fs', 'yaml', 'vscode', './indexer']) assert.ok(seen.has(spec), spec);
  });
});
