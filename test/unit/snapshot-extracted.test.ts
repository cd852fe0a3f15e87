/**
 * Files handed to a snapshot already extracted (from the warm-start cache) and with their text read
 * on demand: the same objects, findings and positions as files parsed from their text, and the text
 * is read only when something needs it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeWorkspace } from '../../server/src/core/analyzers/index';
import { Workspace } from '../../server/src/core/index/snapshot';
import type { FileChange } from '../../server/src/core/index/snapshot';
import { extractFile } from '../../server/src/core/model/extract';
import type { ExtractedFile } from '../../server/src/core/model/extract';
import { CACHE_FILE, ExtractionCache } from '../../server/src/lsp/cache';

const FILES: Record<string, string> = {
  '/ws/kustomization.yaml': 'namespace: kns\nresources: [svc.yaml]\n',
  '/ws/svc.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  ports: [{name: http, port: 80}]\n',
  '/ws/r.yaml':
    '# a route\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: kns}\nspec:\n  parentRefs: [{group: "", kind: Service, name: a, port: 90}]\n  rules:\n  - backendRefs: [{name: a, port: 81}, {name: gone, port: 80}]\n',
};

/** Findings as comparable text: code, file and the text under the span. */
function findings(ws: Workspace): string[] {
  const out: string[] = [];
  for (const [file, list] of analyzeWorkspace(ws)) for (const f of list) out.push(`${f.code} ${file} ${JSON.stringify(ws.file(file)!.text.slice(f.span.start, f.span.end))} ${f.message}`);
  return out.sort();
}

/** Extractions of FILES after a round trip through the warm-start cache file, by path. */
async function fromCacheFile(): Promise<Map<string, ExtractedFile>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gamma-lens-snapshot-unit-'));
  try {
    await ExtractionCache.write(
      path.join(dir, CACHE_FILE),
      Object.entries(FILES).map(([p, text]) => [p, { size: text.length, mtimeMs: 1, extracted: extractFile(p, text) }]),
    );
    const cache = ExtractionCache.open(dir)!;
    const out = new Map<string, ExtractedFile>();
    for (const [p, text] of Object.entries(FILES)) out.set(p, cache.take(p, text.length, 1)!);
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('pre-extracted files with lazy text index and analyse as parsed ones, reading text only when needed', async () => {
  const parsed = Workspace.fromFiles(Object.entries(FILES).map(([path, text]) => ({ path, text })));
  const stored = await fromCacheFile();
  const reads: string[] = [];
  const changes: FileChange[] = Object.entries(FILES).map(([path, text]) => ({
    path,
    text: '',
    // As the cache gives them back on a warm start.
    extracted: stored.get(path)!,
    readText: () => {
      reads.push(path);
      return text;
    },
  }));
  const cached = Workspace.fromFiles(changes);
  assert.deepEqual(reads, [], 'nothing read while indexing');
  assert.deepEqual([...cached.objects()], [...parsed.objects()]);
  assert.equal(cached.service('kns', 'a')?.namespaceSource, 'kustomization');
  const expected = findings(parsed);
  assert.ok(expected.length >= 2, expected.join('\n'));
  assert.deepEqual(findings(cached), expected);
  // Each file's text read once at most, and the positions agree.
  assert.equal(new Set(reads).size, reads.length);
  assert.deepEqual(cached.file('/ws/r.yaml')!.lines().positionAt(FILES['/ws/r.yaml']!.indexOf('HTTPRoute')), { line: 2, character: 6 });

  // Other options re-resolve from the extraction; unread texts stay unread.
  const before = reads.length;
  const other = cached.withOptions({ ...cached.options, defaultNamespace: 'other' });
  assert.equal(reads.length, before);
  assert.deepEqual([...other.objects()], [...parsed.withOptions({ ...parsed.options, defaultNamespace: 'other' }).objects()]);
  assert.equal(other.file('/ws/svc.yaml')!.text, FILES['/ws/svc.yaml']);
});

test('compacted() keeps every lookup and the iteration order of a snapshot built in many batches', () => {
  let ws = Workspace.empty();
  const svc = (i: number): string => `apiVersion: v1\nkind: Service\nmetadata: {name: s${i % 7}, namespace: n${i % 3}}\nspec:\n  ports: [{port: 80}]\n`;
  const route = (i: number): string =>
    `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r${i}, namespace: n${i % 3}}\nspec:\n  parentRefs: [{group: "", kind: Service, name: s${i % 5}}]\n`;
  for (let b = 0; b < 60; b++) {
    const batch: FileChange[] = [];
    for (let i = b * 5; i < b * 5 + 5; i++) batch.push({ path: `/ws/f${i}.yaml`, text: i % 2 ? svc(i) : route(i) });
    // Some files change or go again in later batches.
    if (b > 3) batch.push({ path: `/ws/f${b - 3}.yaml`, text: b % 2 ? null : svc(b) });
    ws = ws.withFiles(batch);
  }
  const flat = ws.compacted();
  const view = (w: Workspace): unknown => ({
    files: [...w.files()].map((f) => f.path),
    objects: [...w.objects()].map((o) => `${o.kind}/${o.namespace}/${o.name}@${o.file}`),
    services: [...w.services()].map((s) => `${s.namespace}/${s.name}@${s.file}`),
    refs: ['n0', 'n1', 'n2'].flatMap((ns) => [0, 1, 2, 3, 4].map((i) => w.referencesTo(ns, `s${i}`).map((r) => r.route.name))),
    lookup: w.lookup('Service', 'n1', 's1').map((o) => o.file),
    names: [...w.serviceNamesByNamespace()],
    spaces: [...w.serviceNamespacesByName()],
    counts: [w.fileCount, w.resourceCount],
  });
  assert.deepEqual(view(flat), view(ws));
  // Later changes work on the compacted snapshot and leave it as it was.
  const before = view(flat);
  const next = flat.withFiles([{ path: '/ws/f1.yaml', text: null }, { path: '/ws/new.yaml', text: svc(1) }]);
  assert.deepEqual(view(flat), before);
  assert.deepEqual(view(next), view(ws.withFiles([{ path: '/ws/f1.yaml', text: null }, { path: '/ws/new.yaml', text: svc(1) }])));
});
