/**
 * The built CLI run as a process (`node bin/gamma-lens.js`): whole JSON outputs, exit codes and
 * one-line errors (CONTRACT §4). Needs `npm run build` first, which `npm test` does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/workspace';

const BIN = path.join(REPO_ROOT, 'bin', 'gamma-lens.js');
const BUNDLE = path.join(REPO_ROOT, 'server', 'out', 'cli.js');

function cli(args: string[], cwd = REPO_ROOT): { status: number | null; stdout: string; stderr: string } {
  assert.ok(fs.existsSync(BUNDLE), `${BUNDLE} is missing: run npm run build`);
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A temporary workspace with known findings. */
function tempWorkspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gamma-lens-cli-'));
  const write = (rel: string, text: string): void => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };
  write(
    'svc.yaml',
    `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  ports:
  - name: http
    port: 80
    targetPort: 8080
  - name: grpc
    port: 7070
`,
  );
  write(
    'routes/routes.yaml',
    `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: no-group
  namespace: shop
spec:
  parentRefs:
  - kind: Service
    name: web
  rules:
  - backendRefs:
    - name: web
      port: 80
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: target-port
  namespace: shop
spec:
  parentRefs:
  - group: ""
    kind: Service
    name: web
    port: 8080
  rules:
  - backendRefs:
    - name: web
      port: 80
`,
  );
  write('broken.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: [oops\n');
  write('chart/helm.yaml', 'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Values.name }}\n');
  write('notes.txt', 'not yaml\n');
  return dir;
}

test('bindings --format json for examples/seed-article: the whole output', () => {
  const r = cli(['bindings', 'examples/seed-article', '--format', 'json']);
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
  assert.deepEqual(JSON.parse(r.stdout), {
    implementation: 'generic',
    services: [
      {
        namespace: 'app-ns',
        name: 'svc-a',
        file: 'examples/seed-article/01-gateway-route-a.yaml',
        ports: [
          {
            port: 80,
            name: 'http',
            producer: { kind: 'HTTPRoute', routes: ['HTTPRoute/app-ns/route-b'] },
            consumers: [{ namespace: 'dev-ns', kind: 'HTTPRoute', routes: ['HTTPRoute/dev-ns/route-c'] }],
            conflicted: [],
          },
        ],
      },
      {
        namespace: 'ext-ns',
        name: 'svc-b',
        file: 'examples/seed-article/02-producer-route-b.yaml',
        ports: [{ port: 80, name: 'http', producer: null, consumers: [], conflicted: [] }],
      },
    ],
  });
});

test('explain --format json for examples/seed-article: the whole output, for each audience', () => {
  const consumer = cli(['explain', '--service', 'app-ns/svc-a', '--from', 'dev-ns', 'examples/seed-article', '--format', 'json']);
  assert.equal(consumer.stderr, '');
  assert.equal(consumer.status, 0);
  assert.deepEqual(JSON.parse(consumer.stdout), {
    service: 'app-ns/svc-a',
    port: 80,
    from: 'dev-ns',
    implementation: 'generic',
    audience: 'consumer',
    routes: ['HTTPRoute/dev-ns/route-c'],
    match: { route: 'HTTPRoute/dev-ns/route-c', rule: 0, backends: [{ service: 'app-ns/svc-a', port: 80, weight: 1 }] },
    backends: [{ service: 'app-ns/svc-a', port: 80, weight: 1 }],
    status: 200,
    steps: [
      'Callers in dev-ns have consumer routes for app-ns/svc-a:80; they replace the producer routes: HTTPRoute/dev-ns/route-c.',
      '→ HTTPRoute/dev-ns/route-c rule 0: rule has no matches: matches every request (wins by precedence)',
      'Outcome: forwarded to app-ns/svc-a:80 (weight 1).',
    ],
  });
  const producer = cli(['explain', '--service', 'app-ns/svc-a', '--port', '80', '--from', 'other-ns', '--path', '/x', '--format', 'json', 'examples/seed-article']);
  assert.equal(producer.status, 0);
  assert.deepEqual(JSON.parse(producer.stdout), {
    service: 'app-ns/svc-a',
    port: 80,
    from: 'other-ns',
    implementation: 'generic',
    audience: 'producer',
    routes: ['HTTPRoute/app-ns/route-b'],
    match: { route: 'HTTPRoute/app-ns/route-b', rule: 0, backends: [{ service: 'ext-ns/svc-b', port: 80, weight: 100 }] },
    backends: [{ service: 'ext-ns/svc-b', port: 80, weight: 100 }],
    status: 200,
    steps: [
      'The producer routes of app-ns/svc-a:80 apply to callers in other-ns: HTTPRoute/app-ns/route-b.',
      '→ HTTPRoute/app-ns/route-b rule 0: rule has no matches: matches every request (wins by precedence)',
      'Outcome: forwarded to ext-ns/svc-b:80 (weight 100).',
    ],
  });
  const dflt = cli(['explain', '--service=ext-ns/svc-b', '--from=app-ns', '--format=json', 'examples/seed-article']);
  assert.equal(dflt.status, 0);
  assert.deepEqual(JSON.parse(dflt.stdout), {
    service: 'ext-ns/svc-b',
    port: 80,
    from: 'app-ns',
    implementation: 'generic',
    audience: 'default',
    routes: [],
    match: null,
    backends: [{ service: 'ext-ns/svc-b', port: 80, weight: 1 }],
    status: 200,
    steps: ["No route binds ext-ns/svc-b:80 for callers in app-ns: default Kubernetes routing to the Service's endpoints."],
  });
});

test('explain text output names the audience and the result', () => {
  const r = cli(['explain', '--service', 'app-ns/svc-a', '--from', 'dev-ns', 'examples/seed-article']);
  assert.equal(r.status, 0);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines[0], 'Request to app-ns/svc-a:80 from namespace dev-ns (generic)');
  assert.equal(lines[1], 'Audience: consumer (HTTPRoute/dev-ns/route-c)');
  assert.equal(lines[lines.length - 1], 'Result: 200 via app-ns/svc-a:80 (weight 1)');
});

test('bindings --format mermaid for examples/seed-article: a flowchart of every object and reference', () => {
  const r = cli(['bindings', 'examples/seed-article', '--format', 'mermaid']);
  assert.equal(r.status, 0);
  assert.equal(r.stderr, '');
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^(flowchart|graph) (LR|TD|TB|RL|BT)$/);
  // One node per object, labelled with its name; the layout is free.
  for (const name of ['gw', 'route-a', 'route-b', 'route-c', 'svc-a', 'svc-b']) assert.ok(lines.some((l) => l.includes(name) && /[[({]/.test(l)), `a node for ${name}`);
  const nodeId = (name: string): string => {
    const line = lines.find((l) => /^\s*\S+\s*[[({]/.test(l) && (l.includes(`${name}"`) || l.includes(` ${name}"`)));
    assert.ok(line, `node line for ${name}`);
    return line.trim().split(/[[({]/)[0]!;
  };
  const edge = (from: string, to: string): boolean => lines.some((l) => l.includes(nodeId(from)) && l.includes(nodeId(to)) && /--|-\.|==/.test(l));
  // parentRef and backendRef edges.
  assert.ok(edge('route-a', 'gw'), 'route-a and its Gateway');
  assert.ok(edge('route-a', 'svc-a'), 'route-a backend svc-a');
  assert.ok(edge('route-b', 'svc-a'), 'route-b parent svc-a');
  assert.ok(edge('route-b', 'svc-b'), 'route-b backend svc-b');
  assert.ok(edge('route-c', 'svc-a'), 'route-c parent svc-a');
  assert.ok(!edge('route-c', 'svc-b'), 'no edge route-c / svc-b');
  // Namespaces are shown.
  for (const ns of ['app-ns', 'dev-ns', 'ext-ns']) assert.ok(r.stdout.includes(ns), ns);
});

test('bindings text output', () => {
  const r = cli(['bindings', 'examples/seed-article']);
  assert.equal(r.status, 0);
  assert.equal(
    r.stdout,
    `Service app-ns/svc-a
  port 80 (http)
    producer HTTPRoute: HTTPRoute/app-ns/route-b  [all callers except dev-ns]
    consumer HTTPRoute for callers in dev-ns: HTTPRoute/dev-ns/route-c
Service ext-ns/svc-b
  port 80 (http)
    no producer route: default Kubernetes routing  [all callers]
`,
  );
});

test('check --format json on a temporary workspace: findings, skipped files, exit status 1', () => {
  const dir = tempWorkspace();
  try {
    const r = cli(['check', '.', '--format', 'json'], dir);
    assert.equal(r.stderr, '');
    assert.equal(r.status, 1, 'an error finding gives exit status 1');
    const json = JSON.parse(r.stdout) as { findings: Array<Record<string, unknown>>; skipped: unknown[] };
    assert.deepEqual(Object.keys(json), ['findings', 'skipped']);
    for (const f of json.findings) {
      assert.equal(typeof f.message, 'string');
      assert.ok((f.message as string).length > 0);
    }
    assert.deepEqual(
      json.findings.map(({ message: _m, ...rest }) => rest),
      [
        { file: 'routes/routes.yaml', line: 8, column: 5, endLine: 9, endColumn: 14, severity: 'error', code: 'parent-group-missing' },
        { file: 'routes/routes.yaml', line: 25, column: 11, endLine: 25, endColumn: 15, severity: 'warning', code: 'parent-port-not-found' },
      ],
    );
    assert.deepEqual(json.skipped, [
      { file: 'broken.yaml', line: 3, reason: 'document 1 is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]' },
      { file: 'chart/helm.yaml', line: 1, reason: 'document 1 contains template syntax ({{ ... }}) and was not read' },
    ]);
    // Paths are relative to the current folder, wherever that is.
    const fromParent = cli(['check', path.basename(dir), '--format', 'json'], path.dirname(dir));
    const files = (JSON.parse(fromParent.stdout) as { findings: Array<{ file: string }> }).findings.map((f) => f.file);
    assert.deepEqual(files, [`${path.basename(dir)}/routes/routes.yaml`, `${path.basename(dir)}/routes/routes.yaml`]);
    // Text format: one line per finding, then a summary.
    const text = cli(['check', '.'], dir);
    assert.equal(text.status, 1);
    const lines = text.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /^routes\/routes\.yaml:8:5: error parent-group-missing: \S/);
    assert.match(lines[1]!, /^routes\/routes\.yaml:25:11: warning parent-port-not-found: \S/);
    assert.equal(lines[2], '2 findings (1 error, 1 warning, 0 info, 0 hints) in 4 files; 2 skipped (use --format json to list them)');
    // Without error findings the exit status is 0; --severity can turn a code off.
    const ok = cli(['check', '.', '--format', 'json', '--severity', 'parent-group-missing=off'], dir);
    assert.equal(ok.status, 0);
    assert.deepEqual((JSON.parse(ok.stdout) as { findings: Array<{ code: string }> }).findings.map((f) => f.code), ['parent-port-not-found']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('check --format sarif is SARIF 2.1.0 with one rule per code', () => {
  const dir = tempWorkspace();
  try {
    const r = cli(['check', '--format', 'sarif'], dir);
    assert.equal(r.status, 1);
    const sarif = JSON.parse(r.stdout) as { version: string; runs: Array<{ tool: { driver: { rules: Array<{ id: string }> } }; results: Array<{ ruleId: string; level: string }> }> };
    assert.equal(sarif.version, '2.1.0');
    const ids = sarif.runs[0]!.tool.driver.rules.map((x) => x.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(sarif.runs[0]!.results.map((x) => [x.ruleId, x.level]), [
      ['parent-group-missing', 'error'],
      ['parent-port-not-found', 'warning'],
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** Usage and I/O errors: exit status 2, one line on stderr, no stack trace, nothing on stdout. */
const USAGE_ERRORS: Array<[string, string[], RegExp]> = [
  ['no command', [], /^gamma-lens: missing command/],
  ['unknown command', ['frobnicate'], /^gamma-lens: unknown command 'frobnicate'/],
  ['bad option', ['bindings', '--bogus'], /^gamma-lens: unknown option --bogus/],
  ['bad format', ['check', '--format', 'xml'], /^gamma-lens: --format for check must be one of text, json, sarif/],
  ['option without value', ['bindings', '--format'], /^gamma-lens: --format needs a value/],
  ['bad implementation', ['check', '--implementation', 'nginx'], /^gamma-lens: --implementation must be one of/],
  ['missing path', ['bindings', 'no/such/folder'], /^gamma-lens: no\/such\/folder: no such file or folder$/],
  ['explain without --service', ['explain', '--from', 'x'], /^gamma-lens: explain needs --service/],
  ['explain without --from', ['explain', '--service', 'a/b'], /^gamma-lens: explain needs --from/],
  ['explain on an unknown Service', ['explain', '--service', 'app-ns/nope', '--from', 'x', 'examples/seed-article'], /^gamma-lens: Service app-ns\/nope is not in the workspace$/],
  ['explain on a port the Service lacks', ['explain', '--service', 'app-ns/svc-a', '--port', '81', '--from', 'x', 'examples/seed-article'], /^gamma-lens: Service app-ns\/svc-a has no port 81/],
];

for (const [name, args, message] of USAGE_ERRORS) {
  test(`exit status 2: ${name}`, () => {
    const r = cli(args);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
    assert.match(lines[0]!, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
}

test('exit status 2: explain without --port on a multi-port Service', () => {
  const dir = tempWorkspace();
  try {
    const r = cli(['explain', '--service', 'shop/web', '--from', 'shop'], dir);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'gamma-lens: Service shop/web has 2 ports (80, 7070); pass --port\n');
    const withPort = cli(['explain', '--service', 'shop/web', '--port', '7070', '--from', 'shop', '--format', 'json'], dir);
    assert.equal(withPort.status, 0);
    assert.equal((JSON.parse(withPort.stdout) as { audience: string }).audience, 'default');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('--help prints the usage and exits 0, for the tool and after a command', () => {
  for (const args of [['--help'], ['-h'], ['check', '--help']]) {
    const r = cli(args);
    assert.equal(r.status, 0);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^Usage: gamma-lens <command> \[PATH\.\.\.\] \[options\]\n/);
    for (const word of ['check', 'bindings', 'explain', '--default-namespace', '--implementation', '--format']) assert.ok(r.stdout.includes(word), word);
  }
});

test('--implementation and --default-namespace reach the engine', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gamma-lens-cli-'));
  try {
    fs.writeFileSync(
      path.join(dir, 'a.yaml'),
      'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec:\n  parentRefs: [{group: core, kind: Service, name: s}]\n  rules: [{backendRefs: [{name: s, port: 80}]}]\n',
    );
    const generic = JSON.parse(cli(['bindings', '--format', 'json', '--default-namespace', 'team'], dir).stdout) as { services: Array<{ namespace: string; ports: Array<{ producer: unknown }> }> };
    assert.equal(generic.services[0]!.namespace, 'team');
    assert.deepEqual(generic.services[0]!.ports[0]!.producer, { kind: 'HTTPRoute', routes: ['HTTPRoute/team/r'] });
    const istio = JSON.parse(cli(['bindings', '--format', 'json', '--implementation', 'istio'], dir).stdout) as { implementation: string; services: Array<{ ports: Array<{ producer: unknown }> }> };
    assert.equal(istio.implementation, 'istio');
    assert.equal(istio.services[0]!.ports[0]!.producer, null);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('inputs: node_modules and .git are skipped; binary, non-UTF-8 and oversized files are listed as skipped', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gamma-lens-cli-'));
  try {
    const svc = (name: string): string => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: ns}\nspec: {ports: [{port: 80}]}\n`;
    fs.mkdirSync(path.join(dir, 'node_modules', 'pkg'), { recursive: true });
    fs.mkdirSync(path.join(dir, '.git'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'node_modules', 'pkg', 'svc.yaml'), svc('hidden-npm'));
    fs.writeFileSync(path.join(dir, '.git', 'svc.yaml'), svc('hidden-git'));
    fs.writeFileSync(path.join(dir, 'sub', 'a.yml'), svc('a'));
    fs.writeFileSync(path.join(dir, 'b.YAML'), svc('b'));
    fs.writeFileSync(path.join(dir, 'big.yaml'), `${svc('big')}# ${'x'.repeat(400)}\n`);
    fs.writeFileSync(path.join(dir, 'binary.yaml'), Buffer.from([0x6b, 0x69, 0x00, 0x01]));
    fs.writeFileSync(path.join(dir, 'latin1.yaml'), Buffer.from('name: caf\xe9\n', 'latin1'));
    fs.writeFileSync(path.join(dir, 'ignored.json'), '{}');
    const r = cli(['check', '--format', 'json', '--max-file-size', '300'], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as { skipped: unknown[] }).skipped, [
      { file: 'big.yaml', line: 1, reason: `file is ${fs.statSync(path.join(dir, 'big.yaml')).size} bytes, over the size cap of 300 bytes` },
      { file: 'binary.yaml', line: 1, reason: 'binary file (contains NUL bytes)' },
      { file: 'latin1.yaml', line: 1, reason: 'not UTF-8 text' },
    ]);
    const b = JSON.parse(cli(['bindings', '--format', 'json', '--max-file-size', '300'], dir).stdout) as { services: Array<{ name: string; file: string }> };
    assert.deepEqual(b.services.map((s) => [s.name, s.file]), [
      ['a', 'sub/a.yml'],
      ['b', 'b.YAML'],
    ]);
    // A file named on the command line is read even if it is not under a folder argument.
    const single = JSON.parse(cli(['bindings', '--format', 'json', 'sub/a.yml', 'b.YAML'], dir).stdout) as { services: Array<{ name: string }> };
    assert.deepEqual(single.services.map((s) => s.name), ['a', 'b']);
    // Without a cap the big file is read.
    const all = JSON.parse(cli(['bindings', '--format', 'json'], dir).stdout) as { services: Array<{ name: string }> };
    assert.deepEqual(all.services.map((s) => s.name), ['a', 'b', 'big']);
    const bad = cli(['check', '--max-file-size', 'huge'], dir);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^gamma-lens: --max-file-size takes a size such as 10MB \(got 'huge'\)\n$/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('explain on the conformance fixtures: --path /pkg.Service/Method, --header, --method', () => {
  const mesh = path.relative(REPO_ROOT, path.join(REPO_ROOT, '..', 'shared', 'fixtures', 'gateway-api', 'conformance'));
  const base = ['explain', '--service', 'gateway-conformance-mesh/echo', '--from', 'gateway-conformance-mesh', '--format', 'json', mesh];
  const run = (extra: string[]): { match: unknown; backends: unknown; status: unknown } => {
    const r = cli([...base, ...extra]);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { match: unknown; backends: unknown; status: unknown };
    return { match: j.match, backends: j.backends, status: j.status };
  };
  const M = 'gateway-conformance-mesh';
  assert.deepEqual(run(['--port', '7070', '--path', '/grpc.testing.TestService/UnaryCall', '--header', 'x-test-case=multi']), {
    match: { route: `GRPCRoute/${M}/grpc-request-header-modifier`, rule: 3, backends: [{ service: `${M}/echo-v2`, port: 7070, weight: 1 }] },
    backends: [{ service: `${M}/echo-v2`, port: 7070, weight: 1 }],
    status: 200,
  });
  assert.deepEqual(run(['--port', '7070', '--path', '/grpc.testing.TestService/UnaryCall', '--header', 'x-test-case: set']).match, {
    route: `GRPCRoute/${M}/grpc-request-header-modifier`,
    rule: 0,
    backends: [{ service: `${M}/echo-v1`, port: 7070, weight: 1 }],
  });
  assert.deepEqual(run(['--port', '80', '--path', '/v2/x', '--method', 'DELETE']).backends, [{ service: `${M}/echo-v2`, port: 8080, weight: 1 }]);
  assert.deepEqual(run(['--port', '80', '--path', '/', '--header', 'version=two']).backends, [{ service: `${M}/echo-v2`, port: 8080, weight: 1 }]);
  const redirect = run(['--port', '80', '--path', '/permanent/x']);
  assert.deepEqual([redirect.status, redirect.backends], [308, []]);
  const notFound = run(['--port', '8080', '--path', '/nowhere']);
  assert.deepEqual([notFound.status, notFound.match, notFound.backends], [404, null, []]);
  const bad = cli([...base, '--port', '80', '--header', 'novalue']);
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr, "gamma-lens: --header takes NAME=VALUE (got 'novalue')\n");
});
