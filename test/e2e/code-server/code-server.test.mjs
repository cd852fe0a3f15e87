// End-to-end in the real VS Code 1.100 workbench (code-server 4.100.3) with the packaged extension (VSIX),
// driven through the UI by playwright-core + Debian chromium, headless. One code-server and one browser for
// all scenarios; each scenario saves a screenshot to test-output/e2e/. Needs scripts/e2e-setup.sh;
// scripts/run-tests.mjs runs it when the tools are present (and fails under CI=true when they are not).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import * as h from './harness.mjs';

const require = createRequire(import.meta.url);
const { parseAllDocuments } = require('yaml');

const missing = h.missingTools();
if (missing) throw new Error(`code-server e2e cannot run: ${missing}`);

const SEED = path.join(h.REPO_ROOT, 'examples', 'seed-article');
const MESH = path.join(h.REPO_ROOT, 'test', 'fixtures', 'e2e', 'mesh');
const SVC_A_LENS = 'overridden by 1 producer route (route-b) · 1 consumer route (dev-ns/route-c)';

let run, ws, cs, ctx, page;

before(async () => {
  run = h.makeRunDir();
  ws = path.join(run, 'ws');
  fs.cpSync(SEED, path.join(ws, 'seed'), { recursive: true });
  fs.cpSync(MESH, path.join(ws, 'mesh'), { recursive: true });
  const ext = path.join(run, 'extensions');
  h.log(`installed ${h.installExtension(run, ext)}`);
  cs = await h.startCodeServer(run, ext, ws);
  h.log(`code-server ${cs.url} (pid ${cs.pid})`);
  ctx = await h.launchBrowser(run);
  page = ctx.pages()[0] ?? (await ctx.newPage());
  // every action and wait has a deadline, so a stuck step fails (with a screenshot) before the test timeout
  page.setDefaultTimeout(30000);
  page.on('pageerror', (e) => h.log(`[page error] ${e.message.split('\n')[0]}`));
  await page.goto(`${cs.url}/?folder=${encodeURIComponent(ws)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'seed' }).first().waitFor({ timeout: 60000 });
  h.log('workbench up');
}, { timeout: 180000 });

after(async () => {
  await ctx?.close().catch(() => undefined);
  await cs?.stop();
  if (run) {
    if (process.exitCode) h.log(`code-server log: ${cs?.logFile}`);
    h.cleanup(run);
  }
});

/** Runs a scenario; screenshots it as `<name>.png`, or `<name>-FAILED.png` before rethrowing. */
function scenario(name, title, fn) {
  test(title, { timeout: 120000 }, async () => {
    try {
      await fn();
      await h.screenshot(page, name);
    } catch (e) {
      await h.screenshot(page, `${name}-FAILED`).catch(() => undefined);
      throw e;
    } finally {
      await page.keyboard.press('Escape');
    }
  });
}

function read(rel) {
  return fs.readFileSync(path.join(ws, rel), 'utf8');
}

describe('code-server (VS Code 1.100 workbench) with the gamma-lens VSIX', () => {
  scenario('1-codelens', 'CodeLens above the Service name names the producer and consumer routes', async () => {
    await h.openFile(page, 'seed/01-gateway-route-a.yaml', 'svc-a');
    const lens = page.locator('.codelens-decoration', { hasText: 'overridden by' }).first();
    await lens.waitFor({ timeout: 60000 });
    assert.equal(await lens.innerText(), SVC_A_LENS);
    // it sits on the line above `  name: svc-a` of the Service (CodeLens renders above its range's line)
    const { line } = h.lineCol(read('seed/01-gateway-route-a.yaml'), '  name: svc-a', 2);
    await h.goTo(page, line, 9);
    // the line number of `name: svc-a`, once the editor has scrolled there and rendered it
    const number = page.locator('.editor-instance .margin-view-overlays .line-numbers', { hasText: new RegExp(`^\\s*${line}\\s*$`) }).first();
    await number.waitFor({ state: 'visible' });
    const nameLine = await number.boundingBox();
    const lensBox = await lens.boundingBox();
    assert.ok(lensBox && nameLine && lensBox.y < nameLine.y && nameLine.y - lensBox.y < 2 * nameLine.height,
      `lens at y=${lensBox?.y}, name line at y=${nameLine?.y}`);
  });

  scenario('2-hover', 'hover on a parentRef names the role and the target Service', async () => {
    await h.openFile(page, 'seed/02-producer-route-b.yaml', 'svc-a');
    const { line, column } = h.lineCol(read('seed/02-producer-route-b.yaml'), 'name: svc-a', 1, 6);
    await h.goTo(page, line, column);
    const text = (await h.hoverText(page, 'svc-a', 'producer')).replace(/[`*]/g, '');
    assert.match(text, /\bproducer\b/);
    assert.match(text, /app-ns\/svc-a/);
    assert.match(text, /\b80\b/);
  });

  scenario('3-problems', 'Problems panel lists the findings of a file that was never opened', async () => {
    await h.runCommand(page, 'Problems: Focus on Problems View');
    const panel = page.locator('.markers-panel');
    await panel.locator('.monaco-list-row', { hasText: 'cart-canary.yaml' }).first().waitFor({ timeout: 60000 });
    await panel.locator('.monaco-list-row', { hasText: 'parent-port-not-found' }).first().waitFor({ timeout: 30000 });
    const rows = await panel.locator('.monaco-list-row').allInnerTexts();
    const flat = rows.map((r) => r.replace(/\s+/g, ' ').trim());
    const findings = flat.filter((r) => /gamma-lens/.test(r));
    assert.equal(findings.length, 2, JSON.stringify(flat));
    assert.ok(findings.some((r) => /parent-group-missing/.test(r) && /\[Ln 9, Col 7\]/.test(r)), JSON.stringify(findings));
    assert.ok(findings.some((r) => /parent-port-not-found/.test(r) && /\[Ln 15, Col 13\]/.test(r)), JSON.stringify(findings));
    assert.ok(flat.some((r) => /cart-canary\.yaml/.test(r) && /mesh[/\\]routes/.test(r)), JSON.stringify(flat));
    // relatedInformation of parent-port-not-found points at the Service port in the other file
    assert.ok(flat.some((r) => /services\.yaml\s*\[Ln 25, Col 7\]/.test(r)), JSON.stringify(flat));
    // never opened: no editor tab for it
    assert.equal(await page.locator('.tabs-container .tab', { hasText: 'cart-canary.yaml' }).count(), 0);
  });

  scenario('4-code-action', '"Create producer HTTPRoute" from the quick-fix menu (Ctrl+.) adds a route', async () => {
    await h.runCommand(page, 'View: Hide Panel');
    const before = read('mesh/services.yaml');
    await h.openFile(page, 'mesh/services.yaml', 'lonely');
    const { line, column } = h.lineCol(before, 'name: lonely', 1, 7);
    await h.goTo(page, line, column);
    await page.keyboard.press('Control+Period');
    await h.chooseAction(page, 'Create producer HTTPRoute for shop/lonely', '4-code-action-menu');
    // the edit makes the document (or a new file) dirty; save everything and read the result from disk
    await page.locator('.tabs-container .tab.dirty').first().waitFor({ timeout: 30000 });
    await h.runCommand(page, 'File: Save All Files');
    await page.locator('.tabs-container .tab.dirty').first().waitFor({ state: 'detached', timeout: 30000 });
    const files = fs.readdirSync(path.join(ws, 'mesh'), { recursive: true }).filter((f) => /\.ya?ml$/.test(f));
    const docs = files.flatMap((f) => parseAllDocuments(read(path.join('mesh', f))).map((d) => ({ file: f, doc: d.toJS() })));
    const routes = docs.filter(({ doc }) => doc?.kind === 'HTTPRoute' && doc.spec?.parentRefs?.some((p) => p.name === 'lonely'));
    assert.equal(routes.length, 1, JSON.stringify(docs.map(({ file, doc }) => [file, doc?.kind, doc?.metadata?.name])));
    const route = routes[0].doc;
    assert.equal(route.metadata.namespace, 'shop');
    assert.deepEqual(route.spec.parentRefs, [{ group: '', kind: 'Service', name: 'lonely', port: 8080 }]);
    assert.equal(route.spec.rules.length, 1);
    assert.deepEqual(route.spec.rules[0].backendRefs.map((b) => [b.name, b.port]), [['lonely', 8080]]);
    assert.ok(read('mesh/services.yaml').startsWith(before.trimEnd()), 'the Services are unchanged');
    // the lens of `lonely` now names the new producer route
    await h.goTo(page, line, column);
    await page.locator('.codelens-decoration', { hasText: `overridden by 1 producer route (${route.metadata.name})` }).first().waitFor({ timeout: 30000 });
  });

  scenario('5-status', 'the language status item reports the indexed resources', async () => {
    // every Kubernetes object in the workspace, as the server counts them (the route added above included)
    const files = fs.readdirSync(ws, { recursive: true }).filter((f) => /\.ya?ml$/.test(f));
    const objects = files.flatMap((f) => parseAllDocuments(read(f)).map((d) => d.toJS())).filter((d) => d?.apiVersion && d?.kind);
    await h.openFile(page, 'seed/03-consumer-route-c.yaml', 'route-c');
    await page.locator('[id="status.languageStatus"]').click();
    const item = page.locator('.hover-language-status .element', { hasText: 'GAMMA Lens' }).first();
    await item.waitFor({ timeout: 30000 });
    await h.settled(item);
    const text = (await item.innerText()).replace(/\s+/g, ' ');
    assert.match(text, new RegExp(`GAMMA Lens: ${objects.length} resources`), text);
    assert.match(text, new RegExp(`${files.length} YAML files indexed`), text);
  });

  scenario('6-binding-map', 'the binding map centred on svc-a draws the seed article (webview DOM)', async () => {
    await h.openFile(page, 'seed/01-gateway-route-a.yaml', 'svc-a');
    const { line, column } = h.lineCol(read('seed/01-gateway-route-a.yaml'), '  name: svc-a', 2, 8);
    await h.goTo(page, line, column);
    // from the command palette the command asks: the whole workspace or one Service
    await h.runCommandAndPick(page, 'GAMMA Lens: Show Binding Map', 'Draw the bindings', 'app-ns/svc-a');
    await page.locator('.tabs-container .tab.active', { hasText: 'Binding map: app-ns/svc-a' }).waitFor({ timeout: 30000 });
    const map = await h.webviewFrame(page, 'map');
    await map.locator('body[data-view="map"][data-state="ready"]').waitFor({ timeout: 30000 });
    assert.match(await map.locator('#gl-scope').innerText(), /\(6 nodes, 6 edges\)/);
    // every node the map draws, by its stable id (Kind/namespace/name), exactly the seed article's six
    const nodes = await map.locator('g.gl-node').evaluateAll((els) => els.map((e) => e.getAttribute('data-node-id')).sort());
    assert.deepEqual(nodes, ['Gateway/app-ns/gw', 'HTTPRoute/app-ns/route-a', 'HTTPRoute/app-ns/route-b', 'HTTPRoute/dev-ns/route-c', 'Service/app-ns/svc-a', 'Service/ext-ns/svc-b']);
    // edges run the way traffic flows: a parentRef from its parent (Gateway or Service) to the route, a backendRef
    // from the route to the Service (server/src/core/graph/layout.ts flowOf)
    const edges = await map.locator('g.gl-edge').evaluateAll((els) => els.map((e) => [e.getAttribute('data-edge'), e.getAttribute('data-edge-role'), e.getAttribute('data-from'), e.getAttribute('data-to')].join(' ')).sort());
    assert.deepEqual(edges, [
      'backendRef backend HTTPRoute/app-ns/route-a Service/app-ns/svc-a',
      'backendRef backend HTTPRoute/app-ns/route-b Service/ext-ns/svc-b',
      'backendRef backend HTTPRoute/dev-ns/route-c Service/app-ns/svc-a',
      'parentRef consumer Service/app-ns/svc-a HTTPRoute/dev-ns/route-c',
      'parentRef gateway Gateway/app-ns/gw HTTPRoute/app-ns/route-a',
      'parentRef producer Service/app-ns/svc-a HTTPRoute/app-ns/route-b',
    ]);
    const producer = map.locator('g.gl-edge[data-edge="parentRef"][data-edge-role="producer"][data-from="Service/app-ns/svc-a"][data-to="HTTPRoute/app-ns/route-b"]');
    assert.equal(await producer.locator('text').textContent(), 'producer: all callers');
    // the centred Service is the only focused node, and it is drawn (has a size on screen)
    assert.deepEqual(await map.locator('g.gl-node.gl-focus').evaluateAll((els) => els.map((e) => e.getAttribute('data-node-id'))), ['Service/app-ns/svc-a']);
    const box = await map.locator('g.gl-node[data-node-id="Service/app-ns/svc-a"]').boundingBox();
    assert.ok(box && box.width > 20 && box.height > 10, JSON.stringify(box));
    // for a legible screenshot: the map alone, zoomed in (+) while the drawing still fits the panel's width
    await h.runCommand(page, 'View: Maximize Editor Group and Hide Side Bars');
    const svgWidth = () => map.locator('#gl-canvas svg').evaluate((svg) => Number(svg.getAttribute('width')));
    const canvasWidth = () => map.locator('#gl-canvas').evaluate((c) => c.clientWidth);
    await map.locator('#gl-canvas').waitFor({ state: 'visible' });
    for (let i = 0; i < 10; i++) {
      const w = await svgWidth();
      if (w * 1.25 > (await canvasWidth())) break;
      await map.locator('#gl-zoom-in').click();
      await map.locator(`#gl-canvas svg:not([width="${w}"])`).waitFor();
    }
    await h.settled(map.locator('#gl-canvas svg'));
  });

  scenario('7-explainer', 'the request explainer: dev-ns to app-ns/svc-a:80 goes to the consumer route-c', async () => {
    await h.runCommand(page, 'GAMMA Lens: Explain a Request');
    await page.locator('.tabs-container .tab.active', { hasText: 'Explain a request' }).waitFor({ timeout: 30000 });
    const panel = await h.webviewFrame(page, 'explain');
    await panel.locator('body[data-view="explain"][data-state="idle"]').waitFor({ timeout: 30000 });
    await panel.locator('#gl-service').selectOption('app-ns/svc-a');
    assert.equal(await panel.locator('#gl-port').inputValue(), '80');
    await panel.locator('#gl-from').fill('dev-ns');
    await panel.locator('#gl-path').fill('/');
    await panel.locator('#gl-run').click();
    await panel.locator('body[data-state="done"]').waitFor({ timeout: 30000 });
    assert.equal(await panel.locator('[data-audience]').getAttribute('data-audience'), 'consumer');
    assert.equal(await panel.locator('[data-status]').getAttribute('data-status'), '200');
    assert.equal(await panel.locator('dd[data-winner]').getAttribute('data-winner'), 'HTTPRoute/dev-ns/route-c');
    const winners = await panel.locator('#gl-candidates tr[data-candidate][data-winner="true"]').allInnerTexts();
    assert.equal(winners.length, 1, JSON.stringify(winners));
    assert.match(winners[0], /HTTPRoute\/dev-ns\/route-c/);
    assert.deepEqual(await panel.locator('#gl-backends li[data-backend]').allInnerTexts(), ['app-ns/svc-a:80 weight 1']);
  });
});
