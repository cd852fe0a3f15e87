/** Effective route sets per (Service, port, caller namespace), kind conflicts and route order. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRoutes, effectiveGroup, serviceBindings } from '../../server/src/core/bindings/effective';
import { bindingsReport } from '../../server/src/core/bindings/report';
import type { Workspace } from '../../server/src/core/index/snapshot';
import { objectId } from '../../server/src/core/model/types';
import type { Implementation } from '../../server/src/core/options';
import { workspace } from '../support/workspace';

const SVC = `apiVersion: v1
kind: Service
metadata: {name: svc, namespace: app}
spec:
  ports:
  - {name: http, port: 80}
  - {name: grpc, port: 7070}
`;

interface R {
  kind?: string;
  name: string;
  ns?: string;
  port?: number;
  section?: string;
  created?: string;
}

function route(r: R): string {
  const kind = r.kind ?? 'HTTPRoute';
  const ns = r.ns ?? 'app';
  const ref = [`group: ""`, 'kind: Service', 'name: svc', 'namespace: app', r.port ? `port: ${r.port}` : '', r.section ? `sectionName: ${r.section}` : ''].filter(Boolean).join(', ');
  const version = kind === 'HTTPRoute' || kind === 'GRPCRoute' ? 'v1' : 'v1alpha2';
  return `apiVersion: gateway.networking.k8s.io/${version}\nkind: ${kind}\nmetadata:\n  name: ${r.name}\n  namespace: ${ns}\n${r.created ? `  creationTimestamp: "${r.created}"\n` : ''}spec:\n  parentRefs: [{${ref}}]\n  rules:\n  - backendRefs: [{name: svc, namespace: app, port: 80}]\n`;
}

function ws(routes: R[], implementation: Implementation = 'generic'): Workspace {
  const files: Record<string, string> = { '/ws/svc.yaml': SVC };
  routes.forEach((r, i) => (files[`/ws/r${String(i).padStart(2, '0')}.yaml`] = route(r)));
  return workspace(files, { implementation });
}

/** `port -> caller -> "audience kind: ids | conflicted"` for the callers asked about. */
function effective(w: Workspace, callers: string[]): Record<string, Record<string, string>> {
  const b = serviceBindings(w, w.service('app', 'svc')!);
  const out: Record<string, Record<string, string>> = {};
  for (const pb of b.ports) {
    const row: Record<string, string> = {};
    for (const from of callers) {
      const { audience, group } = effectiveGroup(pb, from);
      row[from] = group
        ? `${audience} ${group.kind}: ${group.routes.map((a) => objectId(a.route)).join(', ')}${group.conflicted.length ? ` | lost: ${group.conflicted.map((a) => objectId(a.route)).join(', ')}` : ''}`
        : audience;
    }
    out[String(pb.port.port!.value)] = row;
  }
  return out;
}

const CALLERS = ['app', 'dev', 'other'];

const CASES: Array<{ name: string; routes: R[]; impl?: Implementation; expect: Record<string, Record<string, string>> }> = [
  {
    name: 'no routes: default routing for everybody',
    routes: [],
    expect: { '80': { app: 'default', dev: 'default', other: 'default' }, '7070': { app: 'default', dev: 'default', other: 'default' } },
  },
  {
    name: 'a producer route applies to every caller',
    routes: [{ name: 'p' }],
    expect: {
      '80': { app: 'producer HTTPRoute: HTTPRoute/app/p', dev: 'producer HTTPRoute: HTTPRoute/app/p', other: 'producer HTTPRoute: HTTPRoute/app/p' },
      '7070': { app: 'producer HTTPRoute: HTTPRoute/app/p', dev: 'producer HTTPRoute: HTTPRoute/app/p', other: 'producer HTTPRoute: HTTPRoute/app/p' },
    },
  },
  {
    name: 'a consumer route replaces the producer routes for its namespace only; never merged',
    routes: [{ name: 'p' }, { name: 'c', ns: 'dev' }],
    expect: {
      '80': { app: 'producer HTTPRoute: HTTPRoute/app/p', dev: 'consumer HTTPRoute: HTTPRoute/dev/c', other: 'producer HTTPRoute: HTTPRoute/app/p' },
      '7070': { app: 'producer HTTPRoute: HTTPRoute/app/p', dev: 'consumer HTTPRoute: HTTPRoute/dev/c', other: 'producer HTTPRoute: HTTPRoute/app/p' },
    },
  },
  {
    name: 'consumer routes without producer routes: others get default routing',
    routes: [{ name: 'c', ns: 'dev' }],
    expect: {
      '80': { app: 'default', dev: 'consumer HTTPRoute: HTTPRoute/dev/c', other: 'default' },
      '7070': { app: 'default', dev: 'consumer HTTPRoute: HTTPRoute/dev/c', other: 'default' },
    },
  },
  {
    name: 'a port-specific consumer route replaces the producer routes on that port only',
    routes: [{ name: 'p' }, { name: 'c', ns: 'dev', port: 80 }],
    expect: {
      '80': { app: 'producer HTTPRoute: HTTPRoute/app/p', dev: 'consumer HTTPRoute: HTTPRoute/dev/c', other: 'producer HTTPRoute: HTTPRoute/app/p' },
      '7070': { app: 'producer HTTPRoute: HTTPRoute/app/p', dev: 'producer HTTPRoute: HTTPRoute/app/p', other: 'producer HTTPRoute: HTTPRoute/app/p' },
    },
  },
  {
    name: 'kind conflict GRPC > HTTP > TLS > TCP per port within a group',
    routes: [
      { name: 'tcp', kind: 'TCPRoute' },
      { name: 'tls', kind: 'TLSRoute' },
      { name: 'http', kind: 'HTTPRoute', port: 80 },
      { name: 'grpc', kind: 'GRPCRoute', port: 7070 },
    ],
    expect: {
      '80': { app: 'producer HTTPRoute: HTTPRoute/app/http | lost: TCPRoute/app/tcp, TLSRoute/app/tls', dev: 'producer HTTPRoute: HTTPRoute/app/http | lost: TCPRoute/app/tcp, TLSRoute/app/tls', other: 'producer HTTPRoute: HTTPRoute/app/http | lost: TCPRoute/app/tcp, TLSRoute/app/tls' },
      '7070': { app: 'producer GRPCRoute: GRPCRoute/app/grpc | lost: TCPRoute/app/tcp, TLSRoute/app/tls', dev: 'producer GRPCRoute: GRPCRoute/app/grpc | lost: TCPRoute/app/tcp, TLSRoute/app/tls', other: 'producer GRPCRoute: GRPCRoute/app/grpc | lost: TCPRoute/app/tcp, TLSRoute/app/tls' },
    },
  },
  {
    name: 'TLS beats TCP; a lone TCP route applies',
    routes: [{ name: 'tcp', kind: 'TCPRoute' }, { name: 'tls', kind: 'TLSRoute', port: 80 }],
    expect: {
      '80': { app: 'producer TLSRoute: TLSRoute/app/tls | lost: TCPRoute/app/tcp', dev: 'producer TLSRoute: TLSRoute/app/tls | lost: TCPRoute/app/tcp', other: 'producer TLSRoute: TLSRoute/app/tls | lost: TCPRoute/app/tcp' },
      '7070': { app: 'producer TCPRoute: TCPRoute/app/tcp', dev: 'producer TCPRoute: TCPRoute/app/tcp', other: 'producer TCPRoute: TCPRoute/app/tcp' },
    },
  },
  {
    name: 'kinds in different groups do not conflict',
    routes: [{ name: 'p', kind: 'GRPCRoute', port: 7070 }, { name: 'c', ns: 'dev', kind: 'TCPRoute', port: 7070 }],
    expect: {
      '80': { app: 'default', dev: 'default', other: 'default' },
      '7070': { app: 'producer GRPCRoute: GRPCRoute/app/p', dev: 'consumer TCPRoute: TCPRoute/dev/c', other: 'producer GRPCRoute: GRPCRoute/app/p' },
    },
  },
  {
    name: 'istio: kind conflicts are not resolved, all apply',
    impl: 'istio',
    routes: [{ name: 'tcp', kind: 'TCPRoute' }, { name: 'http', kind: 'HTTPRoute', port: 80 }],
    expect: {
      '80': { app: 'producer HTTPRoute: HTTPRoute/app/http, TCPRoute/app/tcp', dev: 'producer HTTPRoute: HTTPRoute/app/http, TCPRoute/app/tcp', other: 'producer HTTPRoute: HTTPRoute/app/http, TCPRoute/app/tcp' },
      '7070': { app: 'producer TCPRoute: TCPRoute/app/tcp', dev: 'producer TCPRoute: TCPRoute/app/tcp', other: 'producer TCPRoute: TCPRoute/app/tcp' },
    },
  },
  {
    name: 'linkerd: conflicts only between identical parentRefs',
    impl: 'linkerd',
    routes: [
      { name: 'tcp-all', kind: 'TCPRoute' },
      { name: 'http-80', kind: 'HTTPRoute', port: 80 },
      { name: 'http-all', kind: 'HTTPRoute' },
      { name: 'tcp-80', kind: 'TCPRoute', port: 80, section: 'http' },
    ],
    expect: {
      '80': {
        app: 'producer HTTPRoute: HTTPRoute/app/http-80, HTTPRoute/app/http-all | lost: TCPRoute/app/tcp-80, TCPRoute/app/tcp-all',
        dev: 'producer HTTPRoute: HTTPRoute/app/http-80, HTTPRoute/app/http-all | lost: TCPRoute/app/tcp-80, TCPRoute/app/tcp-all',
        other: 'producer HTTPRoute: HTTPRoute/app/http-80, HTTPRoute/app/http-all | lost: TCPRoute/app/tcp-80, TCPRoute/app/tcp-all',
      },
      '7070': { app: 'producer HTTPRoute: HTTPRoute/app/http-all | lost: TCPRoute/app/tcp-all', dev: 'producer HTTPRoute: HTTPRoute/app/http-all | lost: TCPRoute/app/tcp-all', other: 'producer HTTPRoute: HTTPRoute/app/http-all | lost: TCPRoute/app/tcp-all' },
    },
  },
  {
    name: 'linkerd: a port-less TCPRoute and a port-80 HTTPRoute do not conflict',
    impl: 'linkerd',
    routes: [{ name: 'tcp-all', kind: 'TCPRoute' }, { name: 'http-80', kind: 'HTTPRoute', port: 80 }],
    expect: {
      '80': { app: 'producer HTTPRoute: HTTPRoute/app/http-80, TCPRoute/app/tcp-all', dev: 'producer HTTPRoute: HTTPRoute/app/http-80, TCPRoute/app/tcp-all', other: 'producer HTTPRoute: HTTPRoute/app/http-80, TCPRoute/app/tcp-all' },
      '7070': { app: 'producer TCPRoute: TCPRoute/app/tcp-all', dev: 'producer TCPRoute: TCPRoute/app/tcp-all', other: 'producer TCPRoute: TCPRoute/app/tcp-all' },
    },
  },
  {
    name: 'cilium: consumer routes are not supported; the producer routes apply to their namespace',
    impl: 'cilium',
    routes: [{ name: 'p' }, { name: 'c', ns: 'dev' }],
    expect: {
      '80': { app: 'producer HTTPRoute: HTTPRoute/app/p', dev: 'producer HTTPRoute: HTTPRoute/app/p', other: 'producer HTTPRoute: HTTPRoute/app/p' },
      '7070': { app: 'producer HTTPRoute: HTTPRoute/app/p', dev: 'producer HTTPRoute: HTTPRoute/app/p', other: 'producer HTTPRoute: HTTPRoute/app/p' },
    },
  },
  {
    name: 'route order: oldest creationTimestamp first, absent = newest, then namespace/name',
    routes: [
      { name: 'z-old', created: '2020-01-01T00:00:00Z', port: 80 },
      { name: 'a-none', port: 80 },
      { name: 'b-none', port: 80 },
      { name: 'm-new', created: '2024-01-01T00:00:00Z', port: 80 },
      { name: 'y-older', created: '2019-06-01T00:00:00Z', port: 80 },
    ],
    expect: {
      '80': {
        app: 'producer HTTPRoute: HTTPRoute/app/y-older, HTTPRoute/app/z-old, HTTPRoute/app/m-new, HTTPRoute/app/a-none, HTTPRoute/app/b-none',
      },
      '7070': { app: 'default' },
    },
  },
];

for (const c of CASES) {
  test(`effective routes: ${c.name}`, () => {
    const w = ws(c.routes, c.impl);
    const callers = Object.keys(c.expect['80']!);
    assert.deepEqual(effective(w, callers.length ? callers : CALLERS), c.expect);
  });
}

test('route order: duplicate ids are ordered by file path, then position in the file', () => {
  const r = route({ name: 'dup', port: 80 });
  const w = workspace({ '/ws/svc.yaml': SVC, '/ws/b.yaml': `${r}---\n${r}`, '/ws/a.yaml': r });
  const g = serviceBindings(w, w.service('app', 'svc')!).ports[0]!.producer!;
  assert.deepEqual(g.routes.map((a) => `${a.route.file}#${a.route.docIndex}`), ['/ws/a.yaml#0', '/ws/b.yaml#0', '/ws/b.yaml#1']);
});

test('compareRoutes is a total order: timestamps, then namespace/name, then file and position', () => {
  const w = workspace({
    '/ws/r.yaml': [
      route({ name: 'b', ns: 'x' }),
      route({ name: 'a', ns: 'y' }),
      route({ name: 'a', ns: 'x', created: '2030-01-01T00:00:00Z' }),
      route({ name: 'c', ns: 'z', created: 'not a date' }),
    ].join('---\n'),
  });
  const sorted = [...w.routes()].sort(compareRoutes).map(objectId);
  assert.deepEqual(sorted, ['HTTPRoute/x/a', 'HTTPRoute/x/b', 'HTTPRoute/y/a', 'HTTPRoute/z/c']);
});

test('a route binding the same port through two refs counts once', () => {
  const text = `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: twice, namespace: app}\nspec:\n  parentRefs:\n  - {group: "", kind: Service, name: svc, sectionName: http}\n  - {group: "", kind: Service, name: svc, namespace: app}\n`;
  const w = workspace({ '/ws/svc.yaml': SVC, '/ws/r.yaml': text });
  const b = serviceBindings(w, w.service('app', 'svc')!);
  assert.deepEqual(b.ports.map((p) => p.producer?.routes.map((a) => objectId(a.route))), [['HTTPRoute/app/twice'], ['HTTPRoute/app/twice']]);
  assert.equal(b.refs.length, 2);
});

test('bindings report: the shape of CONTRACT §4 with consumers sorted and conflicted from any group', () => {
  const w = ws([
    { name: 'p' },
    { name: 'legacy', kind: 'TCPRoute', port: 80 },
    { name: 'c2', ns: 'zeta', port: 80 },
    { name: 'c1', ns: 'beta', kind: 'GRPCRoute', port: 80 },
    { name: 'c1tcp', ns: 'beta', kind: 'TCPRoute', port: 80 },
  ]);
  const report = bindingsReport(w);
  assert.deepEqual(
    report.services.map(({ namespace, name, ports }) => ({ namespace, name, ports })),
    [
      {
        namespace: 'app',
        name: 'svc',
        ports: [
          {
            port: 80,
            name: 'http',
            producer: { kind: 'HTTPRoute', routes: ['HTTPRoute/app/p'] },
            consumers: [
              { namespace: 'beta', kind: 'GRPCRoute', routes: ['GRPCRoute/beta/c1'] },
              { namespace: 'zeta', kind: 'HTTPRoute', routes: ['HTTPRoute/zeta/c2'] },
            ],
            conflicted: ['TCPRoute/app/legacy', 'TCPRoute/beta/c1tcp'],
          },
          { port: 7070, name: 'grpc', producer: { kind: 'HTTPRoute', routes: ['HTTPRoute/app/p'] }, consumers: [], conflicted: [] },
        ],
      },
    ],
  );
});
