/**
 * The gateway-api mesh conformance fixtures (digest §8): the bindings each test relies on and the
 * request outcomes each test asserts. Each test file is loaded with manifests.yaml as its own
 * workspace; then every fixture file is loaded as one workspace, where the many routes on Service
 * `echo` merge into one producer group.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { explain } from '../../server/src/core/bindings/explain';
import type { ExplainResult } from '../../server/src/core/bindings/explain';
import { bindingsReport } from '../../server/src/core/bindings/report';
import { resolveRoute } from '../../server/src/core/bindings/resolve';
import { Workspace } from '../../server/src/core/index/snapshot';
import { objectId } from '../../server/src/core/model/types';
import { DEFAULT_OPTIONS } from '../../server/src/core/options';
import { FIXTURES, workspaceFromDisk } from '../support/workspace';

const GW = path.join(FIXTURES, 'gateway-api');
const MESH_DIR = path.join(GW, 'conformance', 'tests', 'mesh');
const MANIFESTS = path.join(GW, 'conformance', 'mesh', 'manifests.yaml');
const M = 'gateway-conformance-mesh';
const C = 'gateway-conformance-mesh-consumer';

function single(file: string): Workspace {
  return workspaceFromDisk([MANIFESTS, path.join(MESH_DIR, file)]);
}

interface Req {
  svc: string;
  port?: number;
  from?: string;
  path?: string;
  headers?: Array<[string, string]>;
}

function ask(ws: Workspace, r: Req): ExplainResult {
  return explain(ws, { service: { namespace: M, name: r.svc }, port: r.port ?? 80, from: r.from ?? M, path: r.path, headers: r.headers });
}

/** `audience status backends` with backends as `name:port@weight` (namespace dropped when it is the mesh one). */
function outcome(r: ExplainResult): string {
  const b = r.backends.map((x) => `${x.service.startsWith(`${M}/`) ? x.service.slice(M.length + 1) : x.service}:${x.port}@${x.weight}`).join(',');
  return `${r.audience} ${r.status}${b ? ` ${b}` : ''}`;
}

/** For each Service port, the producer route ids, or `-`. */
function producers(ws: Workspace, svc: string): Record<number, string> {
  const report = bindingsReport(ws);
  const s = report.services.find((x) => x.namespace === M && x.name === svc);
  assert.ok(s, `Service ${svc}`);
  const out: Record<number, string> = {};
  for (const p of s.ports) out[p.port] = p.producer ? `${p.producer.kind}: ${p.producer.routes.join(', ')}` : '-';
  return out;
}

const ALL_PORTS = [80, 443, 7070, 8080, 9090];
const each = (v: string): Record<number, string> => Object.fromEntries(ALL_PORTS.map((p) => [p, v]));

test('manifests.yaml alone: three Services with five ports each, no routes, MeshBasic reaches echo', () => {
  const ws = workspaceFromDisk([MANIFESTS]);
  const report = bindingsReport(ws);
  assert.deepEqual(
    report.services.map((s) => [s.namespace, s.name, s.ports.map((p) => `${p.name}:${p.port}`).join(' ')]),
    [
      [M, 'echo', 'http:80 https:443 grpc:7070 http-alt:8080 tcp:9090'],
      [M, 'echo-v1', 'http:80 https:443 grpc:7070 http-alt:8080 tcp:9090'],
      [M, 'echo-v2', 'http:80 https:443 grpc:7070 http-alt:8080 tcp:9090'],
    ],
  );
  assert.equal(outcome(ask(ws, { svc: 'echo' })), 'default 200 echo:80@1');
  assert.equal(ws.lookup('Namespace', '', M).length, 1);
});

/** Per test file: the bindings and the requests of the upstream test. */
const PER_TEST: Array<{ file: string; bindings?: Record<string, Record<number, string>>; requests: Array<[Req, string]> }> = [
  {
    file: 'mesh-split.yaml',
    bindings: { echo: each(`HTTPRoute: HTTPRoute/${M}/mesh-split`) },
    requests: [
      [{ svc: 'echo', path: '/v1' }, 'producer 200 echo-v1:80@1'],
      [{ svc: 'echo', path: '/v2' }, 'producer 200 echo-v2:80@1'],
      [{ svc: 'echo', path: '/v3' }, 'producer 404'],
      [{ svc: 'echo', port: 8080, path: '/v1' }, 'producer 200 echo-v1:80@1'],
    ],
  },
  {
    file: 'mesh-frontend.yaml',
    bindings: { 'echo-v2': each(`HTTPRoute: HTTPRoute/${M}/mesh-split-v1`), 'echo-v1': each('-') },
    requests: [
      [{ svc: 'echo-v2' }, 'producer 200 echo-v2:80@1'],
      [{ svc: 'echo-v1' }, 'default 200 echo-v1:80@1'],
    ],
  },
  {
    file: 'mesh-ports.yaml',
    bindings: {
      'echo-v1': { 80: `HTTPRoute: HTTPRoute/${M}/mesh-split-v1`, 443: '-', 7070: '-', 8080: '-', 9090: '-' },
      'echo-v2': each(`HTTPRoute: HTTPRoute/${M}/mesh-split-v2`),
    },
    requests: [
      [{ svc: 'echo-v1' }, 'producer 200 echo-v1:80@1'],
      [{ svc: 'echo-v1', port: 8080 }, 'default 200 echo-v1:8080@1'],
      [{ svc: 'echo-v2' }, 'producer 200 echo-v2:80@1'],
      [{ svc: 'echo-v2', port: 8080 }, 'producer 200 echo-v2:80@1'],
    ],
  },
  {
    file: 'mesh-consumer-route.yaml',
    bindings: { 'echo-v1': each('-') },
    requests: [
      [{ svc: 'echo-v1', from: C }, 'consumer 200 echo-v1:80@1'],
      [{ svc: 'echo-v1', from: M }, 'default 200 echo-v1:80@1'],
      [{ svc: 'echo-v1', from: 'elsewhere' }, 'default 200 echo-v1:80@1'],
    ],
  },
  {
    file: 'httproute-simple-same-namespace.yaml',
    bindings: { echo: { 80: `HTTPRoute: HTTPRoute/${M}/gateway-conformance-mesh-test`, 443: '-', 7070: '-', 8080: '-', 9090: '-' } },
    requests: [[{ svc: 'echo' }, 'producer 200 echo-v1:8080@1']],
  },
  {
    file: 'httproute-matching.yaml',
    requests: [
      [{ svc: 'echo', path: '/' }, 'producer 200 echo-v1:8080@1'],
      [{ svc: 'echo', path: '/example' }, 'producer 200 echo-v1:8080@1'],
      [{ svc: 'echo', path: '/', headers: [['version', 'one']] }, 'producer 200 echo-v1:8080@1'],
      [{ svc: 'echo', path: '/v2' }, 'producer 200 echo-v2:8080@1'],
      [{ svc: 'echo', path: '/v2/example' }, 'producer 200 echo-v2:8080@1'],
      [{ svc: 'echo', path: '/v2example' }, 'producer 200 echo-v1:8080@1'],
      [{ svc: 'echo', path: '/', headers: [['version', 'two']] }, 'producer 200 echo-v2:8080@1'],
    ],
  },
  {
    file: 'httproute-query-param-matching.yaml',
    requests: [
      [{ svc: 'echo', path: '/?animal=whale' }, 'producer 200 echo-v1:8080@1'],
      [{ svc: 'echo', path: '/?animal=dolphin' }, 'producer 200 echo-v2:8080@1'],
      [{ svc: 'echo', path: '/path1?animal=whale' }, 'producer 200 echo-v1:8080@1'],
      [{ svc: 'echo', path: '/?animal=whale', headers: [['version', 'one']] }, 'producer 200 echo-v2:8080@1'],
      [{ svc: 'echo', path: '/path3?animal=shark' }, 'producer 200 echo-v1:8080@1'],
      [{ svc: 'echo', path: '/path4?animal=kraken', headers: [['version', 'three']] }, 'producer 200 echo-v1:8080@1'],
      [{ svc: 'echo', path: '/path5?animal=hydra' }, 'producer 200 echo-v1:8080@1'],
      [{ svc: 'echo', path: '/?animal=hydra' }, 'producer 200 echo-v2:8080@1'],
      // Unmatched requests get 404.
      [{ svc: 'echo', path: '/' }, 'producer 404'],
      [{ svc: 'echo', path: '/path1' }, 'producer 404'],
      [{ svc: 'echo', path: '/?animal=shark' }, 'producer 404'],
      [{ svc: 'echo', path: '/path4?animal=kraken' }, 'producer 404'],
    ],
  },
  {
    file: 'httproute-weight.yaml',
    requests: [[{ svc: 'echo' }, 'producer 200 echo-v1:8080@70,echo-v2:8080@30']],
  },
  {
    file: 'httproute-named-rule.yaml',
    requests: [
      [{ svc: 'echo', path: '/named' }, 'producer 200 echo-v1:8080@1'],
      [{ svc: 'echo', path: '/unnamed' }, 'producer 200 echo-v2:8080@1'],
      [{ svc: 'echo', path: '/' }, 'producer 404'],
    ],
  },
  {
    file: 'httproute-request-header-modifier.yaml',
    requests: [
      [{ svc: 'echo', path: '/set' }, 'producer 200 echo-v1:8080@1'],
      [{ svc: 'echo', path: '/multiple' }, 'producer 200 echo-v1:8080@1'],
    ],
  },
  {
    file: 'httproute-request-header-modifier-backend.yaml',
    requests: [[{ svc: 'echo', path: '/case-insensitivity' }, 'producer 200 echo-v1:8080@1']],
  },
  {
    file: 'httproute-rewrite-path.yaml',
    requests: [
      [{ svc: 'echo', path: '/prefix/one/two' }, 'producer 200 echo-v1:80@1'],
      [{ svc: 'echo', path: '/strip-prefix/three' }, 'producer 200 echo-v1:80@1'],
      [{ svc: 'echo', path: '/none' }, 'producer 404'],
    ],
  },
  {
    file: 'httproute-redirect-host-and-status.yaml',
    requests: [
      [{ svc: 'echo', path: '/hostname-redirect' }, 'producer 302'],
      [{ svc: 'echo', path: '/host-and-status' }, 'producer 301'],
    ],
  },
  {
    file: 'httproute-redirect-path.yaml',
    requests: [
      [{ svc: 'echo', path: '/original-prefix/lemon' }, 'producer 302'],
      [{ svc: 'echo', path: '/full/path/original' }, 'producer 302'],
      [{ svc: 'echo', path: '/path-and-status' }, 'producer 301'],
      [{ svc: 'echo', path: '/full-path-and-status' }, 'producer 301'],
    ],
  },
  {
    file: 'httproute-redirect-port.yaml',
    requests: [
      [{ svc: 'echo', path: '/port' }, 'producer 302'],
      [{ svc: 'echo', path: '/port-and-status' }, 'producer 301'],
      [{ svc: 'echo', path: '/port-and-host-and-status' }, 'producer 302'],
    ],
  },
  {
    file: 'httproute-redirect-scheme.yaml',
    requests: [
      [{ svc: 'echo', path: '/scheme' }, 'producer 302'],
      [{ svc: 'echo', path: '/scheme-and-status' }, 'producer 301'],
    ],
  },
  { file: 'httproute-303-redirect.yaml', requests: [[{ svc: 'echo', path: '/redirect' }, 'producer 303']] },
  { file: 'httproute-307-redirect.yaml', requests: [[{ svc: 'echo', path: '/temporary' }, 'producer 307']] },
  { file: 'httproute-308-redirect.yaml', requests: [[{ svc: 'echo', path: '/permanent' }, 'producer 308']] },
  {
    file: 'grpcroute-weight.yaml',
    bindings: { echo: { 80: '-', 443: '-', 7070: `GRPCRoute: GRPCRoute/${M}/mesh-grpc-weighted-backends`, 8080: '-', 9090: '-' } },
    requests: [[{ svc: 'echo', port: 7070, path: '/grpc.testing.TestService/UnaryCall' }, 'producer 200 echo-v1:7070@70,echo-v2:7070@30,echo-v3:7070@0']],
  },
  {
    file: 'grpcroute-request-header-modifier.yaml',
    requests: [
      [{ svc: 'echo', port: 7070, path: '/grpc.testing.TestService/UnaryCall', headers: [['x-test-case', 'set']] }, 'producer 200 echo-v1:7070@1'],
      [{ svc: 'echo', port: 7070, path: '/grpc.testing.TestService/UnaryCall', headers: [['x-test-case', 'multi']] }, 'producer 200 echo-v2:7070@1'],
      [{ svc: 'echo', port: 7070, path: '/grpc.testing.TestService/UnaryCall' }, 'producer 404'],
    ],
  },
];

test('every mesh conformance test file is covered', () => {
  const files = fs.readdirSync(MESH_DIR).filter((f) => f.endsWith('.yaml')).sort();
  assert.deepEqual(PER_TEST.map((t) => t.file).sort(), files);
});

for (const t of PER_TEST) {
  test(`conformance ${t.file} with manifests.yaml`, () => {
    const ws = single(t.file);
    for (const f of ws.files()) assert.deepEqual(f.problems, [], `no read problems in ${f.path}`);
    for (const [svc, want] of Object.entries(t.bindings ?? {})) assert.deepEqual(producers(ws, svc), want, `bindings of ${svc}`);
    // Every route of the file binds every parentRef it has.
    for (const r of ws.routes()) for (const p of resolveRoute(ws, r)) assert.equal(p.binds, true, `${objectId(r)} parentRef ${p.ref.index}: ${p.reason}`);
    for (const [req, want] of t.requests) assert.equal(outcome(ask(ws, req)), want, JSON.stringify(req));
  });
}

test('mesh-consumer-route.yaml: the consumer route applies only to callers in its namespace, on every port', () => {
  const ws = single('mesh-consumer-route.yaml');
  const s = bindingsReport(ws).services.find((x) => x.name === 'echo-v1')!;
  for (const p of s.ports) {
    assert.equal(p.producer, null);
    assert.deepEqual(p.consumers, [{ namespace: C, kind: 'HTTPRoute', routes: [`HTTPRoute/${C}/mesh-echo-add-header`] }]);
  }
});

function everything(): Workspace {
  return workspaceFromDisk([GW]);
}

test('all gateway-api fixtures as one workspace: bindings', () => {
  const ws = everything();
  assert.equal([...ws.files()].filter((f) => f.problems.length > 0).length, 0);
  const echo80 = [
    'gateway-conformance-mesh-test',
    'mesh-303-redirect',
    'mesh-307-redirect',
    'mesh-308-redirect',
    'mesh-http-named-rules',
    'mesh-matching',
    'mesh-query-param-matching',
    'mesh-redirect-host-and-status',
    'mesh-redirect-path',
    'mesh-redirect-port',
    'mesh-redirect-scheme',
    // Two files define this route: both copies bind, ordered by file path.
    'mesh-request-header-modifier',
    'mesh-request-header-modifier',
    'mesh-rewrite-path',
    'mesh-split',
    'mesh-weighted-backends',
  ].map((n) => `HTTPRoute/${M}/${n}`);
  const split = `HTTPRoute: HTTPRoute/${M}/mesh-split`;
  assert.deepEqual(producers(ws, 'echo'), {
    80: `HTTPRoute: ${echo80.join(', ')}`,
    443: split,
    7070: `GRPCRoute: GRPCRoute/${M}/grpc-request-header-modifier, GRPCRoute/${M}/mesh-grpc-weighted-backends`,
    8080: split,
    9090: split,
  });
  const report = bindingsReport(ws);
  const echo = report.services.find((s) => s.name === 'echo')!;
  assert.deepEqual(
    echo.ports.map((p) => [p.port, p.conflicted]),
    [
      [80, []],
      [443, []],
      [7070, [`HTTPRoute/${M}/mesh-split`]],
      [8080, []],
      [9090, []],
    ],
  );
  // mesh-ports.yaml: echo-v1 port 80 is bound by mesh-split-v1 and 8080 is not.
  assert.deepEqual(producers(ws, 'echo-v1'), { 80: `HTTPRoute: HTTPRoute/${M}/mesh-split-v1`, 443: '-', 7070: '-', 8080: '-', 9090: '-' });
  // echo-v2: mesh-split-v1 of mesh-frontend.yaml and mesh-split-v2 of mesh-ports.yaml, on every port.
  assert.deepEqual(producers(ws, 'echo-v2'), each(`HTTPRoute: HTTPRoute/${M}/mesh-split-v1, HTTPRoute/${M}/mesh-split-v2`));
  const v1 = report.services.find((s) => s.name === 'echo-v1')!;
  for (const p of v1.ports) assert.deepEqual(p.consumers, [{ namespace: C, kind: 'HTTPRoute', routes: [`HTTPRoute/${C}/mesh-echo-add-header`] }]);
  // The two definitions of HTTPRoute mesh-split-v1 are different routes with different parents.
  assert.deepEqual(
    ws.lookup('HTTPRoute', M, 'mesh-split-v1').map((o) => path.basename(o.file)),
    ['mesh-frontend.yaml', 'mesh-ports.yaml'],
  );
});

test('all gateway-api fixtures as one workspace: request outcomes of the merged groups', () => {
  const ws = everything();
  const cases: Array<[Req, string]> = [
    // The catch-all of httproute-simple-same-namespace comes first by name among equal catch-alls.
    [{ svc: 'echo', path: '/' }, 'producer 200 echo-v1:8080@1'],
    [{ svc: 'echo', path: '/v2example' }, 'producer 200 echo-v1:8080@1'],
    // mesh-split's Exact /v2 beats mesh-matching's PathPrefix /v2 once they are merged.
    [{ svc: 'echo', path: '/v2' }, 'producer 200 echo-v2:80@1'],
    [{ svc: 'echo', path: '/v2/x' }, 'producer 200 echo-v2:8080@1'],
    [{ svc: 'echo', path: '/', headers: [['version', 'two']] }, 'producer 200 echo-v2:8080@1'],
    [{ svc: 'echo', path: '/v1' }, 'producer 200 echo-v1:80@1'],
    [{ svc: 'echo', path: '/path5?animal=hydra' }, 'producer 200 echo-v1:8080@1'],
    [{ svc: 'echo', path: '/?animal=dolphin' }, 'producer 200 echo-v2:8080@1'],
    [{ svc: 'echo', path: '/redirect' }, 'producer 303'],
    [{ svc: 'echo', path: '/temporary' }, 'producer 307'],
    [{ svc: 'echo', path: '/permanent' }, 'producer 308'],
    [{ svc: 'echo', path: '/hostname-redirect' }, 'producer 302'],
    [{ svc: 'echo', path: '/host-and-status' }, 'producer 301'],
    [{ svc: 'echo', path: '/port-and-status' }, 'producer 301'],
    [{ svc: 'echo', path: '/named' }, 'producer 200 echo-v1:8080@1'],
    [{ svc: 'echo', path: '/unnamed' }, 'producer 200 echo-v2:8080@1'],
    // mesh-split alone binds the other ports: unmatched requests there get 404.
    [{ svc: 'echo', port: 8080, path: '/v2' }, 'producer 200 echo-v2:80@1'],
    [{ svc: 'echo', port: 8080, path: '/' }, 'producer 404'],
    // Port 7070: the GRPCRoutes win over mesh-split; the weighted catch-all takes calls without x-test-case.
    [{ svc: 'echo', port: 7070, path: '/grpc.testing.TestService/UnaryCall' }, 'producer 200 echo-v1:7070@70,echo-v2:7070@30,echo-v3:7070@0'],
    [{ svc: 'echo', port: 7070, path: '/grpc.testing.TestService/UnaryCall', headers: [['x-test-case', 'multi']] }, 'producer 200 echo-v2:7070@1'],
    // MeshPorts and MeshConsumerRoute.
    [{ svc: 'echo-v1' }, 'producer 200 echo-v1:80@1'],
    [{ svc: 'echo-v1', port: 8080 }, 'default 200 echo-v1:8080@1'],
    [{ svc: 'echo-v1', from: C }, 'consumer 200 echo-v1:80@1'],
    [{ svc: 'echo-v1', port: 8080, from: C }, 'consumer 200 echo-v1:80@1'],
    [{ svc: 'echo-v2', port: 8080 }, 'producer 200 echo-v2:80@1'],
  ];
  for (const [req, want] of cases) assert.equal(outcome(ask(ws, req)), want, JSON.stringify(req));
  const grpc = ask(ws, { svc: 'echo', port: 7070, path: '/grpc.testing.TestService/UnaryCall' });
  assert.equal(grpc.match?.route, `GRPCRoute/${M}/mesh-grpc-weighted-backends`);
  // echo-v3 has weight 0 and no Service: it changes nothing, the status stays 200.
  assert.equal(ws.service(M, 'echo-v3'), undefined);
  assert.equal(grpc.status, 200);
});

test('the ServiceImport example: a ServiceImport parent in the default namespace', () => {
  const ws = workspaceFromDisk([path.join(GW, 'examples')]);
  const [r] = [...ws.routes()];
  assert.ok(r);
  assert.equal(objectId(r), 'HTTPRoute/default/store');
  assert.deepEqual(
    resolveRoute(ws, r).map((p) => [p.target, p.namespace, p.name, p.binds]),
    [['serviceimport', 'default', 'store', true]],
  );
  assert.deepEqual(r.rules[0]!.backendRefs.map((b) => [b.group?.value, b.kind?.value, b.name?.value]), [['multicluster.x-k8s.io', 'ServiceImport', 'cart']]);
  const ws2 = Workspace.fromFiles([...ws.files()].map((f) => ({ path: f.path, text: f.text })), { ...DEFAULT_OPTIONS, defaultNamespace: 'shop' });
  assert.equal(objectId([...ws2.routes()][0]!), 'HTTPRoute/shop/store');
});
