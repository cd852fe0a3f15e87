/**
 * End-to-end: the language server driven by a real editor's LSP client (Neovim 0.7, headless), over stdio.
 * Each test runs one Neovim with a scenario (test/e2e/neovim/driver.lua) on a copy of a fixture workspace
 * and asserts on what the client received (CONTRACT §5). Run by scripts/run-tests.mjs when `nvim` is present.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../../support/workspace';
import { copyWorkspace, lineOf, ok, plain, rangeText, runNvim, uriOf } from './nvim';
import type { Diagnostic, Lens, Location, NvimResult } from './nvim';

const SEED = path.join(REPO_ROOT, 'examples', 'seed-article');
const MESH = path.join(REPO_ROOT, 'test', 'fixtures', 'e2e', 'mesh');
const F1 = '01-gateway-route-a.yaml';
const F2 = '02-producer-route-b.yaml';
const F3 = '03-consumer-route-c.yaml';

const roots: string[] = [];
function workspaceCopy(src: string): string {
  const root = copyWorkspace(src);
  roots.push(root);
  return root;
}
after(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

function step<T>(r: NvimResult, i: number): T {
  return r.steps[i] as T;
}

function codes(diags: Diagnostic[] | undefined): string[] {
  return (diags ?? []).map((d) => String(d.code)).sort();
}

describe('Neovim 0.7 LSP client against server/out/server.js --stdio', () => {
  test('seed-article: status, hover, CodeLens, definition and references', async () => {
    const root = workspaceCopy(SEED);
    const text = (f: string) => fs.readFileSync(path.join(root, f), 'utf8');
    const r = ok(
      await runNvim(root, [
        { op: 'start' },
        { op: 'open', file: F2 },
        { op: 'waitReady' },
        { op: 'hover', file: F2, at: { find: 'name: svc-a', delta: 6 } }, // 3: producer parentRef name
        { op: 'hover', file: F3, at: { find: 'namespace: app-ns', delta: 11 } }, // 4: consumer parentRef namespace
        { op: 'hover', file: F1, at: { find: 'name: svc-a', delta: 6 } }, // 5: route-a backendRef
        { op: 'codeLens', file: F1 }, // 6
        { op: 'definition', file: F2, at: { find: 'name: svc-a', delta: 8 } }, // 7
        { op: 'references', file: F1, at: { find: 'name: svc-a', nth: 2, delta: 6 } }, // 8: the Service's metadata.name
      ]),
    );

    const ready = step<{ ok: boolean; status: unknown }>(r, 2);
    assert.equal(ready.ok, true, `no gammaLens/status ready; statuses: ${JSON.stringify(r.statuses)}`);
    assert.deepEqual(r.statuses.find((s) => s.state === 'ready'), { state: 'ready', files: 3, resources: 6 });

    const producer = plain(step<{ text: string }>(r, 3).text);
    assert.match(producer, /\bproducer\b/);
    assert.match(producer, /app-ns\/svc-a/);
    assert.match(producer, /\b80\b/);

    const consumer = plain(step<{ text: string }>(r, 4).text);
    assert.match(consumer, /\bconsumer\b/);
    assert.match(consumer, /app-ns\/svc-a/);
    assert.match(consumer, /\bdev-ns\b/, 'a consumer hover names the caller namespace it is limited to');

    const backend = plain(step<{ text: string }>(r, 5).text);
    assert.match(backend, /app-ns\/svc-a/);
    assert.match(backend, /overridden/, 'svc-a is itself overridden by route-b and route-c');

    // CodeLens on the Service's metadata.name line, with the exact title of CONTRACT §5.
    const lenses = step<{ lenses: Lens[]; shown: string[] }>(r, 6);
    const svcLine = lineOf(text(F1), '  name: svc-a', 'kind: Service\nmetadata:');
    const onService = lenses.lenses.filter((l) => l.range.start.line === svcLine);
    assert.deepEqual(
      onService.map((l) => l.command?.title),
      ['overridden by 1 producer route (route-b) · 1 consumer route (dev-ns/route-c)'],
    );
    assert.ok(lenses.shown.includes('overridden by 1 producer route (route-b) · 1 consumer route (dev-ns/route-c)'), `Neovim shows ${JSON.stringify(lenses.shown)}`);

    // Definition: route-b's parentRef name → svc-a's metadata.name in file 01.
    const def = step<{ locations: Location | Location[] }>(r, 7).locations;
    const defs = Array.isArray(def) ? def : [def];
    assert.equal(defs.length, 1);
    assert.equal(defs[0].uri, uriOf(root, F1));
    assert.equal(defs[0].range.start.line, svcLine);
    assert.equal(rangeText(text(F1), defs[0].range), 'svc-a');

    // References from the Service's name: route-a's backendRef, route-b's parentRef, route-c's parentRef and backendRef.
    const refs = step<{ position: { line: number }; locations: Location[] }>(r, 8);
    assert.equal(refs.position.line, svcLine);
    const byFile = refs.locations.map((l) => path.basename(decodeURIComponent(l.uri.replace('file://', '')))).sort();
    assert.deepEqual(byFile, [F1, F2, F3, F3]);
    for (const l of refs.locations) {
      const f = path.basename(l.uri);
      assert.match(rangeText(text(f), l.range), /svc-a/, `reference in ${f} at line ${l.range.start.line + 1}`);
    }
  });

  test('seed-article: an edit dropping group: "" publishes parent-group-missing; its quick fix clears it', async () => {
    const root = workspaceCopy(SEED);
    const r = ok(
      await runNvim(root, [
        { op: 'start' },
        { op: 'open', file: F2 },
        { op: 'waitReady' },
        { op: 'edit', file: F2, find: '- group: ""\n      kind: Service', replace: '- kind: Service' },
        { op: 'waitDiagnostic', file: F2, code: 'parent-group-missing' }, // 4
        { op: 'waitCodeLens', file: F1, title: 'overridden by 1 consumer route (dev-ns/route-c)' }, // 5
        { op: 'text', file: F2 }, // 6
        { op: 'codeAction', file: F2, at: { find: 'kind: Service', delta: 6 }, apply: { code: 'parent-group-missing' } }, // 7
        { op: 'waitDiagnostic', file: F2, code: 'parent-group-missing', absent: true }, // 8
        { op: 'waitCodeLens', file: F1, title: 'overridden by 1 producer route (route-b) · 1 consumer route (dev-ns/route-c)' }, // 9
        { op: 'diagnostics' }, // 10
      ]),
    );
    const appeared = step<{ ok: boolean; diagnostics: Diagnostic[] }>(r, 4);
    assert.equal(appeared.ok, true, `diagnostics for ${F2}: ${JSON.stringify(appeared.diagnostics)}`);
    const d = appeared.diagnostics.find((x) => x.code === 'parent-group-missing')!;
    assert.equal(d.source, 'gamma-lens');
    assert.equal(d.severity, 1, 'error');
    // missing field: the range is the parentRef entry
    const edited = step<{ text: string }>(r, 6).text;
    const entry = rangeText(edited, d.range);
    assert.match(entry, /^kind: Service\n\s+name: svc-a\n/);
    assert.equal(step<{ ok: boolean; titles: string[] }>(r, 5).ok, true, `lenses after the edit: ${JSON.stringify(step(r, 5))}`);

    const fix = step<{ applied: string; buffers: Record<string, string> }>(r, 7);
    const fixed = parseAllDocuments(fix.buffers[F2])[0].toJS() as { spec: { parentRefs: Record<string, unknown>[] } };
    assert.deepEqual(fixed.spec.parentRefs, [{ group: '', kind: 'Service', name: 'svc-a', namespace: 'app-ns', port: 80 }]);
    assert.equal(step<{ ok: boolean }>(r, 8).ok, true, `after the fix "${fix.applied}"`);
    assert.equal(step<{ ok: boolean }>(r, 9).ok, true, `lenses after the fix: ${JSON.stringify(step(r, 9))}`);
    const all = step<{ published: Record<string, Diagnostic[]>; shown: Record<string, Diagnostic[]> }>(r, 10);
    assert.deepEqual(codes(all.published[uriOf(root, F2)]), []);
  });

  test('mesh fixture: a file never opened gets diagnostics; "Create producer HTTPRoute" adds a route', async () => {
    const root = workspaceCopy(MESH);
    const canary = 'routes/cart-canary.yaml';
    const r = ok(
      await runNvim(root, [
        { op: 'start' },
        { op: 'open', file: 'services.yaml' },
        { op: 'waitReady' },
        { op: 'diagnostics' }, // 3
        { op: 'codeLens', file: 'services.yaml' }, // 4
        { op: 'codeAction', file: 'services.yaml', at: { find: 'name: lonely', delta: 6 }, apply: { title: 'Create producer HTTPRoute for shop/lonely' } }, // 5
        { op: 'waitCodeLens', file: 'services.yaml', title: 'overridden by 1 producer route (' }, // 6
      ]),
    );
    // Published for a file Neovim never opened, before `ready`.
    const published = step<{ published: Record<string, Diagnostic[]>; shown: Record<string, Diagnostic[]> }>(r, 3).published;
    const diags = published[uriOf(root, canary)];
    assert.deepEqual(codes(diags), ['parent-group-missing', 'parent-port-not-found'], JSON.stringify(Object.keys(published)));
    const canaryText = fs.readFileSync(path.join(root, canary), 'utf8');
    const port = diags.find((x) => x.code === 'parent-port-not-found')!;
    assert.equal(rangeText(canaryText, port.range), '9090');
    assert.equal(port.source, 'gamma-lens');
    const group = diags.find((x) => x.code === 'parent-group-missing')!;
    assert.match(rangeText(canaryText, group.range), /^kind: Service # no group.*\n\s+name: cart\n\s+port: 80$/);
    assert.equal(Object.keys(published).includes(uriOf(root, 'services.yaml')), false, 'services.yaml has no findings');

    const services = fs.readFileSync(path.join(root, 'services.yaml'), 'utf8');
    const lonelyLine = lineOf(services, '  name: lonely');
    const lonelyLenses = step<{ lenses: Lens[] }>(r, 4).lenses.filter((l) => l.range.start.line === lonelyLine);
    assert.ok(lonelyLenses.some((l) => /create producer route/i.test(l.command?.title ?? '')), JSON.stringify(lonelyLenses));

    const action = step<{ titles: string[]; applied: string; buffers: Record<string, string> }>(r, 5);
    assert.equal(action.applied, 'Create producer HTTPRoute for shop/lonely');
    type Doc = { kind?: string; metadata?: { name?: string; namespace?: string }; spec?: Record<string, unknown> };
    const docs = Object.values(action.buffers).flatMap((t) => parseAllDocuments(t).map((d) => d.toJS() as Doc));
    const routes = docs.filter((d) => d?.kind === 'HTTPRoute');
    assert.equal(routes.length, 1, `documents after the action: ${JSON.stringify(action.buffers)}`);
    const route = routes[0];
    assert.equal(route.metadata?.namespace, 'shop');
    assert.deepEqual(route.spec?.parentRefs, [{ group: '', kind: 'Service', name: 'lonely', port: 8080 }]);
    const rules = route.spec?.rules as { matches?: unknown; backendRefs: Record<string, unknown>[] }[];
    assert.equal(rules.length, 1);
    assert.equal(rules[0].backendRefs.length, 1);
    assert.equal(rules[0].backendRefs[0].name, 'lonely');
    assert.equal(rules[0].backendRefs[0].port, 8080);
    // the services keep their text: the route is added, nothing else changes
    assert.ok((action.buffers['services.yaml'] ?? services).startsWith(services.trimEnd()));

    const lens = step<{ ok: boolean; titles: string[] }>(r, 6);
    assert.equal(lens.ok, true, `lenses after the action: ${JSON.stringify(lens.titles)}`);
    assert.ok(lens.titles.includes(`overridden by 1 producer route (${route.metadata?.name})`), JSON.stringify(lens.titles));
  });
});
