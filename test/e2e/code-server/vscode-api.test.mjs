// The `vscode` API scenarios of test/e2e/vscode/suite (what `npm run test:vscode` runs in VS Code desktop),
// run inside code-server's extension host instead, since VS Code desktop cannot be downloaded everywhere:
// a small runner extension, installed next to the gamma-lens VSIX, calls suite/index.js `runWith()` once the
// workbench is up and writes one line per scenario to a file. Needs scripts/e2e-setup.sh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as h from './harness.mjs';

const missing = h.missingTools();
if (missing) throw new Error(`code-server e2e cannot run: ${missing}`);

const SUITE_DIR = path.join(h.REPO_ROOT, 'test', 'e2e', 'vscode');
const SUITE = path.join(SUITE_DIR, 'out', 'suite', 'index.js');

test('vscode API scenarios (test/e2e/vscode/suite) in the code-server extension host', { timeout: 300000 }, async () => {
  const tsc = spawnSync(process.execPath, [path.join(h.REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(SUITE_DIR, 'tsconfig.json')], { encoding: 'utf8' });
  assert.equal(tsc.status, 0, `tsc -p test/e2e/vscode/tsconfig.json:\n${tsc.stdout}${tsc.stderr}`);

  const run = h.makeRunDir();
  const ws = path.join(run, 'ws');
  fs.cpSync(path.join(h.REPO_ROOT, 'examples', 'seed-article'), path.join(ws, 'seed'), { recursive: true });
  fs.cpSync(path.join(h.REPO_ROOT, 'test', 'fixtures', 'e2e', 'mesh'), path.join(ws, 'mesh'), { recursive: true });
  const ext = path.join(run, 'extensions');
  const outFile = path.join(run, 'suite-result.json');
  // staged before the VSIX is installed: that install scans the folder and registers it in extensions.json
  const runner = path.join(ext, 'gamma-lens-e2e.suite-runner-0.0.1');
  fs.mkdirSync(runner, { recursive: true });
  fs.writeFileSync(path.join(runner, 'package.json'), JSON.stringify({
    name: 'suite-runner', publisher: 'gamma-lens-e2e', version: '0.0.1', engines: { vscode: '^1.100.0' },
    main: './extension.js', activationEvents: ['onStartupFinished'],
  }));
  fs.writeFileSync(path.join(runner, 'extension.js'), `
const fs = require('fs');
exports.activate = async () => {
  const lines = [];
  try {
    await require(${JSON.stringify(SUITE)}).runWith((line) => lines.push(line));
    fs.writeFileSync(${JSON.stringify(outFile)}, JSON.stringify({ ok: true, lines }));
  } catch (e) {
    fs.writeFileSync(${JSON.stringify(outFile)}, JSON.stringify({ ok: false, lines, error: String(e && e.stack || e) }));
  }
};`);
  h.log(`installed ${h.installExtension(run, ext)}`);
  const cs = await h.startCodeServer(run, ext, ws, { GL_E2E_WORKSPACE: ws });
  const ctx = await h.launchBrowser(run);
  let result;
  let codeCaches = [];
  let serverArgs = [];
  try {
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    await page.goto(`${cs.url}/?folder=${encodeURIComponent(ws)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
    h.log('workbench up; the runner extension starts the suite');
    // the runner writes its result file once; poll for it (the extension host gives no other signal)
    const deadline = Date.now() + 240000;
    while (!fs.existsSync(outFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await h.screenshot(page, 'vscode-api-suite');
    assert.ok(fs.existsSync(outFile), 'the suite did not finish within 240 s (or the runner extension did not activate)');
    result = JSON.parse(fs.readFileSync(outFile, 'utf8'));
    // The client started the server with its code cache in the extension's global storage: the
    // server wrote it after its first ready, before it answered the suite's requests.
    const cacheDir = path.join(run, 'user-data', 'User', 'globalStorage', 'gamma-lens.gamma-lens', 'code-cache');
    codeCaches = fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir) : [];
    serverArgs = runningServers(run);
  } finally {
    await ctx.close();
    await cs.stop();
    h.cleanup(run);
  }
  for (const l of result.lines) console.log(`# ${l.replace(/\n/g, '\n# ')}`);
  assert.equal(result.ok, true, result.error);
  assert.ok(result.lines.some((l) => /^# \d+ passed, 0 failed$/.test(l)), result.lines.join('\n'));
  assert.equal(codeCaches.filter((n) => /^server-main-[0-9a-f]{16}\.v8cache$/.test(n)).length, 1, `code-cache folder: ${JSON.stringify(codeCaches)}`);
  // The client runs the server over stdio (as other editors and the benchmark do), not Node's IPC.
  assert.ok(serverArgs.length > 0, 'a gamma-lens server process was running');
  for (const args of serverArgs) {
    assert.ok(args.includes('--stdio') && !args.includes('--node-ipc'), `server arguments: ${JSON.stringify(args)}`);
  }
});

/** The arguments of every gamma-lens server process of this run (from /proc: Linux, where the e2e runs). */
function runningServers(run) {
  const out = [];
  for (const pid of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    let args;
    try {
      args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      continue;
    }
    if (args.some((a) => a.startsWith(run) && a.endsWith(path.join('server', 'out', 'server.js')))) out.push(args);
  }
  return out;
}
