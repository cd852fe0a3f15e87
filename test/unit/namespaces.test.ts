/** Namespace inference as `kustomize build` would set it (CONTRACT §3). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Workspace } from '../../server/src/core/index/snapshot';
import { DEFAULT_OPTIONS } from '../../server/src/core/options';
import { workspace } from '../support/workspace';

const svc = (name: string, ns?: string): string =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n${ns ? `  namespace: ${ns}\n` : ''}spec:\n  ports: [{port: 80}]\n`;
const kust = (ns: string | undefined, resources: string[], kind = true): string =>
  `${kind ? 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n' : ''}${ns ? `namespace: ${ns}\n` : ''}resources:\n${resources.map((r) => `- ${r}\n`).join('')}`;

/** `name -> [namespace, source]` of every Service in the workspace. */
function namespaces(ws: Workspace): Record<string, [string, string]> {
  const out: Record<string, [string, string]> = {};
  for (const o of ws.objects()) if (o.kind === 'Service') out[o.name] = [o.namespace, o.namespaceSource];
  return out;
}

const CASES: Array<{ name: string; files: Record<string, string>; defaultNamespace?: string; expect: Record<string, [string, string]> }> = [
  {
    name: 'no kustomization: metadata.namespace, else the default',
    files: { '/ws/a.yaml': svc('a', 'meta'), '/ws/b.yaml': svc('b') },
    expect: { a: ['meta', 'metadata'], b: ['default', 'default'] },
  },
  {
    name: 'the configured default namespace',
    defaultNamespace: 'dflt',
    files: { '/ws/b.yaml': svc('b') },
    expect: { b: ['dflt', 'default'] },
  },
  {
    name: 'a kustomization listing the file wins over metadata.namespace',
    files: { '/ws/kustomization.yaml': kust('kns', ['a.yaml', 'b.yaml']), '/ws/a.yaml': svc('a', 'meta'), '/ws/b.yaml': svc('b') },
    expect: { a: ['kns', 'kustomization'], b: ['kns', 'kustomization'] },
  },
  {
    name: 'files the kustomization does not list keep their own namespace',
    files: { '/ws/kustomization.yaml': kust('kns', ['a.yaml']), '/ws/a.yaml': svc('a', 'meta'), '/ws/other.yaml': svc('other', 'meta') },
    expect: { a: ['kns', 'kustomization'], other: ['meta', 'metadata'] },
  },
  {
    name: 'a listed folder covers the files below it; ./ and trailing slashes are normalised',
    files: {
      '/ws/kustomization.yml': kust('kns', ['./base/', 'apps']),
      '/ws/base/svc.yaml': svc('a', 'meta'),
      '/ws/apps/deep/more/svc.yaml': svc('b'),
      '/ws/basement/svc.yaml': svc('c', 'meta'),
    },
    expect: { a: ['kns', 'kustomization'], b: ['kns', 'kustomization'], c: ['meta', 'metadata'] },
  },
  {
    name: 'a kustomization in an ancestor folder that lists the file by a relative path',
    files: { '/ws/Kustomization': kust('kns', ['sub/dir/a.yaml']), '/ws/sub/dir/a.yaml': svc('a') },
    expect: { a: ['kns', 'kustomization'] },
  },
  {
    name: 'a kustomization without namespace: metadata.namespace',
    files: { '/ws/kustomization.yaml': kust(undefined, ['a.yaml']), '/ws/a.yaml': svc('a', 'meta') },
    expect: { a: ['meta', 'metadata'] },
  },
  {
    name: 'only the nearest kustomization counts (the nearer one does not list the file)',
    files: {
      '/ws/kustomization.yaml': kust('outer', ['app']),
      '/ws/app/kustomization.yaml': kust('inner', ['listed.yaml']),
      '/ws/app/listed.yaml': svc('listed', 'meta'),
      '/ws/app/unlisted.yaml': svc('unlisted', 'meta'),
    },
    expect: { listed: ['inner', 'kustomization'], unlisted: ['meta', 'metadata'] },
  },
  {
    name: 'only the nearest kustomization counts (the nearer one sets no namespace)',
    files: {
      '/ws/kustomization.yaml': kust('outer', ['app']),
      '/ws/app/kustomization.yaml': kust(undefined, ['a.yaml']),
      '/ws/app/a.yaml': svc('a'),
    },
    expect: { a: ['default', 'default'] },
  },
  {
    name: 'a kustomization in a sibling folder does not apply',
    files: { '/ws/x/kustomization.yaml': kust('kns', ['../y/a.yaml']), '/ws/y/a.yaml': svc('a', 'meta') },
    expect: { a: ['meta', 'metadata'] },
  },
  {
    name: 'a kustomization without apiVersion/kind is still read',
    files: { '/ws/kustomization.yaml': kust('kns', ['a.yaml'], false), '/ws/a.yaml': svc('a') },
    expect: { a: ['kns', 'kustomization'] },
  },
];

for (const c of CASES) {
  test(`namespace: ${c.name}`, () => {
    const ws = workspace(c.files, c.defaultNamespace ? { defaultNamespace: c.defaultNamespace } : {});
    assert.deepEqual(namespaces(ws), c.expect);
  });
}

test('cluster-scoped kinds have no namespace, even when a kustomization or metadata sets one', () => {
  const ws = workspace({
    '/ws/kustomization.yaml': kust('kns', ['a.yaml']),
    '/ws/a.yaml':
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: n1, namespace: x}\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: gc}\n',
  });
  assert.deepEqual(
    [...ws.objects()].filter((o) => o.kind !== 'Kustomization').map((o) => [o.kind, o.name, o.namespace, o.namespaceSource]),
    [
      ['Namespace', 'n1', '', 'cluster'],
      ['GatewayClass', 'gc', '', 'cluster'],
    ],
  );
  assert.equal(ws.lookup('Namespace', '', 'n1').length, 1);
});

test('Services and lookups are keyed by the resolved namespace', () => {
  const ws = workspace({ '/ws/kustomization.yaml': kust('kns', ['a.yaml']), '/ws/a.yaml': svc('a', 'meta') });
  assert.ok(ws.service('kns', 'a'));
  assert.equal(ws.service('meta', 'a'), undefined);
});

test('a route parentRef without namespace resolves in the route\'s kustomized namespace', () => {
  const route = 'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: meta}\nspec:\n  parentRefs: [{group: "", kind: Service, name: a}]\n';
  const ws = workspace({ '/ws/kustomization.yaml': kust('kns', ['a.yaml', 'r.yaml']), '/ws/a.yaml': svc('a'), '/ws/r.yaml': route });
  assert.deepEqual(ws.referencesTo('kns', 'a').map((r) => `${r.route.namespace}/${r.route.name}`), ['kns/r']);
  assert.deepEqual(ws.referencesTo('meta', 'a'), []);
});

test('editing a kustomization through withFiles re-resolves the other files', () => {
  const files = { '/ws/kustomization.yaml': kust('one', ['a.yaml']), '/ws/a.yaml': svc('a', 'meta'), '/ws/b.yaml': svc('b', 'meta') };
  const ws1 = workspace(files);
  assert.deepEqual(namespaces(ws1), { a: ['one', 'kustomization'], b: ['meta', 'metadata'] });

  const ws2 = ws1.withFiles([{ path: '/ws/kustomization.yaml', text: kust('two', ['a.yaml', 'b.yaml']) }]);
  assert.deepEqual(namespaces(ws2), { a: ['two', 'kustomization'], b: ['two', 'kustomization'] });
  assert.ok(ws2.service('two', 'a'));
  assert.ok(ws2.service('two', 'b'));
  assert.equal(ws2.service('one', 'a'), undefined);
  assert.equal(ws2.service('meta', 'b'), undefined);
  // The old snapshot is unchanged.
  assert.deepEqual(namespaces(ws1), { a: ['one', 'kustomization'], b: ['meta', 'metadata'] });
  assert.ok(ws1.service('one', 'a'));

  const ws3 = ws2.withFiles([{ path: '/ws/kustomization.yaml', text: null }]);
  assert.deepEqual(namespaces(ws3), { a: ['meta', 'metadata'], b: ['meta', 'metadata'] });
  assert.ok(ws3.service('meta', 'a'));
  assert.equal(ws3.service('two', 'a'), undefined);

  // Adding a kustomization to a workspace that had none.
  const ws4 = ws3.withFiles([{ path: '/ws/Kustomization', text: kust('three', ['.']) }]);
  assert.deepEqual(namespaces(ws4), { a: ['three', 'kustomization'], b: ['three', 'kustomization'] });

  // A file added below an existing kustomization is resolved against it.
  const ws5 = ws4.withFiles([{ path: '/ws/sub/c.yaml', text: svc('c', 'meta') }]);
  assert.deepEqual(namespaces(ws5).c, ['three', 'kustomization']);
});

test('withOptions: a new default namespace re-resolves objects without one', () => {
  const ws = workspace({ '/ws/a.yaml': svc('a'), '/ws/b.yaml': svc('b', 'meta') });
  const ws2 = ws.withOptions({ ...DEFAULT_OPTIONS, defaultNamespace: 'other' });
  assert.deepEqual(namespaces(ws2), { a: ['other', 'default'], b: ['meta', 'metadata'] });
  assert.ok(ws2.service('other', 'a'));
  assert.deepEqual(namespaces(ws), { a: ['default', 'default'], b: ['meta', 'metadata'] });
});
