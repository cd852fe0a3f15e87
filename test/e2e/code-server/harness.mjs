/* global getComputedStyle, requestAnimationFrame */
// code-server (VS Code 1.100 workbench + extension host) driven by playwright-core and Debian's chromium.
// Everything a run writes (user data, extensions, TMPDIR, XDG dirs, chromium profile) stays in one run folder;
// screenshots go to test-output/e2e/. Waits are on DOM conditions, never fixed sleeps.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CACHE = process.env.E2E_CACHE || path.join(REPO_ROOT, '.e2e-cache');
export const CODE_SERVER = path.join(CACHE, 'code-server', 'node_modules', '.bin', 'code-server');
export const PLAYWRIGHT = path.join(CACHE, 'playwright', 'node_modules', 'playwright-core');
export const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
export const OUTPUT = path.join(REPO_ROOT, 'test-output', 'e2e');

/** Why the suite cannot run here, or null when everything it needs is installed. */
export function missingTools() {
  const missing = [];
  const show = (p) => (p.startsWith(REPO_ROOT + path.sep) ? path.relative(REPO_ROOT, p) : p);
  if (!fs.existsSync(CODE_SERVER)) missing.push(show(CODE_SERVER));
  if (!fs.existsSync(path.join(PLAYWRIGHT, 'package.json'))) missing.push(show(PLAYWRIGHT));
  if (!fs.existsSync(CHROMIUM)) missing.push(CHROMIUM);
  return missing.length ? `missing ${missing.join(', ')} (run scripts/e2e-setup.sh)` : null;
}

const t0 = Date.now();
export function log(msg) {
  console.log(`# [code-server e2e +${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
}

/** A fresh run folder under .e2e-cache/runs (git-ignored), removed by `cleanup`. */
export function makeRunDir() {
  const base = path.join(CACHE, 'runs');
  fs.mkdirSync(base, { recursive: true });
  return fs.realpathSync(fs.mkdtempSync(path.join(base, 'run-')));
}

/**
 * Packages the extension with `npm run package` (the VSIX users install) into the run folder and installs it
 * with `code-server --install-extension`. Returns a description of what was installed.
 */
export function installExtension(run, extDir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  const vsixDir = path.join(run, 'vsix');
  fs.mkdirSync(vsixDir, { recursive: true });
  const vsix = path.join(vsixDir, `${pkg.name}-${pkg.version}.vsix`);
  const p = spawnSync('npm', ['run', '--silent', 'package', '--', '--out', vsix], { cwd: REPO_ROOT, encoding: 'utf8', env: csEnv(run) });
  if (p.status !== 0 || !fs.existsSync(vsix)) {
    if (process.env.GL_E2E_UNPACKED !== '1') throw new Error(`npm run package failed (${p.status}):\n${p.stdout}\n${p.stderr}`);
    log(`npm run package failed (${p.status}); GL_E2E_UNPACKED=1: staging an unpacked folder instead`);
    return stageUnpacked(pkg, extDir);
  }
  const i = spawnSync(CODE_SERVER, ['--config', path.join(run, 'config.yaml'), '--user-data-dir', path.join(run, 'user-data'), '--extensions-dir', extDir, '--install-extension', vsix, '--force'], { encoding: 'utf8', env: csEnv(run) });
  if (i.status !== 0) throw new Error(`code-server --install-extension failed (${i.status}):\n${i.stdout}\n${i.stderr}`);
  const id = `${pkg.publisher}.${pkg.name}`;
  const listed = spawnSync(CODE_SERVER, ['--config', path.join(run, 'config.yaml'), '--user-data-dir', path.join(run, 'user-data'), '--extensions-dir', extDir, '--list-extensions', '--show-versions'], { encoding: 'utf8', env: csEnv(run) });
  if (!listed.stdout.includes(`${id}@${pkg.version}`)) throw new Error(`${id}@${pkg.version} not listed after install: ${listed.stdout}${listed.stderr}`);
  return `${path.basename(vsix)} (${Math.round(fs.statSync(vsix).size / 1024)} KB) as ${id}@${pkg.version}`;
}

/** Copies what .vscodeignore lets into a VSIX to `<extDir>/<publisher>.<name>-<version>/` (code-server loads it). */
function stageUnpacked(pkg, extDir) {
  const dest = path.join(extDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
  // the same allowlist as .vscodeignore (client/media: the webviews' scripts and styles)
  for (const rel of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'images/icon.png', 'client/out/extension.js', 'client/media', 'server/out/server.js', 'server/out/server-main.js', 'server/out/cli.js', 'bin/gamma-lens.js', 'docs']) {
    const src = path.join(REPO_ROOT, rel);
    if (fs.existsSync(src)) fs.cpSync(src, path.join(dest, rel), { recursive: true });
  }
  return `unpacked folder ${path.basename(dest)}`;
}

/** Environment that keeps code-server's and chromium's files inside the run folder. */
export function csEnv(run) {
  const env = { ...process.env };
  env.TMPDIR = path.join(run, 'tmp');
  env.XDG_CONFIG_HOME = path.join(run, 'xdg', 'config');
  env.XDG_DATA_HOME = path.join(run, 'xdg', 'data');
  env.XDG_CACHE_HOME = path.join(run, 'xdg', 'cache');
  env.XDG_STATE_HOME = path.join(run, 'xdg', 'state');
  for (const d of [env.TMPDIR, env.XDG_CONFIG_HOME, env.XDG_DATA_HOME, env.XDG_CACHE_HOME, env.XDG_STATE_HOME]) fs.mkdirSync(d, { recursive: true });
  // a code-server started from inside VS Code's terminal would otherwise try to reuse that instance
  delete env.VSCODE_IPC_HOOK_CLI;
  delete env.VSCODE_PID;
  return env;
}

export const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'editor.hover.delay': 100,
  'editor.minimap.enabled': false,
  'editor.lightbulb.enabled': 'on',
  'git.enabled': false,
  'files.autoSave': 'off',
  'workbench.colorTheme': 'Default Light Modern',
  'chat.commandCenter.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/** Starts code-server on a free loopback port; resolves once /healthz answers. `extraEnv` reaches the extension host. */
export async function startCodeServer(run, extDir, folder, extraEnv = {}) {
  const ud = path.join(run, 'user-data');
  fs.mkdirSync(path.join(ud, 'User'), { recursive: true });
  fs.writeFileSync(path.join(ud, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  const config = path.join(run, 'config.yaml');
  fs.writeFileSync(config, 'auth: none\n');
  const logFile = path.join(run, 'code-server.log');
  const log = fs.createWriteStream(logFile);
  const args = ['--config', config, '--user-data-dir', ud, '--extensions-dir', extDir, '--auth', 'none', '--bind-addr', '127.0.0.1:0',
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', '--ignore-last-opened', folder];
  // its own process group, so stop() can end code-server with its extension host, file watcher and our server
  const child = spawn(CODE_SERVER, args, { env: { ...csEnv(run), ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  // code-server prints "HTTP server listening on http://127.0.0.1:PORT/" once it is up (port 0: it picks one).
  let seen = '';
  const started = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`code-server did not start within 60 s:\n${seen}`)), 60000);
    child.stdout.on('data', (d) => {
      seen += d.toString();
      const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited (${code ?? signal}):\n${seen}`));
    });
  });
  let url;
  try {
    url = await started;
    const health = await fetch(`${url}/healthz`);
    if (!health.ok) throw new Error(`code-server /healthz answered ${health.status}`);
  } catch (e) {
    if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    throw e;
  }
  return {
    url,
    pid: child.pid,
    logFile,
    async stop() {
      const alive = () => {
        try {
          process.kill(-child.pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      if (alive()) process.kill(-child.pid, 'SIGTERM');
      await exited;
      // wait (bounded) for the rest of the group (extension host, file watcher, language server) to exit
      const deadline = Date.now() + 5000;
      while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (alive()) process.kill(-child.pid, 'SIGKILL');
    },
  };
}

export async function launchBrowser(run) {
  const require = createRequire(import.meta.url);
  const { chromium } = require(PLAYWRIGHT);
  const env = csEnv(run);
  const ctx = await chromium.launchPersistentContext(path.join(run, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    env,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    viewport: { width: 1400, height: 900 },
  });
  return ctx;
}

export function cleanup(run) {
  if (process.env.GL_E2E_KEEP === '1') {
    log(`kept run folder ${run}`);
    return;
  }
  fs.rmSync(run, { recursive: true, force: true });
}

// ---- UI helpers --------------------------------------------------------------------------------

export async function screenshot(page, name) {
  fs.mkdirSync(OUTPUT, { recursive: true });
  const file = path.join(OUTPUT, `${name}.png`);
  await page.screenshot({ path: file });
  log(`screenshot ${path.relative(REPO_ROOT, file)}`);
  return file;
}

/** Runs a workbench command through the command palette (F1), by its label. */
export async function runCommand(page, label) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15000 });
  await input.fill('>' + label);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ timeout: 15000 });
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 15000 });
}

/**
 * Runs a command whose handler shows a quick pick (placeholder containing `placeholder`), types `choice`
 * into it and accepts the first row showing it.
 */
export async function runCommandAndPick(page, label, placeholder, choice) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15000 });
  await input.fill('>' + label);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first().waitFor({ timeout: 15000 });
  await page.keyboard.press('Enter');
  // the same widget comes back with the command's own quick pick
  const picker = page.locator(`.quick-input-widget input[placeholder*="${placeholder.replace(/"/g, '\\"')}"]`);
  await picker.waitFor({ state: 'visible', timeout: 30000 });
  await picker.fill(choice);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: choice }).first().waitFor({ timeout: 15000 });
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 15000 });
}

/**
 * The frame of the extension's webview whose page has `body[data-view="<view>"]` (webview.ts): VS Code nests
 * it as iframe.webview > #active-frame. Several webviews can be open, so every frame is asked, until the deadline.
 */
export async function webviewFrame(page, view, timeout = 30000) {
  const deadline = Date.now() + timeout;
  const selector = `body[data-view="${view}"]`;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      if (await frame.locator(selector).count().catch(() => 0)) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no webview with ${selector} within ${timeout} ms; frames: ${JSON.stringify(page.frames().map((f) => f.url().slice(0, 120)))}`);
    // a new frame attaches or navigates: wait for that (bounded) rather than a fixed sleep
    await Promise.race([
      page.waitForEvent('frameattached', { timeout: 500 }).catch(() => undefined),
      page.waitForEvent('framenavigated', { timeout: 500 }).catch(() => undefined),
    ]);
  }
}

/** Opens a workspace file through Quick Open and waits until its editor tab is active and shows `word`. */
export async function openFile(page, relPath, word) {
  const base = path.basename(relPath);
  const tab = page.locator('.tabs-container .tab.active', { hasText: base });
  // A file already in the editor history is listed at once ("recently opened"), then the list is replaced when the
  // file search answers; an Enter in between can close Quick Open without opening anything. So: the focused row,
  // and up to 3 tries.
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 15000 });
    await input.fill(relPath);
    const row = page.locator('.quick-input-list .monaco-list-row.focused', { hasText: base }).first();
    await row.waitFor({ timeout: 15000 });
    await page.keyboard.press('Enter');
    try {
      await tab.waitFor({ timeout: attempt < 3 ? 10000 : 30000 });
      break;
    } catch (e) {
      if (attempt >= 3) throw e;
      log(`Quick Open did not open ${relPath}; retry ${attempt}`);
      if (await page.locator('.quick-input-widget').isVisible()) await page.keyboard.press('Escape');
    }
  }
  await page.locator('.editor-instance .monaco-editor .view-lines', { hasText: word }).first().waitFor({ timeout: 30000 });
}

/** Moves the cursor with Go to Line/Column (1-based), in the active editor. */
export async function goTo(page, line, column) {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15000 });
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 15000 });
  // the status bar shows the new cursor position
  await page.locator('.statusbar-item', { hasText: `Ln ${line}, Col ${column}` }).first().waitFor({ timeout: 15000 });
}

/** 1-based line and column of the nth occurrence of `find` in `text`, plus `delta` characters. */
export function lineCol(text, find, nth = 1, delta = 0) {
  let at = -1;
  for (let i = 0; i < nth; i++) {
    at = text.indexOf(find, at + 1);
    if (at < 0) throw new Error(`${JSON.stringify(find)} (occurrence ${nth}) not found`);
  }
  const before = text.slice(0, at + delta).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

/**
 * In an open action widget (Ctrl+. / light bulb menu), moves the keyboard focus to the row titled `title` and
 * applies it with Enter (the widget blocks pointer events right after it opens, so no clicks).
 */
export async function chooseAction(page, title, shotName) {
  const widget = page.locator('.action-widget');
  await widget.locator('.monaco-list-row.action', { hasText: title }).first().waitFor({ timeout: 30000 });
  if (shotName) await screenshot(page, shotName);
  const rows = await widget.locator('.monaco-list-row').count();
  for (let i = 0; i <= rows; i++) {
    const focused = widget.locator('.monaco-list-row.focused');
    if ((await focused.count()) === 1 && (await focused.innerText()).includes(title)) {
      await page.keyboard.press('Enter');
      await widget.waitFor({ state: 'hidden', timeout: 15000 });
      return;
    }
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`could not focus the action ${JSON.stringify(title)}; rows: ${JSON.stringify(await widget.locator('.monaco-list-row').allInnerTexts())}`);
}

/**
 * Waits until the element and its ancestors have finished fading in (computed opacity 1), so screenshots are
 * legible. Cosmetic only, so bounded: gives up after 3 s instead of failing.
 */
export async function settled(locator) {
  await locator.evaluate((el) => new Promise((resolve) => {
    const deadline = Date.now() + 3000;
    const opaque = () => {
      for (let e = el; e; e = e.parentElement) if (getComputedStyle(e).opacity !== '1') return false;
      return true;
    };
    const check = () => (opaque() || Date.now() > deadline ? resolve() : requestAnimationFrame(check));
    check();
  }), undefined, { timeout: 10000 });
}

/**
 * Shows the hover at the cursor: first with the keyboard (Show or Focus Hover), then by moving the mouse onto
 * the rendered token, retrying, since a hover can close when the editor re-renders. Resolves to the hover text.
 */
export async function hoverText(page, token, expect) {
  const hover = page.locator('.monaco-editor .monaco-hover:not(.hidden)', { hasText: expect }).first();
  for (let i = 0; i < 5; i++) {
    await runCommand(page, 'Show or Focus Hover');
    try {
      await hover.waitFor({ state: 'visible', timeout: 5000 });
      await settled(hover);
      return await hover.innerText();
    } catch {
      log(`hover retry ${i + 1} (keyboard)`);
    }
    const word = page.locator('.editor-instance .view-lines .view-line span span', { hasText: token }).first();
    const box = await word.boundingBox();
    if (box) {
      await page.mouse.move(box.x + 1, box.y + box.height / 2);
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
      try {
        await hover.waitFor({ state: 'visible', timeout: 5000 });
        await settled(hover);
        return await hover.innerText();
      } catch {
        log(`hover retry ${i + 1} (mouse)`);
        await page.mouse.move(0, 0);
      }
    }
  }
  const shown = await page.locator('.monaco-hover:not(.hidden)').allInnerTexts();
  throw new Error(`no hover containing ${JSON.stringify(String(expect))}; visible hovers: ${JSON.stringify(shown)}`);
}
