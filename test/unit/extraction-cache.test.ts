/**
 * The warm-start cache file (`ExtractionCache`): what goes in comes back exactly (the same keys, in
 * the same order, the same values, shared objects still shared), for real extractions of every
 * fixture and corpus file and for odd values; a cache that is truncated, overwritten, of another
 * format or another engine build is not used; entries that are not plain data are left out.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Workspace } from '../../server/src/core/index/snapshot';
import { extractFile } from '../../server/src/core/model/extract';
import type { ExtractedFile } from '../../server/src/core/model/extract';
import type { RouteObject, ServiceObject } from '../../server/src/core/model/types';
import { Field, KeyedField } from '../../server/src/core/yaml/access';
import { CACHE_FILE, ExtractionCache, builtByLiteral, diagnosticsOf, storedClassKeys } from '../../server/src/lsp/cache';
import type { CacheEntry, FolderDiagnostics } from '../../server/src/lsp/cache';
import { listYamlFiles } from '../../server/src/runtime';
import { CORPUS, FIXTURES } from '../support/workspace';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'gamma-lens-cache-unit-'));
}

/** Every YAML file of the shared fixtures and corpus, with its text. */
function sharedFiles(): Array<{ path: string; text: string }> {
  const out: Array<{ path: string; text: string }> = [];
  for (const root of [FIXTURES, CORPUS]) for (const p of listYamlFiles(root)) out.push({ path: p, text: fs.readFileSync(p, 'utf8') });
  return out;
}

/** Writes `entries` to a fresh cache folder and opens it. */
async function roundTrip(entries: Array<[string, CacheEntry]>, published?: ReadonlyMap<string, FolderDiagnostics>): Promise<{ cache: ExtractionCache; dir: string }> {
  const dir = tempDir();
  await ExtractionCache.write(path.join(dir, CACHE_FILE), entries, published);
  const cache = ExtractionCache.open(dir)!;
  assert.equal(cache.discarded, undefined);
  return { cache, dir };
}

/** An HTTPRoute with a match, a filter and a backend, and its Service. */
const FIXTURE_ROUTE = [
  'apiVersion: gateway.networking.k8s.io/v1',
  'kind: HTTPRoute',
  'metadata: {name: r, namespace: n}',
  'spec:',
  '  parentRefs: [{group: "", kind: Service, name: s, port: 80}]',
  '  rules:',
  '    - matches: [{path: {type: PathPrefix, value: /a}}]',
  '      filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: x, value: y}]}}]',
  '      backendRefs: [{name: s, port: 80}]',
  '---',
  'apiVersion: v1',
  'kind: Service',
  'metadata: {name: s, namespace: n}',
  'spec: {ports: [{port: 80, name: http}]}',
  '',
].join('\n');

const entry = (extracted: ExtractedFile, size = 10, mtimeMs = 1732693123456.789): CacheEntry => ({ size, mtimeMs, extracted });

/** Paths to objects reachable twice from `root` (by identity), as `a.b[0]` strings, in visit order. */
function sharedPaths(root: unknown): string[] {
  const seen = new Map<object, string>();
  const out: string[] = [];
  const walk = (v: unknown, at: string): void => {
    if (!v || typeof v !== 'object') return;
    const first = seen.get(v);
    if (first !== undefined) {
      out.push(`${at}=${first}`);
      return;
    }
    seen.set(v, at);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
    else for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
  };
  walk(root, '');
  return out;
}

/** Paths to the frozen objects and arrays under `root`. */
function frozenPaths(root: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, at: string): void => {
    if (!v || typeof v !== 'object') return;
    if (Object.isFrozen(v)) out.push(at);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
    else for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
  };
  walk(root, '');
  return out;
}

describe('extraction cache file', () => {
  test('real extractions of every fixture and corpus file come back deep-equal, key order and sharing included', async () => {
    const files = sharedFiles();
    assert.ok(files.length > 300, `${files.length} files`);
    // As extracted, and as the snapshot holds them after resolving namespaces (what the server stores).
    const raw = files.map((f) => extractFile(f.path, f.text));
    const resolved = Workspace.fromFiles(files.map((f) => ({ path: `/resolved${f.path}`, text: f.text })));
    const fromSnapshot = [...resolved.files()].map((f): ExtractedFile => ({ path: f.path, objects: f.objects, problems: f.problems, suppressions: f.suppressions }));
    const all = [...raw, ...fromSnapshot];
    const { cache, dir } = await roundTrip(all.map((ex, i) => [ex.path, entry(ex, i, 1000 + i / 3)]));
    try {
      assert.equal(cache.size, all.length);
      let routesWithSharedRefs = 0;
      let frozen = 0;
      const emptyProblems = new Set<unknown>();
      for (const [i, ex] of all.entries()) {
        // Only the size and mtime stored give the entry out.
        assert.equal(cache.take(ex.path, i + 1, 1000 + i / 3), undefined);
        assert.equal(cache.take(ex.path, i, 1000 + i / 3 + 1), undefined);
        const back = cache.take(ex.path, i, 1000 + i / 3);
        assert.ok(back, ex.path);
        assert.deepStrictEqual(back, ex);
        assert.notEqual(back, ex);
        assert.deepEqual(JSON.stringify(back), JSON.stringify(ex), 'same keys in the same order');
        assert.deepEqual(sharedPaths(back), sharedPaths(ex));
        assert.deepEqual(frozenPaths(back), frozenPaths(ex));
        frozen += frozenPaths(ex).length;
        // Empty frozen values (the extraction shares one of each) come back shared across files too.
        if (back.problems.length === 0 && Object.isFrozen(ex.problems)) emptyProblems.add(back.problems);
        if (sharedPaths(ex).some((p) => p.includes('.backendRefs['))) routesWithSharedRefs++;
        // Spreading a stored object gives the same as spreading the extracted one.
        for (const [j, o] of back.objects.entries()) assert.deepStrictEqual({ ...o }, { ...ex.objects[j]! });
        // Given out once.
        assert.equal(cache.take(ex.path, i, 1000 + i / 3), undefined);
      }
      assert.ok(routesWithSharedRefs > 10, `routes whose backendRefs are shared with their rules: ${routesWithSharedRefs}`);
      assert.ok(frozen > 100, `frozen values in the extractions: ${frozen}`);
      assert.equal(emptyProblems.size, 1);
      assert.equal(cache.size, 0);
    } finally {
      cache.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('entries taken in any order, and entries larger than the window read at a time (2M tokens), come back exactly', async () => {
    const files = sharedFiles().slice(0, 120);
    const big = { path: '/w/big.yaml', objects: [{ kind: 'Big', file: '/w/big.yaml', values: Array.from({ length: 1_500_000 }, (_, i) => i % 3 === 0 ? { start: i, end: i + 1 } : i) }], problems: [], documents: [], suppressions: [] } as unknown as ExtractedFile;
    const all = [...files.map((f) => extractFile(f.path, f.text)), big, ...files.slice(0, 5).map((f) => extractFile(`/again${f.path}`, f.text))];
    const { cache, dir } = await roundTrip(all.map((ex) => [ex.path, entry(ex)]));
    try {
      // Backwards, then the rest forwards from the middle: the window moves both ways.
      const order = [...all.keys()].reverse();
      for (const i of [...order.slice(0, 60), ...order.slice(60).reverse()]) assert.deepStrictEqual(cache.take(all[i]!.path, 10, 1732693123456.789), all[i], all[i]!.path);
      assert.equal(cache.size, 0);
      cache.close();
      // Closed: nothing more comes out (no throw).
      assert.equal(cache.take(all[0]!.path, 10, 1732693123456.789), undefined);
    } finally {
      cache.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('odd values come back exactly: numbers of every kind, strings, undefined and null, __proto__ keys', async () => {
    const labels = JSON.parse('{"__proto__": "x", "app": "a", "2": "two", "": "empty"}') as Record<string, string>;
    const odd = {
      ints: [0, 1, 2 ** 28 - 1, 2 ** 28, 2 ** 32, 2 ** 53, -1, -(2 ** 31)],
      floats: [-0, 0.5, -1.25, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MIN_VALUE, Number.MAX_VALUE],
      strings: ['', 'ünïcødé ✓ 😀', '\u0000\n"\\', '\ud800 lone surrogate \udc00', 'x'.repeat(100_000)],
      flags: [true, false, null, undefined],
      missing: undefined,
      nested: [[], {}, [[{ a: [{}] }]]],
    };
    const ex = { path: '/w/odd.yaml', objects: [{ kind: 'Other', file: '/w/odd.yaml', labels, odd }], problems: [], documents: [], suppressions: [] } as unknown as ExtractedFile;
    (odd as Record<string, unknown>).frozen = Object.freeze({ a: Object.freeze([1, Object.freeze({})]), b: [] });
    const shared = { start: 1, end: 2 };
    const twice = { path: '/w/twice.yaml', objects: [{ kind: 'A', file: '/w/twice.yaml', a: shared, list: [shared, [shared]] }], problems: [], documents: [], suppressions: [] } as unknown as ExtractedFile;
    const { cache, dir } = await roundTrip([
      ['/w/odd.yaml', entry(ex)],
      ['/w/twice.yaml', entry(twice)],
    ]);
    try {
      const back = cache.take('/w/odd.yaml', 10, 1732693123456.789)!;
      assert.deepStrictEqual(back, ex);
      const o = back.objects[0] as unknown as { labels: Record<string, string>; odd: typeof odd };
      assert.equal(Object.getPrototypeOf(o.labels), Object.prototype);
      assert.deepEqual(Object.keys(o.labels), Object.keys(labels));
      assert.ok(Object.is(o.odd.floats[0], -0));
      assert.ok('missing' in o.odd);
      assert.deepEqual(frozenPaths(back), frozenPaths(ex));
      assert.deepEqual(frozenPaths(back), ['.objects[0].odd.frozen', '.objects[0].odd.frozen.a', '.objects[0].odd.frozen.a[1]']);
      const t = cache.take('/w/twice.yaml', 10, 1732693123456.789)!.objects[0] as unknown as { a: object; list: [object, [object]] };
      assert.equal(t.list[0], t.a);
      assert.equal(t.list[1][0], t.a);
    } finally {
      cache.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('objects of every kind of key and lists of every short length come back exactly; the common shapes of the model are built by literals', async () => {
    const keyed = (keys: string[]): Record<string, unknown> => Object.fromEntries(keys.map((k, i) => [k, i]));
    // The keys of a shape built by a literal, the same keys in another order or with one more or one
    // less, names that are not identifiers, and many keys.
    const routes = extractFile('/w/r.yaml', FIXTURE_ROUTE);
    const route = routes.objects[0] as unknown as RouteObject;
    const service = routes.objects[1] as unknown as ServiceObject;
    const summary = Object.keys(route.rules[0]!.httpMatches![0]!);
    assert.ok(builtByLiteral(summary));
    const objects = [
      keyed(summary),
      keyed([...summary].reverse()),
      keyed([...summary, 'extra']),
      keyed(summary.slice(0, 4)),
      keyed(['constructor', 'prototype', 'toString', 'hasOwnProperty', 'class', 'default']),
      keyed(['app.kubernetes.io/name', 'x-y', 'a b', '9lives', 'ü', '']),
      keyed(Array.from({ length: 70 }, (_, i) => `k${i}`)),
      JSON.parse('{"a": 1, "__proto__": 2, "b": 3}') as Record<string, unknown>,
      { lists: Array.from({ length: 7 }, (_, n) => Array.from({ length: n }, (_, i) => (i % 2 ? { n, i } : [i]))) },
    ];
    const ex = { path: '/w/keys.yaml', objects: objects.map((o) => ({ kind: 'Other', file: '/w/keys.yaml', o })), problems: [], documents: [], suppressions: [] } as unknown as ExtractedFile;
    const { cache, dir } = await roundTrip([['/w/keys.yaml', entry(ex)]]);
    try {
      const back = cache.take('/w/keys.yaml', 10, 1732693123456.789)!;
      assert.deepStrictEqual(back, ex);
      assert.equal(JSON.stringify(back), JSON.stringify(ex));
      for (const [i, o] of back.objects.entries()) {
        const inner = (o as unknown as { o: object }).o;
        assert.deepEqual(Object.keys(inner), Object.keys(objects[i]!));
        assert.equal(Object.getPrototypeOf(inner), Object.prototype);
      }
      const lists = (back.objects.at(-1) as unknown as { o: { lists: unknown[][] } }).o.lists;
      assert.deepEqual(lists.map((l) => l.length), [0, 1, 2, 3, 4, 5, 6]);
      for (const l of lists) assert.equal(Object.getPrototypeOf(l), Array.prototype);
    } finally {
      cache.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // The shapes that make up most of a workspace's objects (update LITERALS in cache.ts when the model changes).
    const common: Array<[string, object]> = [
      ['file', routes],
      ['route', route],
      ['HTTP match', route.rules[0]!.httpMatches![0]!],
      ['service', service],
    ];
    for (const [what, o] of common) assert.ok(builtByLiteral(Object.keys(o)), `${what}: ${Object.keys(o).join(',')}`);
    // The node classes (offsets as numbers) are stored by their own keys, in order.
    const nodes: Array<[string, object]> = [
      ['parentRef', route.parentRefs[0]!],
      ['rule', route.rules[0]!],
      ['backendRef', route.backendRefs[0]!],
      ['filter', route.rules[0]!.filters[0]!],
      ['service port', service.ports[0]!],
    ];
    for (const [what, o] of nodes) assert.deepEqual(storedClassKeys(Object.getPrototypeOf(o) as object), Object.keys(o), what);
    // Fields (built by literals with their class's prototype) are the class's instances, with its
    // own keys in its order, its getters and methods.
    const again = await roundTrip([['/w/r.yaml', entry(routes)]]);
    try {
      const back = again.cache.take('/w/r.yaml', 10, 1732693123456.789)!;
      const fields: Array<[unknown, unknown]> = [
        [(back.objects[0] as unknown as RouteObject).nameField, route.nameField],
        [(back.objects[0] as unknown as RouteObject).parentRefs[0]!.kind, route.parentRefs[0]!.kind],
        [(back.objects[1] as unknown as ServiceObject).ports[0]!.port, service.ports[0]!.port],
      ];
      assert.ok(fields.some(([, o]) => o instanceof KeyedField) && fields.some(([, o]) => !(o instanceof KeyedField)));
      for (const [f, o] of fields) {
        assert.ok(o instanceof Field && f instanceof Field);
        assert.equal(Object.getPrototypeOf(f), Object.getPrototypeOf(o));
        assert.deepEqual(Object.getOwnPropertyNames(f), Object.getOwnPropertyNames(o));
        assert.deepEqual([f.value, f.span, f.keySpan, f.toJSON()], [o.value, o.span, o.keySpan, o.toJSON()]);
        assert.deepStrictEqual(f.withValue(7), o.withValue(7));
      }
      const backRoute = back.objects[0] as unknown as RouteObject;
      const backNodes: Array<[object, object]> = [
        [backRoute.parentRefs[0]!, route.parentRefs[0]!],
        [backRoute.rules[0]!, route.rules[0]!],
        [backRoute.backendRefs[0]!, route.backendRefs[0]!],
        [backRoute.rules[0]!.filters[0]!, route.rules[0]!.filters[0]!],
        [(back.objects[1] as unknown as ServiceObject).ports[0]!, service.ports[0]!],
      ];
      for (const [b, o] of backNodes) {
        assert.equal(Object.getPrototypeOf(b), Object.getPrototypeOf(o));
        assert.deepEqual(Object.getOwnPropertyNames(b), Object.getOwnPropertyNames(o));
        assert.deepEqual((b as { span: unknown }).span, (o as { span: unknown }).span);
        assert.equal(JSON.stringify(b), JSON.stringify(o));
      }
      // The rule's backendRefs are still the route's (shared, as extracted).
      assert.equal(backRoute.rules[0]!.backendRefs, backRoute.backendRefs);
    } finally {
      again.cache.close();
      fs.rmSync(again.dir, { recursive: true, force: true });
    }
  });

  test('an entry that is not plain data is left out; the others are kept', async () => {
    const ok = extractFile('/w/a.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: a}\n');
    const withMap = { ...ok, path: '/w/b.yaml', objects: [{ ...ok.objects[0]!, labels: new Map() }] } as unknown as ExtractedFile;
    const cyclic = { ...ok, path: '/w/c.yaml', objects: [] as unknown[] };
    cyclic.objects.push(cyclic);
    const { cache, dir } = await roundTrip([
      ['/w/b.yaml', entry(withMap)],
      ['/w/c.yaml', entry(cyclic as unknown as ExtractedFile)],
      ['/w/a.yaml', entry(ok)],
    ]);
    try {
      assert.equal(cache.size, 1);
      assert.equal(cache.take('/w/b.yaml', 10, 1732693123456.789), undefined);
      assert.deepStrictEqual(cache.take('/w/a.yaml', 10, 1732693123456.789), ok);
    } finally {
      cache.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('stored diagnostics come back exactly, by folder', async () => {
    const href = 'https://github.com/gamma-lens/gamma-lens/blob/main/docs/diagnostics.md#parent-service-not-found';
    const d = (line: number, version?: number) => ({
      range: { start: { line, character: 12 }, end: { line, character: 19 } },
      severity: 2 as const,
      source: 'gamma-lens',
      code: 'parent-service-not-found',
      codeDescription: { href },
      message: `Service ns/a-${line} is not in the workspace`,
      relatedInformation: undefined,
      data: { code: 'parent-service-not-found', start: 4680, end: 4687, version, payload: { parentIndex: 0, namespace: 'ns', name: `a-${line}` } },
    });
    const withRelated = { ...d(3), relatedInformation: [{ location: { uri: 'file:///w/s.yaml', range: d(1).range }, message: 'here' }] };
    const folders = new Map<string, FolderDiagnostics>([
      ['/w', { key: '["/w",{}]', paths: ['/w/a.yaml', '/w/b.yaml', '/w/c.yaml'], diagnostics: new Map([['/w/a.yaml', [d(1), d(2)]], ['/w/c.yaml', [withRelated]]]) }],
      ['/v', { key: 'v', paths: [], diagnostics: new Map() }],
    ]);
    const { cache, dir } = await roundTrip([['/w/a.yaml', entry(extractFile('/w/a.yaml', 'kind: Service\n'))]], folders);
    try {
      for (const [root, expected] of folders) {
        assert.equal(cache.diagnosticsKey(root), expected.key);
        const got = cache.diagnostics(root);
        assert.ok(got);
        assert.equal(got.key, expected.key);
        assert.deepStrictEqual(got.paths, expected.paths);
        assert.deepStrictEqual([...got.diagnostics.keys()], [...expected.diagnostics.keys()]);
        for (const [file, list] of expected.diagnostics) {
          // Kept as the JSON text that publishing the list sends, and read back as the same list.
          const stored = got.diagnostics.get(file);
          assert.ok(stored instanceof Uint8Array);
          assert.equal(Buffer.from(stored).toString('utf8'), JSON.stringify(list));
          assert.deepStrictEqual(diagnosticsOf(stored), JSON.parse(JSON.stringify(list)));
        }
      }
      assert.equal(cache.diagnostics('/other'), undefined);
      assert.equal(cache.diagnosticsKey('/other'), undefined);
    } finally {
      cache.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('stored diagnostics whose bytes were damaged are not given out (they would be sent to the client unread)', async () => {
    const list = [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 4 } }, message: 'Service ns/a is not in the workspace', source: 'gamma-lens' }];
    const folders = new Map<string, FolderDiagnostics>([['/w', { key: 'k', paths: ['/w/a.yaml'], diagnostics: new Map([['/w/a.yaml', list]]) }]]);
    const { cache, dir } = await roundTrip([['/w/a.yaml', entry(extractFile('/w/a.yaml', 'kind: Service\nmetadata: {name: a}\n'))]], folders);
    cache.close();
    const file = path.join(dir, CACHE_FILE);
    try {
      const good = fs.readFileSync(file);
      const header = JSON.parse(good.toString('utf8', good.length - 8 - good.readUInt32LE(good.length - 8), good.length - 8)) as { tokens: number; lists: number };
      const at = good.indexOf('"message"', header.tokens * 4);
      assert.ok(header.lists > 0 && at > header.tokens * 4);
      const damaged = Buffer.from(good);
      damaged[at] = 0x7b; // '{' where a quote was: no longer JSON, same length
      for (const [bytes, expected] of [[good, true], [damaged, false]] as const) {
        fs.writeFileSync(file, bytes);
        const c = ExtractionCache.open(dir)!;
        try {
          assert.equal(c.discarded, undefined);
          assert.equal(c.diagnosticsKey('/w'), 'k');
          assert.equal(c.diagnostics('/w') !== undefined, expected);
          // The extractions are not affected.
          assert.ok(c.take('/w/a.yaml', 10, 1732693123456.789));
        } finally {
          c.close();
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('deferred rules and ports: taken with empty slots, filled later exactly as extracted (shared refs included), also in copies made before', async () => {
    const files = sharedFiles();
    const all = files.map((f) => extractFile(f.path, f.text));
    const dir = tempDir();
    await ExtractionCache.write(path.join(dir, CACHE_FILE), all.map((ex, i) => [ex.path, entry(ex, i)]));
    const cache = ExtractionCache.open(dir, { deferLists: true })!;
    try {
      const deferred = cache.deferred!;
      assert.ok(deferred);
      // Routes (their rules) and Services with ports (their ports) wait.
      const waiting = (files: ExtractedFile[]): { routes: RouteObject[]; services: ServiceObject[] } => ({
        routes: files.flatMap((ex) => ex.objects.filter((o): o is RouteObject => 'rules' in o)),
        services: files.flatMap((ex) => ex.objects.filter((o): o is ServiceObject => o.kind === 'Service' && (o as ServiceObject).ports.length > 0)),
      });
      // The first files are taken and their lists filled (as a request between two batches of a scan
      // would); the rest are taken after, and wait as the first did.
      const half = Math.floor(all.length / 2);
      const first = all.slice(0, half).map((ex, i) => cache.take(ex.path, i, 1732693123456.789)!);
      const firstWaiting = waiting(first);
      assert.equal(deferred.size, firstWaiting.routes.length + firstWaiting.services.length);
      assert.deepEqual(deferred.fill(), []);
      assert.equal(deferred.size, 0);
      for (const [i, ex] of first.entries()) assert.deepStrictEqual(ex, all[i], all[i]!.path);
      const back = [...first, ...all.slice(half).map((ex, i) => cache.take(ex.path, half + i, 1732693123456.789)!)];
      const { routes, services } = waiting(back.slice(half));
      assert.ok(routes.length > 50 && services.length > 50, `${routes.length} routes, ${services.length} Services`);
      // Every such list waits: it has its length, and nothing in it yet.
      for (const list of [...routes.map((r) => r.rules), ...services.map((s) => s.ports)]) {
        assert.ok(list.length > 0);
        assert.equal(Object.keys(list).length, 0);
      }
      assert.equal(deferred.size, routes.length + services.length);
      // A copy made before the fill (as re-resolving a namespace makes) shares the list that is filled.
      const copies = routes.map((r) => ({ ...r }));
      // Filled a slice at a time: a deadline already past still fills some, and stops.
      assert.deepEqual(deferred.fill(0), []);
      assert.ok(deferred.size > 0 && deferred.size < routes.length + services.length, `${deferred.size} left`);
      assert.deepEqual(deferred.fill(), []);
      assert.equal(deferred.size, 0);
      for (const [i, ex] of all.entries()) {
        assert.deepStrictEqual(back[i], ex, ex.path);
        assert.deepEqual(JSON.stringify(back[i]), JSON.stringify(ex));
        assert.deepEqual(sharedPaths(back[i]), sharedPaths(ex), ex.path);
      }
      for (const [i, c] of copies.entries()) assert.equal(c.rules, routes[i]!.rules);
      assert.ok(services.every((s) => s.ports.every((p) => p.port !== undefined || p.name !== undefined)));
    } finally {
      cache.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('deferred rules: a route whose rules do not take their refs from the route\'s list is stored whole', async () => {
    const ex = extractFile('/w/r.yaml', FIXTURE_ROUTE);
    const route = ex.objects.find((o): o is RouteObject => o.kind === 'HTTPRoute')!;
    // The rule's list is no longer the route's (which a derived list would be): not deferred.
    const odd = { ...ex, path: '/w/odd.yaml', objects: [{ ...route, file: '/w/odd.yaml', backendRefs: [...route.backendRefs] }] } as ExtractedFile;
    const { cache, dir } = await roundTrip([]);
    cache.close();
    await ExtractionCache.write(path.join(dir, CACHE_FILE), [['/w/r.yaml', entry(ex)], ['/w/odd.yaml', entry(odd)]]);
    const c = ExtractionCache.open(dir, { deferLists: true })!;
    try {
      const a = c.take('/w/r.yaml', 10, 1732693123456.789)!;
      const b = c.take('/w/odd.yaml', 10, 1732693123456.789)!;
      // The route and the Service of r.yaml wait; odd.yaml's route was stored whole.
      assert.equal(c.deferred!.size, 2);
      assert.equal(Object.keys((a.objects[0] as RouteObject).rules).length, 0);
      assert.deepStrictEqual(b, odd);
      assert.notEqual((b.objects[0] as RouteObject).rules[0]!.backendRefs, (b.objects[0] as RouteObject).backendRefs);
      c.deferred!.fill();
      assert.deepStrictEqual(a, ex);
      assert.equal((a.objects[0] as RouteObject).rules[0]!.backendRefs, (a.objects[0] as RouteObject).backendRefs);
    } finally {
      c.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('deferred rules that do not decode: their file is named, its routes get no rules, and the others are filled', async () => {
    const good = extractFile('/w/good.yaml', FIXTURE_ROUTE);
    const bad = extractFile('/w/bad.yaml', FIXTURE_ROUTE.replace('name: r,', 'name: r2,'));
    const dir = tempDir();
    const file = path.join(dir, CACHE_FILE);
    await ExtractionCache.write(file, [['/w/bad.yaml', entry(bad)], ['/w/good.yaml', entry(good)]]);
    // The first deferred value's first rule (marker, count, list, rule): its shape made one no cache has.
    const bytes = fs.readFileSync(file);
    const MARKER = 6 * 16 + 6;
    let at = -1;
    for (let i = 0; i + 16 <= bytes.length; i += 4) {
      if (bytes.readUInt32LE(i) === MARKER && (bytes.readUInt32LE(i + 4) & 15) === 0 && (bytes.readUInt32LE(i + 8) & 7) === 3) {
        at = i + 12;
        break;
      }
    }
    assert.ok(at > 0, 'deferred rules found in the cache file');
    assert.equal(bytes.readUInt32LE(at) & 7, 2, 'an object');
    bytes.writeUInt32LE((((1 << 27) << 4) | 2) >>> 0, at);
    fs.writeFileSync(file, bytes);
    const c = ExtractionCache.open(dir, { deferLists: true })!;
    try {
      const b = c.take('/w/bad.yaml', 10, 1732693123456.789)!;
      const g = c.take('/w/good.yaml', 10, 1732693123456.789)!;
      assert.ok(b && g, 'both taken: their rules are not read yet');
      assert.deepEqual(c.deferred!.fill(), ['/w/bad.yaml']);
      assert.equal(c.deferred!.size, 0);
      assert.deepEqual((b.objects[0] as RouteObject).rules, []);
      assert.deepStrictEqual(g, good);
      // Taken without deferring, the same damage makes the entry unusable (its file is read instead).
      const eager = ExtractionCache.open(dir)!;
      assert.equal(eager.take('/w/bad.yaml', 10, 1732693123456.789), undefined);
      assert.deepStrictEqual(eager.take('/w/good.yaml', 10, 1732693123456.789), good);
      eager.close();
    } finally {
      c.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a cache that is missing, truncated, overwritten, of another format or engine build is not used', async () => {
    const files = sharedFiles().slice(0, 40);
    const entries = files.map((f): [string, CacheEntry] => [f.path, entry(extractFile(f.path, f.text))]);
    const { cache: first, dir } = await roundTrip(entries);
    first.close();
    const file = path.join(dir, CACHE_FILE);
    try {
      assert.equal(ExtractionCache.open(undefined), undefined);
      const empty = ExtractionCache.open(path.join(dir, 'none'))!;
      empty.close();
      assert.equal(empty.size, 0);
      assert.equal(empty.discarded, undefined);

      const good = fs.readFileSync(file);
      const discarded = (bytes: Buffer | string): string | undefined => {
        fs.writeFileSync(file, bytes);
        const c = ExtractionCache.open(dir)!;
        c.close();
        if (c.discarded) assert.equal(c.size, 0);
        return c.discarded;
      };
      assert.equal(discarded(good.subarray(0, Math.floor(good.length / 2))), 'corrupt');
      assert.equal(discarded(good.subarray(0, good.length - 1)), 'corrupt');
      assert.equal(discarded('not a cache at all'), 'corrupt');
      assert.equal(discarded(Buffer.alloc(0)), 'corrupt');
      // The header rewritten: another format, another engine build, a token count that does not fit.
      const headerLength = good.readUInt32LE(good.length - 8);
      const tokens = good.subarray(0, good.length - 8 - headerLength);
      const header = JSON.parse(good.toString('utf8', good.length - 8 - headerLength, good.length - 8)) as Record<string, unknown>;
      const withHeader = (h: Record<string, unknown>): Buffer => {
        const json = Buffer.from(JSON.stringify(h));
        const trailer = Buffer.from(good.subarray(good.length - 8));
        trailer.writeUInt32LE(json.length, 0);
        return Buffer.concat([tokens, json, trailer]);
      };
      assert.equal(discarded(withHeader({ ...header, format: 3 })), 'another format');
      assert.equal(discarded(withHeader({ ...header, engine: 'other' })), 'another engine build');
      assert.equal(discarded(withHeader({ ...header, tokens: (header.tokens as number) + 1 })), 'corrupt');
      assert.equal(discarded(withHeader({ ...header, lists: (header.lists as number) + 1 })), 'corrupt');
      // A stored class whose shape this build does not have (its objects would lose their class).
      const shapes = header.shapes as string[][];
      assert.ok(shapes.some((keys) => keys[0] === '#parentRef.groupValue'), JSON.stringify(shapes));
      const renamed = shapes.map((keys) => (keys[0] === '#parentRef.groupValue' ? keys.map((k) => k.replace('groupValue', 'group')) : keys));
      assert.equal(discarded(withHeader({ ...header, shapes: renamed })), 'another format');
      // The v8.serialize cache of earlier builds (mark "GLC1").
      const old = Buffer.from(good);
      old.writeUInt32LE(0x31434c47, old.length - 4);
      assert.equal(discarded(old), 'another format');
      assert.equal(discarded(good), undefined);

      // Tokens overwritten: reading them back throws nothing, and entries whose tokens do not decode are not given out.
      const garbled = Buffer.from(good);
      for (let i = 0; i < tokens.length; i += 4) if ((i / 4) % 7 === 3) garbled.writeUInt32LE((i * 2654435761) >>> 0, i);
      fs.writeFileSync(file, garbled);
      const c = ExtractionCache.open(dir)!;
      assert.equal(c.discarded, undefined);
      let returned = 0;
      for (const [p, e] of entries) {
        const back = c.take(p, e.size, e.mtimeMs);
        if (back) {
          returned++;
          assert.equal(back.path, p);
        }
      }
      c.close();
      assert.ok(returned < entries.length, `${returned} of ${entries.length} entries read back from garbled tokens`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
