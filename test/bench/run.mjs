// The benchmark (not a test, not in CI): `npm run bench [-- --quick] [--json] [--sizes 1000,10000]
// [--rounds N] [--no-server] [--no-yls]`.
//
// Generates deterministic workspaces (test/bench/generate.mjs) of 1k, 10k and 100k documents and
// one 5.9 MB file of 5,000 documents into a cache folder under the OS temp folder, then measures,
// each next to its baseline in the same run (ratios are what is portable on a shared machine):
//   - engine: read + index + analyse in one process, against js-yaml 4 `loadAll` of the same files
//     (each mode in a fresh process, modes interleaved per round, medians; wall and CPU time);
//   - server: the bundled language server over stdio, driven as an editor drives it: cold start to
//     `gammaLens/status` ready, first diagnostics of the files open at start, edit to diagnostics
//     of the edited file and its dependents, hover/CodeLens/definition/references latencies, peak
//     RSS, and a warm second start; the server is started with the node options and arguments
//     of the VS Code client (server/src/launch.ts), its code cache (boot.ts) written by a first
//     start before any measurement, as after an install; each size also reports one cold start
//     without a code cache;
//   - big file: open to diagnostics for our server and for yaml-language-server 1.25.
// Requires `npm run build` (server/out/server.js); `npm run bench` does it.
import { Buffer } from 'node:buffer';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { clearTimeout, setTimeout } from 'node:timers';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const SERVER_JS = path.join(REPO, 'server', 'out', 'server.js');
// Extra node flags for our server, e.g. GAMMA_LENS_BENCH_SERVER_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
const SERVER_FLAGS = (process.env.GAMMA_LENS_BENCH_SERVER_FLAGS ?? '').split(' ').filter(Boolean);
// The node options the VS Code client starts the server with on this machine (server/src/launch.ts),
// then SERVER_FLAGS; set in main().
let serverArgs = SERVER_FLAGS;
// The arguments the client passes after `--stdio` (the code cache in a global storage folder of
// the benchmark's own, kept for the whole run as VS Code keeps the extension's); set in main().
let serverTail = [];

/** server/src/launch.ts, bundled: the options and arguments the client starts the server with. */
async function launchModule() {
  const esbuild = await import('esbuild');
  const built = await esbuild.build({ entryPoints: [path.join(REPO, 'server', 'src', 'launch.ts')], bundle: true, format: 'esm', platform: 'node', write: false, logLevel: 'warning' });
  return import(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0].text).toString('base64')}`);
}
const YLS_JS = path.join(REPO, 'node_modules', 'yaml-language-server', 'bin', 'yaml-language-server');

// ---------------------------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
  const a = { quick: false, json: false, sizes: null, rounds: null, server: true, yls: true, engine: true, child: null, dir: null, out: null };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i];
    if (x === '--quick') a.quick = true;
    else if (x === '--json') a.json = true;
    else if (x === '--sizes') a.sizes = argv[++i].split(',').map(Number);
    else if (x === '--rounds') a.rounds = Number(argv[++i]);
    else if (x === '--no-server') a.server = false;
    else if (x === '--no-yls') a.yls = false;
    else if (x === '--no-engine') a.engine = false;
    else if (x === '--out') a.out = argv[++i];
    else if (x === '--child') {
      a.child = argv[++i];
      a.dir = argv[++i];
    } else throw new Error(`unknown argument ${x}`);
  }
  a.sizes ??= a.quick ? [1000, 10000] : [1000, 10000, 100000];
  return a;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const now = () => performance.now();
const cpuMs = (u) => (u.user + u.system) / 1000;
const median = (xs) => {
  const s = [...xs].filter((x) => typeof x === 'number' && !Number.isNaN(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const round = (x, d = 1) => (typeof x === 'number' && Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);

function listYaml(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) listYaml(p, out);
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out;
}

/** Peak RSS (VmHWM) and CPU time of another process, from /proc (Linux). */
function procStats(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { peakRssMB: hwm, cpuMs: (ticks * 1000) / 100 };
  } catch {
    return { peakRssMB: NaN, cpuMs: NaN };
  }
}

// ---------------------------------------------------------------------------------------------
// Workspaces (cached by generator content)

function cacheRoot() {
  const gen = fs.readFileSync(path.join(HERE, 'generate.mjs'));
  const hash = createHash('sha256').update(gen).digest('hex').slice(0, 10);
  return path.join(os.tmpdir(), 'gamma-lens-bench', hash);
}

function ensureWorkspace(kind, n) {
  const dir = path.join(cacheRoot(), kind === 'big' ? `big-${n}` : `ws-${n}`);
  if (fs.existsSync(path.join(dir, '.done'))) return dir;
  const args = [path.join(HERE, 'generate.mjs'), '--docs', String(n), '--out', dir];
  if (kind === 'big') args.push('--big-file', '--min-bytes', '5900000');
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`generate failed for ${kind} ${n}`);
  // The marker is outside the YAML set (not a .yaml file).
  fs.writeFileSync(path.join(dir, '.done'), r.stdout);
  return dir;
}

function workspaceInfo(dir) {
  const files = listYaml(dir);
  let bytes = 0;
  let docs = 0;
  for (const f of files) {
    const t = fs.readFileSync(f, 'utf8');
    bytes += Buffer.byteLength(t);
    docs += (t.match(/^kind: /gm) ?? []).length;
  }
  return { files: files.length, bytes, docs };
}

// ---------------------------------------------------------------------------------------------
// Child processes: one measurement each, printed as JSON

async function engineBundle() {
  const out = path.join(cacheRoot(), 'engine.cjs');
  const esbuild = await import('esbuild');
  await esbuild.build({ entryPoints: [path.join(HERE, 'engine-entry.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: out, logLevel: 'warning' });
  return out;
}

async function child(mode, dir) {
  const t0 = now();
  const c0 = process.cpuUsage();
  let result;
  if (mode === 'jsyaml') {
    const yaml = require('js-yaml');
    const texts = listYaml(dir).map((f) => fs.readFileSync(f, 'utf8'));
    const t1 = now();
    let docs = 0;
    const kept = [];
    for (const t of texts) {
      const d = yaml.loadAll(t);
      docs += d.length;
      kept.push(d);
    }
    const t2 = now();
    result = { readMs: t1 - t0, parseMs: t2 - t1, totalMs: t2 - t0, docs, kept: kept.length };
  } else if (mode === 'engine' || mode === 'engine-yaml') {
    const e = require(path.join(cacheRoot(), 'engine.cjs'));
    e.fastParser.enabled = mode === 'engine';
    const changes = [];
    for (const f of e.listYamlFiles(dir)) {
      const r = e.readTextFile(f);
      changes.push('skipped' in r ? { path: f, text: null, skipped: r.skipped } : { path: f, text: r.text });
    }
    const t1 = now();
    const ws = e.Workspace.fromFiles(changes);
    const t2 = now();
    const findings = e.analyzeWorkspace(ws);
    const t3 = now();
    let n = 0;
    for (const list of findings.values()) n += list.length;
    result = { readMs: t1 - t0, indexMs: t2 - t1, analyzeMs: t3 - t2, totalMs: t3 - t0, resources: ws.resourceCount, findings: n };
  } else throw new Error(`unknown child mode ${mode}`);
  result.cpuMs = cpuMs(process.cpuUsage(c0));
  result.peakRssMB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify(result));
}

function runChild(mode, dir) {
  const r = spawnSync(process.execPath, ['--max-old-space-size=8192', fileURLToPath(import.meta.url), '--child', mode, dir], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`child ${mode} ${dir} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// ---------------------------------------------------------------------------------------------
// A minimal LSP client over stdio

class Client {
  constructor(command, args, { settings, cwd, tail } = {}) {
    const rpc = require('vscode-jsonrpc/node');
    this.t0 = now();
    const ours = command === SERVER_JS;
    this.proc = spawn(process.execPath, [...(ours ? serverArgs : []), command, ...args, ...(ours ? (tail ?? serverTail) : [])], { cwd: cwd ?? REPO, stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr.on('data', () => undefined);
    this.conn = rpc.createMessageConnection(new rpc.StreamMessageReader(this.proc.stdout), new rpc.StreamMessageWriter(this.proc.stdin));
    this.settings = settings ?? {};
    this.waiters = [];
    this.diagnostics = new Map(); // uri -> [{t, count}]
    this.statuses = [];
    this.conn.onNotification((method, params) => {
      const t = now();
      if (method === 'textDocument/publishDiagnostics') {
        const list = this.diagnostics.get(params.uri) ?? [];
        list.push({ t, count: params.diagnostics.length });
        this.diagnostics.set(params.uri, list);
      } else if (method === 'gammaLens/status') this.statuses.push({ t, ...params });
      for (const w of [...this.waiters]) {
        if (w.test(method, params)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(t);
        }
      }
    });
    this.conn.onRequest((method, params) => {
      if (method === 'workspace/configuration') return params.items.map((i) => this.lookupSetting(i.section));
      return null;
    });
    this.conn.listen();
  }

  lookupSetting(section) {
    let v = this.settings;
    for (const part of (section ?? '').split('.').filter(Boolean)) v = v?.[part];
    return v ?? null;
  }

  /** Resolves with the time of the first notification matching `test` (from now on). */
  wait(test, timeoutMs = 600000) {
    return new Promise((resolve, reject) => {
      const w = { test, resolve };
      this.waiters.push(w);
      const timer = setTimeout(() => reject(new Error('timed out waiting for a notification')), timeoutMs);
      timer.unref();
    });
  }

  async initialize(rootDir, { configuration = true, initializationOptions } = {}) {
    const rootUri = rootDir ? pathToFileURL(rootDir).href : null;
    const result = await this.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri,
      workspaceFolders: rootDir ? [{ uri: rootUri, name: path.basename(rootDir) }] : null,
      capabilities: {
        workspace: { configuration, workspaceFolders: true, didChangeConfiguration: { dynamicRegistration: false } },
        textDocument: { hover: { contentFormat: ['markdown', 'plaintext'] }, publishDiagnostics: { relatedInformation: true }, synchronization: { didSave: true } },
      },
      initializationOptions,
    });
    this.initializedAt = now();
    await this.conn.sendNotification('initialized', {});
    return result;
  }

  open(file, text) {
    const uri = pathToFileURL(file).href;
    this.versions ??= new Map();
    this.versions.set(uri, 1);
    void this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    return uri;
  }

  change(uri, text) {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    void this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  async timed(method, params) {
    const t = now();
    const r = await this.conn.sendRequest(method, params);
    return { ms: now() - t, result: r };
  }

  stats() {
    return procStats(this.proc.pid);
  }

  async close() {
    try {
      await Promise.race([this.conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      void this.conn.sendNotification('exit');
    } catch {
      /* already gone */
    }
    await new Promise((r) => {
      const timer = setTimeout(() => {
        this.proc.kill();
        r();
      }, 3000);
      this.proc.once('exit', () => {
        clearTimeout(timer);
        r();
      });
    });
    this.conn.dispose();
  }
}

const isStatus = (state) => (method, params) => method === 'gammaLens/status' && params.state === state;

function positionOf(text, offset) {
  let line = 0;
  let last = 0;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) {
    line++;
    last = i + 1;
  }
  return { line, character: offset - last };
}

/** Files for the server scenario: an edit target (the largest file holding a referenced Service) and files open at start. */
function pickFiles(dir) {
  const files = listYaml(dir).map((f) => ({ f, text: fs.readFileSync(f, 'utf8') }));
  const referenced = new Map(); // "ns/name" -> count of consumer files
  for (const { text } of files) {
    for (const m of text.matchAll(/kind: Service\n {6}name: ([\w.-]+)\n {6}namespace: ([\w.-]+)\n/g)) {
      const k = `${m[2]}/${m[1]}`;
      referenced.set(k, (referenced.get(k) ?? 0) + 1);
    }
  }
  let best;
  for (const x of files) {
    const docs = (x.text.match(/^kind: /gm) ?? []).length;
    for (const m of x.text.matchAll(/^kind: Service\nmetadata:\n {2}name: ([\w.-]+)\n {2}namespace: ([\w.-]+)\n/gm)) {
      const k = `${m[2]}/${m[1]}`;
      const refs = referenced.get(k) ?? 0;
      if (refs === 0) continue;
      const score = docs * 100 + refs;
      if (!best || score > best.score) best = { ...x, docs, score, service: m[1], namespace: m[2], at: m.index + m[0].indexOf(`name: ${m[1]}`) + 6, refs };
    }
  }
  const withFindings = files.filter((x) => x.f !== best?.f && x.text.includes('-gone')).slice(0, 3);
  return { target: best, open: withFindings };
}

/** Cold start of our server on `dir` with some files open, then edits and requests. */
async function serverScenario(dir, { edits, requests, storage }) {
  const picked = pickFiles(dir);
  const client = new Client(SERVER_JS, ['--stdio'], { settings: { gammaLens: {} } });
  const ready = client.wait(isStatus('ready'));
  await client.initialize(dir, { initializationOptions: { storagePath: storage, globalStoragePath: storage } });
  // As an editor restoring its tabs: the open files arrive right after `initialized`.
  const openUris = picked.open.map((x) => client.open(x.f, x.text));
  const firstDiag = openUris.map((uri) => client.wait((m, p) => m === 'textDocument/publishDiagnostics' && p.uri === uri));
  const readyAt = await ready;
  const openDiagAt = await Promise.all(firstDiag.map((p) => Promise.race([p, new Promise((r) => setTimeout(() => r(NaN), 5000))])));
  const out = {
    coldReadyMs: readyAt - client.t0,
    openDiagMs: Math.max(...openDiagAt) - client.t0,
    openBeforeReady: openDiagAt.every((t) => t < readyAt),
    status: client.statuses.at(-1),
  };
  out.coldCpuMs = client.stats().cpuMs;

  // Edits: rename a referenced Service back and forth in the largest file; the routes naming it
  // (in other files) gain and lose parent-service-not-found.
  const t = picked.target;
  if (t && edits > 0) {
    // Same text as on disk: the server has nothing to do yet.
    const uri = client.open(t.f, t.text);
    const variants = [t.text.slice(0, t.at) + `${t.service}-renamed` + t.text.slice(t.at + t.service.length), t.text];
    const editMs = [];
    const editAllMs = [];
    const firstHoverMs = [];
    const dependents = [];
    const svcPos = positionOf(t.text, t.at + 1);
    // First series: edits alone. Second series: each edit followed at once by a hover.
    for (let i = 0; i < 2 * edits; i++) {
      const withHover = i >= edits;
      const text = variants[i % 2];
      const seenBefore = new Map([...client.diagnostics].map(([u, l]) => [u, l.length]));
      const done = (async () => {
        await client.wait(isStatus('indexing'));
        return client.wait(isStatus('ready'));
      })();
      const sent = now();
      client.change(uri, text);
      if (withHover) {
        // The first hover right after an edit answers from the edited text.
        const h = await client.timed('textDocument/hover', { textDocument: { uri }, position: svcPos });
        firstHoverMs.push(h.ms);
        await done;
        continue;
      }
      const readyT = await done;
      const fresh = [...client.diagnostics].filter(([u, l]) => l.length > (seenBefore.get(u) ?? 0));
      const own = fresh.find(([u]) => u === uri);
      const last = Math.max(...fresh.map(([, l]) => l.at(-1).t), NaN);
      if (own) editMs.push(own[1].at(-1).t - sent);
      editAllMs.push((Number.isFinite(last) ? last : readyT) - sent);
      dependents.push(fresh.length - (own ? 1 : 0));
      // A pause between edits, as between two separate changes (not a burst of keystrokes).
      await new Promise((r) => setTimeout(r, 120));
    }
    Object.assign(out, {
      target: { file: path.relative(dir, t.f), docs: t.docs, service: `${t.namespace}/${t.service}`, referencedBy: t.refs },
      editOwnP50: median(editMs.slice(2)),
      editOwnP95: pct(editMs.slice(2), 95),
      editAllP50: median(editAllMs.slice(2)),
      editAllP95: pct(editAllMs.slice(2), 95),
      editDependents: median(dependents),
      firstHoverAfterEditP95: pct(firstHoverMs.slice(2), 95),
      firstHoverAfterEditMax: Math.max(...firstHoverMs.slice(2)),
    });

    // Requests on the edited file (now back to its original text when `edits` is even).
    const routeAt = t.text.indexOf('kind: Service\n      name: ');
    const refPos = positionOf(t.text, (routeAt === -1 ? t.at : routeAt + 'kind: Service\n      name: '.length) + 1);
    const lat = { hover: [], codeLens: [], definition: [], references: [] };
    for (let i = 0; i < requests; i++) {
      lat.hover.push((await client.timed('textDocument/hover', { textDocument: { uri }, position: i % 2 ? refPos : svcPos })).ms);
      lat.codeLens.push((await client.timed('textDocument/codeLens', { textDocument: { uri } })).ms);
      lat.definition.push((await client.timed('textDocument/definition', { textDocument: { uri }, position: refPos })).ms);
      lat.references.push((await client.timed('textDocument/references', { textDocument: { uri }, position: svcPos, context: { includeDeclaration: true } })).ms);
    }
    for (const [k, v] of Object.entries(lat)) {
      out[`${k}P50`] = median(v.slice(3));
      out[`${k}P95`] = pct(v.slice(3), 95);
    }
  }
  Object.assign(out, client.stats());
  await client.close();
  return out;
}

/**
 * Start → ready of a server on `dir`: a warm start with a `storage` folder holding the cache of an
 * earlier start, a cold one without. `tail`: the arguments after `--stdio` (default: the client's).
 */
async function startToReady(dir, storage, tail) {
  const client = new Client(SERVER_JS, ['--stdio'], { settings: { gammaLens: {} }, tail });
  const ready = client.wait(isStatus('ready'));
  await client.initialize(dir, storage ? { initializationOptions: { storagePath: storage, globalStoragePath: storage } } : {});
  const t = await ready;
  const s = client.stats();
  await client.close();
  return { readyMs: t - client.t0, ...s };
}

/** Open one big file in a server started on an empty folder; time to its first diagnostics. */
async function bigFile(kind, file) {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'gamma-lens-bench-empty-'));
  const text = fs.readFileSync(file, 'utf8');
  const schema = pathToFileURL(path.join(HERE, 'k8s-lite.schema.json')).href;
  const settings =
    kind === 'yls'
      ? { yaml: { validate: true, hover: true, completion: true, schemaStore: { enable: false }, schemas: { [schema]: '*.yaml' } } }
      : { gammaLens: {} };
  const client = kind === 'yls' ? new Client(YLS_JS, ['--stdio'], { settings }) : new Client(SERVER_JS, ['--stdio'], { settings });
  try {
    const ready = kind === 'ours' ? client.wait(isStatus('ready')) : null;
    await client.initialize(empty, { configuration: kind === 'ours' });
    if (kind === 'yls') void client.conn.sendNotification('workspace/didChangeConfiguration', { settings });
    else await ready;
    const uri = pathToFileURL(file).href;
    const got = client.wait((m, p) => m === 'textDocument/publishDiagnostics' && p.uri === uri);
    const sent = now();
    client.open(file, text);
    const at = await got;
    const s = client.stats();
    return { openToDiagMs: at - sent, spawnToDiagMs: at - client.t0, diagnostics: client.diagnostics.get(uri)?.at(-1)?.count, ...s };
  } finally {
    await client.close();
    fs.rmSync(empty, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Main

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.child) return child(args.child, args.dir);
  const log = args.json ? () => undefined : (...m) => console.error(...m);
  if (!fs.existsSync(SERVER_JS) && args.server) throw new Error('server/out/server.js is missing: run npm run build');
  const launch = await launchModule();
  const nodeOptions = launch.serverNodeOptions(os.availableParallelism());
  serverArgs = [...nodeOptions, ...SERVER_FLAGS];
  const globalStorage = fs.mkdtempSync(path.join(os.tmpdir(), 'gamma-lens-bench-global-'));
  serverTail = launch.serverArguments(globalStorage);
  process.on('exit', () => fs.rmSync(globalStorage, { recursive: true, force: true }));
  const report = { date: new Date().toISOString(), node: process.version, cores: os.cpus().length, cpu: os.cpus()[0]?.model, serverNodeOptions: nodeOptions, serverArguments: launch.serverArguments('<global storage>'), loadavg: os.loadavg().map((x) => round(x, 2)), quick: args.quick, sizes: {}, bigFile: null };
  if (args.engine) await engineBundle();
  // The first start after an install writes the code cache (boot.ts); every later one, cold (no
  // index cache for its workspace) or warm, uses it, as in VS Code. Each size's first round also
  // measures a cold start without it (a fresh global storage).
  if (args.server) await startToReady(ensureWorkspace('ws', 1000));

  for (const n of args.sizes) {
    const dir = ensureWorkspace('ws', n);
    const info = workspaceInfo(dir);
    const rounds = args.rounds ?? (args.quick ? 1 : n >= 100000 ? 2 : n >= 10000 ? 3 : 5);
    log(`\n== ${n} documents: ${info.files} files, ${(info.bytes / 1e6).toFixed(1)} MB, ${rounds} round(s)`);
    const rows = { jsyaml: [], engine: [], engineYaml: [], server: [], warm: [], first: [] };
    const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'gamma-lens-bench-storage-'));
    for (let r = 0; r < rounds; r++) {
      // Interleaved, each in a fresh process.
      rows.jsyaml.push(runChild('jsyaml', dir));
      if (args.engine) rows.engine.push(runChild('engine', dir));
      if (args.engine && n <= 10000 && r === 0) rows.engineYaml.push(runChild('engine-yaml', dir));
      if (args.server && r === 0) {
        const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'gamma-lens-bench-global-'));
        rows.first.push(await startToReady(dir, undefined, launch.serverArguments(fresh)));
        fs.rmSync(fresh, { recursive: true, force: true });
      }
      if (args.server) {
        fs.rmSync(storage, { recursive: true, force: true });
        fs.mkdirSync(storage, { recursive: true });
        rows.server.push(await serverScenario(dir, { edits: args.quick ? 8 : 22, requests: args.quick ? 13 : 43, storage }));
        rows.warm.push(await startToReady(dir, storage));
      }
      log(`  round ${r + 1}: js-yaml ${round(rows.jsyaml.at(-1).totalMs, 0)} ms` + (args.engine ? `, engine ${round(rows.engine.at(-1).totalMs, 0)} ms` : '') + (args.server ? `, server ready ${round(rows.server.at(-1).coldReadyMs, 0)} ms, warm ${round(rows.warm.at(-1).readyMs, 0)} ms` : ''));
    }
    fs.rmSync(storage, { recursive: true, force: true });
    const med = (list, key) => median(list.map((x) => x[key]));
    const ratio = (a, b) => median(a.map((x, i) => x / b[i]));
    const js = rows.jsyaml;
    const s = {
      ...info,
      rounds,
      jsyaml: { totalMs: med(js, 'totalMs'), readMs: med(js, 'readMs'), parseMs: med(js, 'parseMs'), cpuMs: med(js, 'cpuMs'), peakRssMB: med(js, 'peakRssMB') },
    };
    if (rows.engine.length) {
      s.engine = { totalMs: med(rows.engine, 'totalMs'), readMs: med(rows.engine, 'readMs'), indexMs: med(rows.engine, 'indexMs'), analyzeMs: med(rows.engine, 'analyzeMs'), cpuMs: med(rows.engine, 'cpuMs'), peakRssMB: med(rows.engine, 'peakRssMB'), findings: rows.engine[0].findings, resources: rows.engine[0].resources };
      s.engine.ratioWall = ratio(rows.engine.map((x) => x.totalMs), js.map((x) => x.totalMs));
      s.engine.ratioCpu = ratio(rows.engine.map((x) => x.cpuMs), js.map((x) => x.cpuMs));
    }
    if (rows.engineYaml.length) s.engineYamlOnly = { totalMs: rows.engineYaml[0].totalMs, indexMs: rows.engineYaml[0].indexMs, cpuMs: rows.engineYaml[0].cpuMs };
    if (rows.server.length) {
      const sv = rows.server;
      const keys = Object.keys(sv[0]).filter((k) => typeof sv[0][k] === 'number');
      s.server = Object.fromEntries(keys.map((k) => [k, med(sv, k)]));
      s.server.openBeforeReady = sv.every((x) => x.openBeforeReady);
      s.server.target = sv[0].target;
      s.server.status = sv[0].status;
      s.server.ratioColdWall = ratio(sv.map((x) => x.coldReadyMs), js.map((x) => x.totalMs));
      s.server.ratioColdCpu = ratio(sv.map((x) => x.coldCpuMs), js.map((x) => x.cpuMs));
      s.server.rssPerTextByte = (s.server.peakRssMB * 1048576) / info.bytes;
      s.firstStart = { readyMs: rows.first[0].readyMs, ratioToJsYaml: rows.first[0].readyMs / js[0].totalMs };
      s.warm = { readyMs: med(rows.warm, 'readyMs'), cpuMs: med(rows.warm, 'cpuMs'), peakRssMB: med(rows.warm, 'peakRssMB'), ratioToCold: ratio(rows.warm.map((x) => x.readyMs), sv.map((x) => x.coldReadyMs)) };
    }
    report.sizes[n] = s;
  }

  if (args.server || args.yls) {
    const dir = ensureWorkspace('big', 5000);
    const file = path.join(dir, 'big.yaml');
    const size = fs.statSync(file).size;
    const rounds = args.rounds ?? (args.quick ? 1 : 3);
    log(`\n== one file of 5000 documents, ${(size / 1e6).toFixed(2)} MB, ${rounds} round(s)`);
    const ours = [];
    const yls = [];
    for (let r = 0; r < rounds; r++) {
      if (args.server) ours.push(await bigFile('ours', file));
      if (args.yls) yls.push(await bigFile('yls', file));
      log(`  round ${r + 1}: ours ${round(ours.at(-1)?.openToDiagMs, 0)} ms, yaml-language-server ${round(yls.at(-1)?.openToDiagMs, 0)} ms`);
    }
    const med = (list, key) => median(list.map((x) => x[key]));
    report.bigFile = {
      bytes: size,
      docs: 5000,
      ours: ours.length ? { openToDiagMs: med(ours, 'openToDiagMs'), cpuMs: med(ours, 'cpuMs'), peakRssMB: med(ours, 'peakRssMB'), diagnostics: ours[0].diagnostics } : null,
      yls: yls.length ? { openToDiagMs: med(yls, 'openToDiagMs'), cpuMs: med(yls, 'cpuMs'), peakRssMB: med(yls, 'peakRssMB'), diagnostics: yls[0].diagnostics } : null,
    };
    if (ours.length && yls.length) report.bigFile.ratio = median(ours.map((x, i) => x.openToDiagMs / yls[i].openToDiagMs));
  }

  report.loadavgAfter = os.loadavg().map((x) => round(x, 2));
  if (args.out) fs.writeFileSync(args.out, JSON.stringify(report, null, 2));
  if (args.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else printTable(report);
}

function printTable(r) {
  const rows = [];
  const add = (measure, size, baseline, ours, ratio, target) => rows.push([measure, size, baseline, ours, ratio, target]);
  const ms = (x) => (Number.isFinite(x) ? `${round(x, x < 10 ? 1 : 0)} ms` : '–');
  const x = (v) => (Number.isFinite(v) ? `${round(v, 2)}×` : '–');
  for (const [n, s] of Object.entries(r.sizes)) {
    const k = `${Number(n) / 1000}k`;
    if (s.engine) add('engine: read+index+analyse (CLI path)', k, `js-yaml ${ms(s.jsyaml.totalMs)}`, ms(s.engine.totalMs), `${x(s.engine.ratioWall)} (CPU ${x(s.engine.ratioCpu)})`, '≤ 1.0×');
    if (s.engineYamlOnly) add('  same with yaml only (no fast reader)', k, `js-yaml ${ms(s.jsyaml.totalMs)}`, ms(s.engineYamlOnly.totalMs), x(s.engineYamlOnly.totalMs / s.jsyaml.totalMs), '');
    if (s.server) {
      const v = s.server;
      add('cold index: start → ready', k, `js-yaml ${ms(s.jsyaml.totalMs)}`, ms(v.coldReadyMs), `${x(v.ratioColdWall)} (CPU ${x(v.ratioColdCpu)})`, '≤ 1.0×');
      if (s.firstStart) add('  same, first start after install (no code cache yet)', k, `js-yaml ${ms(s.jsyaml.totalMs)}`, ms(s.firstStart.readyMs), x(s.firstStart.ratioToJsYaml), '(info)');
      add('first diagnostics of open files', k, `ready ${ms(v.coldReadyMs)}`, ms(v.openDiagMs), v.openBeforeReady ? 'before ready' : 'AFTER ready', 'before ready');
      add(`edit → diagnostics, edited file (p50/p95)`, k, '', `${ms(v.editOwnP50)} / ${ms(v.editOwnP95)}`, '', 'p95 ≤ 50 ms');
      add(`edit → diagnostics incl. ${v.editDependents} dependents (p50/p95)`, k, '', `${ms(v.editAllP50)} / ${ms(v.editAllP95)}`, '', 'p95 ≤ 50 ms');
      for (const q of ['hover', 'codeLens', 'definition', 'references']) add(`${q} (p50/p95)`, k, '', `${ms(v[`${q}P50`])} / ${ms(v[`${q}P95`])}`, '', 'p95 ≤ 10 ms');
      add('first hover after an edit (p95)', k, '', ms(v.firstHoverAfterEditP95), '', '≤ 25 ms');
      add('peak RSS of the server', k, `text ${round(s.bytes / 1048576, 1)} MB`, `${round(v.peakRssMB, 0)} MB`, `${round(v.rssPerTextByte, 2)}× text`, '≤ 4× text');
      add('warm start → ready', k, `cold ${ms(v.coldReadyMs)}`, ms(s.warm.readyMs), x(s.warm.ratioToCold), '≤ 0.3×');
      add('warm start: peak RSS of the server', k, `text ${round(s.bytes / 1048576, 1)} MB`, `${round(s.warm.peakRssMB, 0)} MB`, `${round((s.warm.peakRssMB * 1048576) / s.bytes, 2)}× text`, '≤ 4× text');
    }
  }
  const sizes = Object.keys(r.sizes);
  const lo = r.sizes[sizes[0]]?.server;
  const hi = r.sizes[sizes.at(-1)]?.server;
  if (lo && hi && sizes.length > 1) add('edit p95 scaling (incl. dependents)', `${Number(sizes.at(-1)) / 1000}k vs ${Number(sizes[0]) / 1000}k`, ms(lo.editAllP95), ms(hi.editAllP95), x(hi.editAllP95 / lo.editAllP95), '≤ 2×');
  if (r.bigFile?.ours || r.bigFile?.yls) {
    const b = r.bigFile;
    add(`big file (${round(b.bytes / 1e6, 1)} MB, 5k docs): open → diagnostics`, '1 file', `yaml-language-server ${ms(b.yls?.openToDiagMs)}`, ms(b.ours?.openToDiagMs), x(b.ratio), '≤ 0.2×');
    add('big file: server peak RSS', '1 file', `${round(b.yls?.peakRssMB, 0)} MB`, `${round(b.ours?.peakRssMB, 0)} MB`, '', '');
  }
  const widths = [0, 1, 2, 3, 4, 5].map((i) => Math.max(...rows.map((row) => String(row[i]).length), 6));
  const head = ['measure', 'size', 'baseline (same run)', 'ours', 'ratio', 'target'];
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  console.log(`\nnode ${r.node}, ${r.cores} cores (${r.cpu}), server started with [${r.serverNodeOptions.join(' ')}] and [${r.serverArguments.join(' ')}] as the VS Code client starts it, load ${r.loadavg.join(' ')} → ${r.loadavgAfter.join(' ')}`);
  console.log(line(head.map((h, i) => h.padEnd(widths[i]))));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
