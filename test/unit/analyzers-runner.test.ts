/** The registry against CONTRACT §6, the implementation-profile table, suppressions and severity overrides. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ANALYZERS } from '../../server/src/core/analyzers/index';
import { run as cli } from '../../server/src/cli/main';
import { IMPLEMENTATIONS } from '../../server/src/core/options';
import { profileOf } from '../../server/src/core/bindings/profiles';
import { isRoute, isService } from '../../server/src/core/model/types';
import { CORPUS, FIXTURES, REPO_ROOT, SHARED, workspaceFromDisk, yaml } from '../support/workspace';
import { analyze, of, under } from './analyzers-support';

test('every CONTRACT §6 code has exactly one analyzer with the default severity of the table', () => {
  const contract = fs.readFileSync(path.join(SHARED, 'CONTRACT.md'), 'utf8');
  const section = contract.slice(contract.indexOf('## 6. Diagnostic codes'));
  const rows = [...section.matchAll(/^\| `([a-z-]+)` \| (error|warning|info|hint) \|/gm)].map((m) => [m[1], m[2]]);
  assert.equal(rows.length, 23);
  assert.deepEqual(
    ANALYZERS.map((a) => [a.code, a.defaultSeverity]).sort(),
    rows.sort(),
  );
  for (const a of ANALYZERS) assert.ok(fs.existsSync(path.join(REPO_ROOT, 'server', 'src', 'core', 'analyzers', `${a.code}.ts`)), a.code);
});

test('docs/diagnostics.md has a section per code, anchored by the code, with example, fix, profiles and source', () => {
  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'diagnostics.md'), 'utf8');
  for (const a of ANALYZERS) {
    const start = doc.indexOf(`\n## ${a.code}\n`);
    assert.ok(start >= 0, `no section ## ${a.code}`);
    const next = doc.indexOf('\n## ', start + 1);
    const body = doc.slice(start, next === -1 ? undefined : next);
    for (const part of ['**Default severity:**', '```yaml', '**Fix:**', '**Implementations:**', '**Source:**']) assert.ok(body.includes(part), `${a.code}: missing ${part}`);
  }
});

/** One workspace whose findings differ per implementation (CONTRACT §3 table). */
const PROFILE_WS: Record<string, string> = {
  '/ws/svc.yaml': yaml`
    apiVersion: v1
    kind: Service
    metadata:
      name: svc-a
      namespace: app
    spec:
      ports:
      - name: http
        port: 80
      - name: grpc
        port: 9090
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: svc-b
      namespace: app
    spec:
      ports:
      - port: 80
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: svc-h
      namespace: app
    spec:
      clusterIP: None
      ports:
      - port: 80
  `,
  '/ws/routes.yaml': yaml`
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata: {name: r1, namespace: app}
    spec:
      parentRefs: [{group: "", kind: Service, name: svc-a, port: 80}]
      rules: [{backendRefs: [{group: core, kind: Service, name: svc-a, port: 80}]}]
    ---
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata: {name: r2, namespace: app}
    spec:
      parentRefs: [{group: "", kind: Service, name: svc-a, sectionName: grpc}]
      rules: [{filters: [{type: ResponseHeaderModifier, responseHeaderModifier: {set: [{name: a, value: b}]}}]}]
    ---
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata: {name: r3, namespace: dev}
    spec:
      parentRefs: [{group: "", kind: Service, name: svc-a, namespace: app, port: 80}]
      rules: [{backendRefs: [{name: svc-a, namespace: app, port: 80}]}]
    ---
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata: {name: r4, namespace: app}
    spec:
      parentRefs: [{group: "", kind: Service, name: svc-h}]
      rules: [{backendRefs: [{name: svc-a, port: 80}]}]
    ---
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata: {name: r5, namespace: app}
    spec:
      parentRefs: [{group: core, kind: Service, name: svc-b}]
      rules: [{backendRefs: [{name: svc-b, port: 80}]}]
  `,
};

const GENERIC = ['r1 backend-group-core warning', 'r2 rule-without-backends warning', 'r4 parent-service-type warning', 'r5 parent-group-core warning'];
const ISTIO = ['r1 backend-group-core error', 'r2 parent-section-not-found warning', 'r2 rule-without-backends warning', 'r4 parent-service-type warning', 'r5 parent-group-core error'];
const EXPECTED: Record<string, string[]> = {
  generic: GENERIC,
  istio: ISTIO,
  'istio-ambient': [...ISTIO, 'r1 waypoint-label-missing warning', 'r2 waypoint-label-missing warning', 'r3 consumer-route-unsupported warning', 'r4 waypoint-label-missing warning'],
  linkerd: ['r2 parent-section-not-found warning', 'r2 rule-without-backends info', 'r4 parent-service-type warning'],
  cilium: [...GENERIC, 'r3 consumer-route-unsupported warning'],
};

for (const impl of IMPLEMENTATIONS) {
  test(`implementation profile ${impl}: the findings of the profile workspace`, () => {
    const run = analyze(PROFILE_WS, { implementation: impl });
    const text = run.files['/ws/routes.yaml']!;
    const routeOf = (offset: number): string => {
      const before = text.slice(0, offset);
      return before.slice(before.lastIndexOf('metadata: {name: ') + 17).split(',')[0]!;
    };
    assert.deepEqual(run.findings.map((f) => `${routeOf(f.span.start)} ${f.code} ${f.severity}`).sort(), [...EXPECTED[impl]!].sort());
  });
}

const SUPPRESS = yaml`
  apiVersion: gateway.networking.k8s.io/v1
  kind: HTTPRoute
  metadata:
    name: a
    namespace: app
  spec:
    parentRefs:
    # gamma-lens-disable-next-line parent-group-core,parent-service-not-found
    - group: core
      kind: Service
      name: nope
    - group: core
      kind: Service
      name: nope2
    rules: [{filters: [{type: RequestRedirect, requestRedirect: {hostname: x.example.com}}]}]
  ---
  # gamma-lens-disable parent-service-not-found
  apiVersion: gateway.networking.k8s.io/v1
  kind: HTTPRoute
  metadata:
    name: b
    namespace: app
  spec:
    parentRefs:
    - group: core
      kind: Service
      name: nope3
    rules: [{filters: [{type: RequestRedirect, requestRedirect: {hostname: x.example.com}}]}]
  ---
  apiVersion: gateway.networking.k8s.io/v1
  kind: HTTPRoute
  metadata:
    name: c
    namespace: app
    annotations:
      gamma-lens.io/disable: "parent-group-core, parent-service-not-found"
  spec:
    parentRefs:
    - group: core
      kind: Service
      name: nope4
    rules: [{filters: [{type: RequestRedirect, requestRedirect: {hostname: x.example.com}}]}]
`;

test('suppressions: next-line comment (code list), per-document comment, annotation', () => {
  const run = analyze({ '/ws/s.yaml': SUPPRESS });
  assert.deepEqual(
    run.findings.map((f) => `${f.code} ${under(run, f)}`),
    [
      // `- group: core` of the first entry is on the suppressed line; its name is on the next line.
      'parent-service-not-found nope',
      'parent-group-core core',
      'parent-service-not-found nope2',
      'parent-group-core core',
    ],
  );
  // Without the comments and the annotation, every finding is back.
  const bare = SUPPRESS.replace(/ *# gamma-lens-disable.*\n/g, '').replace(/ {2}annotations:\n.*\n/, '');
  assert.equal(analyze({ '/ws/s.yaml': bare }).findings.length, 8);
});

test('severity overrides: change a level, or switch a code off', () => {
  const files = { '/ws/s.yaml': SUPPRESS };
  const up = analyze(files, {}, { severity: { 'parent-group-core': 'error' } });
  assert.deepEqual([...new Set(of(up, 'parent-group-core').map((f) => f.severity))], ['error']);
  const off = analyze(files, {}, { severity: { 'parent-service-not-found': 'off' } });
  assert.deepEqual(of(off, 'parent-service-not-found'), []);
  assert.equal(of(off, 'parent-group-core').length, 2);
});

test('CLI check --severity code=level changes the JSON severity and the exit status', () => {
  const dir = path.relative(process.cwd(), path.join(REPO_ROOT, 'test', 'fixtures', 'diagnostics', 'basic'));
  const o = { out: [] as string[], err: [] as string[] };
  assert.equal(cli(['check', dir, '--format', 'json'], o), 0);
  const plain = JSON.parse(o.out.join('\n')) as { findings: Array<{ code: string; severity: string; line: number; column: number }> };
  assert.deepEqual(plain.findings.map((f) => `${f.line}:${f.column} ${f.severity} ${f.code}`), ['9:12 warning parent-group-core', '16:11 warning parent-port-not-found', '20:13 warning backend-service-not-found']);
  const o2 = { out: [] as string[], err: [] as string[] };
  assert.equal(cli(['check', dir, '--format', 'json', '--severity', 'parent-port-not-found=error', '--severity', 'backend-service-not-found=off'], o2), 1);
  const changed = JSON.parse(o2.out.join('\n')) as typeof plain;
  assert.deepEqual(changed.findings.map((f) => `${f.severity} ${f.code}`), ['warning parent-group-core', 'error parent-port-not-found']);
  const o3 = { out: [] as string[], err: [] as string[] };
  assert.equal(cli(['check', dir, '--severity', 'parent-port-not-found=loud'], o3), 2);
  assert.match(o3.err.join(''), /--severity takes CODE=LEVEL/);
});

test('an analyzer that declares which objects it reads reports only inside such objects (the runner skips files without them)', () => {
  const ws = workspaceFromDisk([FIXTURES, CORPUS]);
  const counts = { routes: 0, services: 0 };
  for (const impl of IMPLEMENTATIONS) {
    const w = impl === ws.options.implementation ? ws : ws.withOptions({ ...ws.options, implementation: impl });
    for (const file of w.files()) {
      const ctx = { ws: w, file, profile: profileOf(impl) };
      for (const a of ANALYZERS) {
        if (!a.reads) continue;
        const owners = file.objects.filter(a.reads === 'routes' ? isRoute : isService);
        for (const f of a.analyze(ctx)) {
          if (f.file !== file.path) continue;
          counts[a.reads]++;
          assert.ok(owners.some((o) => f.span.start >= o.span.start && f.span.start < o.span.end), `${a.code} in ${file.path} at ${f.span.start} outside every ${a.reads === 'routes' ? 'route' : 'Service'}`);
        }
      }
    }
  }
  // The check ran over findings of both kinds.
  assert.ok(counts.routes > 100 && counts.services > 0, JSON.stringify(counts));
});
