/** The immutable workspace snapshot: changes, lookups, references, duplicates and memoised bindings. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceBindings } from '../../server/src/core/bindings/effective';
import { Workspace, releaseText } from '../../server/src/core/index/snapshot';
import { objectId } from '../../server/src/core/model/types';
import { textAt, workspace } from '../support/workspace';

const svc = (name: string, ns = 'ns', ports = '[{name: http, port: 80}]'): string =>
  `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n  ports: ${ports}\n`;
const route = (name: string, parent: string, backend?: string, ns = 'ns'): string =>
  `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n  parentRefs: [{group: "", kind: Service, name: ${parent}, namespace: ns}]\n  rules:\n  - backendRefs: [{name: ${backend ?? parent}, namespace: ns, port: 80}]\n`;

function ids(ws: Workspace): string[] {
  return [...ws.objects()].map((o) => `${objectId(o)}@${o.file}`).sort();
}

test('withFiles returns a new snapshot and leaves the old one unchanged', () => {
  const ws1 = workspace({ '/ws/a.yaml': svc('a'), '/ws/r.yaml': route('r', 'a') });
  const before = ids(ws1);
  const ws2 = ws1.withFiles([
    { path: '/ws/b.yaml', text: svc('b') },
    { path: '/ws/a.yaml', text: svc('a', 'ns', '[{name: http, port: 81}]') },
    { path: '/ws/r.yaml', text: null },
  ]);
  assert.notEqual(ws2, ws1);
  assert.deepEqual(ids(ws1), before);
  assert.equal(ws1.fileCount, 2);
  assert.equal(ws1.resourceCount, 2);
  assert.equal(ws1.service('ns', 'a')!.ports[0]!.port!.value, 80);
  assert.equal(ws1.service('ns', 'b'), undefined);
  assert.equal(ws1.referencesTo('ns', 'a').length, 2);

  assert.deepEqual(ids(ws2), ['Service/ns/a@/ws/a.yaml', 'Service/ns/b@/ws/b.yaml']);
  assert.equal(ws2.fileCount, 2);
  assert.equal(ws2.resourceCount, 2);
  assert.equal(ws2.service('ns', 'a')!.ports[0]!.port!.value, 81);
  assert.ok(ws2.service('ns', 'b'));
  assert.deepEqual(ws2.referencesTo('ns', 'a'), []);
  assert.equal(ws2.file('/ws/r.yaml'), undefined);
  assert.equal(ws2.file('/ws/a.yaml')!.text, svc('a', 'ns', '[{name: http, port: 81}]'));
});

test('lookups after add, change (rename, move namespace) and delete', () => {
  let ws = workspace({});
  assert.equal(ws.fileCount, 0);
  ws = ws.withFiles([{ path: '/ws/a.yaml', text: svc('a') }]);
  assert.equal(ws.lookup('Service', 'ns', 'a').length, 1);
  ws = ws.withFiles([{ path: '/ws/a.yaml', text: svc('renamed') }]);
  assert.deepEqual(ws.lookup('Service', 'ns', 'a'), []);
  assert.equal(ws.service('ns', 'renamed')!.file, '/ws/a.yaml');
  ws = ws.withFiles([{ path: '/ws/a.yaml', text: svc('renamed', 'other') }]);
  assert.equal(ws.service('ns', 'renamed'), undefined);
  assert.ok(ws.service('other', 'renamed'));
  assert.deepEqual([...ws.services()].map(objectId), ['Service/other/renamed']);
  ws = ws.withFiles([{ path: '/ws/a.yaml', text: null }]);
  assert.equal(ws.service('other', 'renamed'), undefined);
  assert.deepEqual([...ws.services()], []);
  assert.equal(ws.resourceCount, 0);
  // Deleting a file that is not there is harmless.
  ws = ws.withFiles([{ path: '/ws/none.yaml', text: null }]);
  assert.equal(ws.fileCount, 0);
});

test('a skipped file is kept for reporting, with no objects', () => {
  const skipped = { reason: 'too-large' as const, span: { start: 0, end: 0 }, message: 'file is big' };
  const ws = workspace({ '/ws/a.yaml': svc('a') }).withFiles([{ path: '/ws/big.yaml', text: null, skipped }]);
  assert.equal(ws.file('/ws/big.yaml')!.skipped, skipped);
  assert.deepEqual(ws.file('/ws/big.yaml')!.objects, []);
  assert.equal(ws.fileCount, 2);
});

test('referencesTo lists parent and backend references by Service, with their spans', () => {
  const files = {
    '/ws/a.yaml': svc('a') + '---\n' + svc('b'),
    '/ws/r1.yaml': route('r1', 'a', 'b'),
    '/ws/r2.yaml': route('r2', 'b', 'b', 'other'),
    '/ws/r3.yaml':
      'apiVersion: gateway.networking.k8s.io/v1\nkind: TCPRoute\nmetadata: {name: t, namespace: ns}\nspec:\n  parentRefs: [{kind: Service, name: a}, {name: a}]\n  rules: [{backendRefs: [{name: a, port: 80}, {kind: Pod, name: a}]}]\n',
  };
  const ws = workspace(files);
  const show = (ns: string, name: string): string[][] =>
    ws.referencesTo(ns, name).map((r) => [r.type, objectId(r.route), textAt(ws, r.route.file, (r.parentRef ?? r.backendRef)!.span)]);
  assert.deepEqual(show('ns', 'a').sort(), [
    ['backend', 'TCPRoute/ns/t', '{name: a, port: 80}'],
    ['parent', 'HTTPRoute/ns/r1', '{group: "", kind: Service, name: a, namespace: ns}'],
    // A `kind: Service` ref without group still names the Service (analyzers flag it).
    ['parent', 'TCPRoute/ns/t', '{kind: Service, name: a}'],
  ]);
  assert.deepEqual(show('ns', 'b').sort(), [
    ['backend', 'HTTPRoute/ns/r1', '{name: b, namespace: ns, port: 80}'],
    ['backend', 'HTTPRoute/other/r2', '{name: b, namespace: ns, port: 80}'],
    ['parent', 'HTTPRoute/other/r2', '{group: "", kind: Service, name: b, namespace: ns}'],
  ]);
  const ws2 = ws.withFiles([{ path: '/ws/r1.yaml', text: route('r1', 'b', 'b') }]);
  assert.deepEqual(ws2.referencesTo('ns', 'a').map((r) => objectId(r.route)).sort(), ['TCPRoute/ns/t', 'TCPRoute/ns/t']);
  assert.equal(ws2.referencesTo('ns', 'b').length, 4);
});

test('objects defined more than once: every copy is indexed; the first by file path is the Service used', () => {
  const ws = workspace({
    '/ws/z/svc.yaml': svc('a', 'ns', '[{name: http, port: 82}]'),
    '/ws/b/svc.yaml': svc('a', 'ns', '[{name: http, port: 81}]') + '---\n' + svc('a', 'ns', '[{name: http, port: 83}]'),
    '/ws/a/route.yaml': route('r', 'a'),
    '/ws/c/route.yaml': route('r', 'a'),
  });
  assert.deepEqual(
    ws.lookup('Service', 'ns', 'a').map((o) => `${o.file}#${o.docIndex}`),
    ['/ws/b/svc.yaml#0', '/ws/b/svc.yaml#1', '/ws/z/svc.yaml#0'],
  );
  assert.equal(ws.service('ns', 'a')!.ports[0]!.port!.value, 81);
  assert.equal([...ws.services()].length, 1);
  assert.deepEqual(ws.lookup('HTTPRoute', 'ns', 'r').map((o) => o.file), ['/ws/a/route.yaml', '/ws/c/route.yaml']);
  // Removing the first copy promotes the next.
  const ws2 = ws.withFiles([{ path: '/ws/b/svc.yaml', text: null }]);
  assert.equal(ws2.service('ns', 'a')!.ports[0]!.port!.value, 82);
  // Both copies of the route bind, ordered by file.
  const b = serviceBindings(ws, ws.service('ns', 'a')!);
  assert.deepEqual(b.ports[0]!.producer!.routes.map((a) => a.route.file), ['/ws/a/route.yaml', '/ws/c/route.yaml']);
});

test('memoised bindings: invalidated when the Service or a route pointing at it changes, kept otherwise', () => {
  const ws1 = workspace({
    '/ws/svc.yaml': svc('a') + '---\n' + svc('b'),
    '/ws/ra.yaml': route('ra', 'a'),
    '/ws/rb.yaml': route('rb', 'b'),
    '/ws/other.yaml': svc('c'),
  });
  const a1 = serviceBindings(ws1, ws1.service('ns', 'a')!);
  const b1 = serviceBindings(ws1, ws1.service('ns', 'b')!);
  assert.equal(serviceBindings(ws1, ws1.service('ns', 'a')!), a1, 'memoised within a snapshot');

  // An unrelated file: both kept.
  const ws2 = ws1.withFiles([{ path: '/ws/other.yaml', text: svc('c', 'ns', '[{port: 9}]') }]);
  assert.equal(serviceBindings(ws2, ws2.service('ns', 'a')!), a1);
  assert.equal(serviceBindings(ws2, ws2.service('ns', 'b')!), b1);

  // A route pointing at a: a recomputed, b kept.
  const ws3 = ws2.withFiles([{ path: '/ws/ra.yaml', text: route('ra2', 'a') }]);
  const a3 = serviceBindings(ws3, ws3.service('ns', 'a')!);
  assert.notEqual(a3, a1);
  assert.deepEqual(a3.ports[0]!.producer!.routes.map((x) => x.route.name), ['ra2']);
  assert.equal(serviceBindings(ws3, ws3.service('ns', 'b')!), b1);
  // The old snapshot still answers with its own result.
  assert.equal(serviceBindings(ws1, ws1.service('ns', 'a')!), a1);

  // A route moving from a to b: both recomputed.
  const ws4 = ws3.withFiles([{ path: '/ws/ra.yaml', text: route('ra2', 'b') }]);
  const a4 = serviceBindings(ws4, ws4.service('ns', 'a')!);
  const b4 = serviceBindings(ws4, ws4.service('ns', 'b')!);
  assert.notEqual(a4, a3);
  assert.notEqual(b4, b1);
  assert.equal(a4.ports[0]!.producer, null);
  assert.deepEqual(b4.ports[0]!.producer!.routes.map((x) => x.route.name), ['ra2', 'rb']);

  // The Service itself changes (a new port): recomputed with the new port.
  const ws5 = ws4.withFiles([{ path: '/ws/svc.yaml', text: svc('a', 'ns', '[{name: http, port: 80}, {name: x, port: 81}]') + '---\n' + svc('b') }]);
  const b5 = serviceBindings(ws5, ws5.service('ns', 'b')!);
  assert.notEqual(b5, b4);
  assert.deepEqual(serviceBindings(ws5, ws5.service('ns', 'a')!).ports.map((p) => p.port.port?.value), [80, 81]);

  // A route whose only reference to b is a backend also invalidates b (conservative), but not a.
  const a5 = serviceBindings(ws5, ws5.service('ns', 'a')!);
  const ws6 = ws5.withFiles([{ path: '/ws/new.yaml', text: route('n', 'c', 'c') }]);
  assert.equal(serviceBindings(ws6, ws6.service('ns', 'a')!), a5);
  assert.equal(serviceBindings(ws6, ws6.service('ns', 'b')!), b5);
});

test('a Service added after a route pointing at it binds in the new snapshot', () => {
  const ws1 = workspace({ '/ws/r.yaml': route('r', 'late') });
  assert.equal(ws1.service('ns', 'late'), undefined);
  const ws2 = ws1.withFiles([{ path: '/ws/s.yaml', text: svc('late') }]);
  const b = serviceBindings(ws2, ws2.service('ns', 'late')!);
  assert.deepEqual(b.ports[0]!.producer!.routes.map((x) => x.route.name), ['r']);
});

test('withFilesInPlace builds the same snapshot batch by batch, and never changes a snapshot something was derived from', () => {
  const W = Workspace;
  const files: Record<string, string> = {};
  for (let i = 0; i < 30; i++) {
    files[`/ws/s${i}.yaml`] = svc(`s${i}`);
    files[`/ws/r${i}.yaml`] = route(`r${i}`, `s${i % 7}`, `s${(i * 3) % 30}`);
  }
  const paths = Object.keys(files);
  const reference = W.fromFiles(paths.map((p) => ({ path: p, text: files[p]! })));
  let ws = W.empty();
  for (let i = 0; i < paths.length; i += 8) ws = ws.withFilesInPlace(paths.slice(i, i + 8).map((p) => ({ path: p, text: files[p]! })));
  const compacted = ws.compacted();
  for (const w of [ws, compacted]) {
    assert.deepEqual(ids(w), ids(reference));
    assert.deepEqual(w.referencesTo('ns', 's3').map((r) => `${r.type}:${r.route.name}`).sort(), reference.referencesTo('ns', 's3').map((r) => `${r.type}:${r.route.name}`).sort());
    assert.deepEqual([...w.serviceNamesByNamespace()], [...reference.serviceNamesByNamespace()]);
    assert.deepEqual(serviceBindings(w, w.service('ns', 's0')!).refs.map((r) => r.route.name), serviceBindings(reference, reference.service('ns', 's0')!).refs.map((r) => r.route.name));
  }
  // A snapshot derived from `ws` keeps it frozen: building on in place then forks instead.
  const derived = ws.withFiles([{ path: '/ws/s0.yaml', text: null }]);
  const next = ws.withFilesInPlace([{ path: '/ws/extra.yaml', text: svc('extra') }]);
  assert.equal(derived.service('ns', 'extra'), undefined);
  assert.equal(derived.service('ns', 's0'), undefined);
  assert.ok(next.service('ns', 'extra'));
  assert.ok(next.service('ns', 's0'));
  assert.equal(ws.service('ns', 'extra'), undefined);
});

test('withFilesInPlace appends to index lists in place only when no other snapshot can hold them', () => {
  // Each route names hub twice (parentRef and backendRef).
  const names = (w: Workspace): string[] => {
    const refs = w.referencesTo('ns', 'hub').map((r) => `${r.route.name}:${r.type}`);
    assert.equal(refs.length, new Set(refs).size, refs.join(' '));
    return [...new Set(refs.map((r) => r.split(':')[0]!))].sort();
  };
  const namespaces = (w: Workspace): string[] => [...w.serviceNamesByNamespace()].map(([ns, list]) => `${ns}:${[...list].sort().join(',')}`);
  // Started empty and built only in place: its lists are appended to directly...
  let ws = Workspace.empty().withFilesInPlace([{ path: '/ws/hub.yaml', text: svc('hub') }, { path: '/ws/r1.yaml', text: route('r1', 'hub') }]);
  ws = ws.withFilesInPlace([{ path: '/ws/r2.yaml', text: route('r2', 'hub') }]);
  assert.deepEqual(names(ws), ['r1', 'r2']);
  // ...until a snapshot is derived from it: that one keeps its lists whatever is built on either.
  const derived = ws.withFiles([{ path: '/ws/r3.yaml', text: route('r3', 'hub') }, { path: '/ws/s2.yaml', text: svc('s2') }]);
  const other = ws.withFiles([{ path: '/ws/r7.yaml', text: route('r7', 'hub') }]);
  const built = ws.withFilesInPlace([{ path: '/ws/r4.yaml', text: route('r4', 'hub') }, { path: '/ws/s4.yaml', text: svc('s4') }]);
  assert.deepEqual(names(ws), ['r1', 'r2']);
  assert.deepEqual(names(derived), ['r1', 'r2', 'r3']);
  assert.deepEqual(names(built), ['r1', 'r2', 'r4']);
  assert.deepEqual(namespaces(ws), ['ns:hub']);
  assert.deepEqual(namespaces(derived), ['ns:hub,s2']);
  assert.deepEqual(namespaces(built), ['ns:hub,s4']);
  // In place on a layered snapshot: the lists below its layer stay as they were.
  const onDerived = derived.withFilesInPlace([{ path: '/ws/r5.yaml', text: route('r5', 'hub') }, { path: '/ws/s5.yaml', text: svc('s5') }]);
  assert.deepEqual(names(onDerived), ['r1', 'r2', 'r3', 'r5']);
  assert.deepEqual(namespaces(onDerived), ['ns:hub,s2,s5']);
  assert.deepEqual(names(ws), ['r1', 'r2']);
  assert.deepEqual(names(other), ['r1', 'r2', 'r7']);
  // A flattened copy shares its lists with the snapshot it was made from.
  const flat = other.compacted();
  const onFlat = flat.withFilesInPlace([{ path: '/ws/r6.yaml', text: route('r6', 'hub') }, { path: '/ws/s6.yaml', text: svc('s6') }]);
  assert.deepEqual(names(other), ['r1', 'r2', 'r7']);
  assert.deepEqual(namespaces(other), ['ns:hub']);
  assert.deepEqual(names(onFlat), ['r1', 'r2', 'r6', 'r7']);
  assert.deepEqual(namespaces(onFlat), ['ns:hub,s6']);
  // Compacting a snapshot built in place keeps it, with the same contents.
  const pure = Workspace.empty()
    .withFilesInPlace([{ path: '/ws/hub.yaml', text: svc('hub') }, { path: '/ws/r1.yaml', text: route('r1', 'hub') }])
    .withFilesInPlace([{ path: '/ws/r2.yaml', text: route('r2', 'hub') }, { path: '/ws/s2.yaml', text: svc('s2') }]);
  const done = pure.compacted();
  assert.equal(done, pure);
  assert.deepEqual(names(done), ['r1', 'r2']);
  assert.deepEqual(namespaces(done), ['ns:hub,s2']);
});

test('releaseText: a file read on demand reads its text again after a release; a given text stays', () => {
  const text = svc('a');
  let reads = 0;
  const ws = Workspace.fromFiles([
    { path: '/ws/lazy.yaml', text, readText: () => (reads++, text) },
    { path: '/ws/given.yaml', text: svc('b') },
  ]);
  const lazy = ws.file('/ws/lazy.yaml')!;
  assert.equal(reads, 0);
  assert.equal(lazy.lines().positionAt(text.indexOf('kind')).line, 1);
  assert.equal(lazy.text, text);
  assert.equal(reads, 1);
  releaseText(lazy);
  assert.equal(reads, 1);
  assert.equal(lazy.lines().positionAt(text.indexOf('spec')).line, 3);
  assert.equal(reads, 2);
  const given = ws.file('/ws/given.yaml')!;
  releaseText(given);
  assert.equal(given.text, svc('b'));
});
