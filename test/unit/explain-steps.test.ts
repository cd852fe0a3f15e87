/**
 * The explain reasoning, step by step, on every gateway-api mesh conformance fixture (with
 * conformance/mesh/manifests.yaml): for every Service port, caller audience and a set of requests
 * drawn from the routes' own matches, the steps name the audience, then every candidate tried in
 * precedence order (checked against an independent precedence key) with why it failed, then the
 * winner and the outcome; the editor's explainView carries a location for each of them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { serviceBindings } from '../../server/src/core/bindings/effective';
import { explain } from '../../server/src/core/bindings/explain';
import type { ExplainRequest, ExplainResult } from '../../server/src/core/bindings/explain';
import type { Workspace } from '../../server/src/core/index/snapshot';
import { objectId } from '../../server/src/core/model/types';
import type { HttpMatch, RouteObject } from '../../server/src/core/model/types';
import { run } from '../../server/src/cli/main';
import { explainView } from '../../server/src/lsp/views';
import type { ExplainViewResult } from '../../server/src/protocol';
import { FIXTURES, REPO_ROOT, textAt, workspaceFromDisk } from '../support/workspace';

const GW = path.join(FIXTURES, 'gateway-api', 'conformance');
const MESH_DIR = path.join(GW, 'tests', 'mesh');
const MANIFESTS = path.join(GW, 'mesh', 'manifests.yaml');
const M = 'gateway-conformance-mesh';

/** Independent HTTP precedence key (GEP-1294 / HTTPRoute spec): Exact path, longest prefix, method, headers, query params. */
function httpKey(m: HttpMatch | undefined): number[] {
  const p = m?.path ?? { type: 'PathPrefix', value: '/' };
  const prefix = p.value.length > 1 ? p.value.replace(/\/+$/, '') : p.value;
  return [p.type === 'Exact' ? 2 : p.type === 'PathPrefix' ? 1 : 0, p.type === 'RegularExpression' ? 0 : p.type === 'Exact' ? p.value.length : prefix.length, m?.method ? 1 : 0, m?.headers.length ?? 0, m?.queryParams.length ?? 0];
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** Requests that exercise each route's matches: every path (and a path under each prefix), each header set, each gRPC method. */
function requestsFor(routes: readonly RouteObject[]): Array<Pick<ExplainRequest, 'path' | 'method' | 'headers'>> {
  const out: Array<Pick<ExplainRequest, 'path' | 'method' | 'headers'>> = [{ path: '/' }, { path: '/nothing-matches-this' }];
  for (const r of routes) {
    for (const rule of r.rules) {
      for (const m of rule.httpMatches ?? []) {
        const headers = m.headers.filter((h) => h.type !== 'RegularExpression').map((h) => [h.name, h.value] as [string, string]);
        const query = m.queryParams.filter((q) => q.type !== 'RegularExpression').map((q) => `${encodeURIComponent(q.name)}=${encodeURIComponent(q.value)}`);
        const base = m.path && m.path.type !== 'RegularExpression' ? m.path.value : '/';
        const p = `${base}${query.length ? `?${query.join('&')}` : ''}`;
        out.push({ path: p, method: m.method, headers });
        if (m.path?.type === 'PathPrefix') out.push({ path: `${base.replace(/\/$/, '')}/deeper`, method: m.method, headers });
        if (headers.length) out.push({ path: p, method: m.method, headers: headers.map(([k, v]) => [k, `${v}-not`]) });
      }
      for (const m of rule.grpcMatches ?? []) {
        const headers = m.headers.filter((h) => h.type !== 'RegularExpression').map((h) => [h.name, h.value] as [string, string]);
        out.push({ path: `/${m.method?.service ?? 'grpc.testing.TestService'}/${m.method?.method ?? 'UnaryCall'}`, headers });
      }
    }
  }
  return out;
}

function stepFor(c: ExplainResult['candidates'][number], winner: boolean): string {
  return `${winner ? '→' : '✗'} ${c.route} rule ${c.rule}${c.match >= 0 ? ` match ${c.match}` : ''}: ${c.why}${winner ? ' (wins by precedence)' : ''}`;
}

function checkOne(ws: Workspace, r: ExplainResult, label: string): void {
  const routes = new Map<string, RouteObject>();
  for (const x of ws.routes()) routes.set(objectId(x), x);
  if (r.audience === 'default') {
    assert.equal(r.steps.length, 1, label);
    assert.match(r.steps[0]!.text, /^No route binds .* default Kubernetes routing/, label);
    assert.deepEqual(r.candidates, [], label);
    return;
  }
  // 1. The audience comes first and names the routes that apply.
  assert.ok(r.steps[0]!.text.includes(r.routes.join(', ')), `${label}: ${r.steps[0]!.text}`);
  if (r.status === null) return; // TCP/TLS: no request matching
  // 2. Candidates in precedence order: an independent key, then route order, rule, match.
  for (let i = 1; i < r.candidates.length; i++) {
    const a = r.candidates[i - 1]!;
    const b = r.candidates[i]!;
    const ra = routes.get(a.route)!;
    const rb = routes.get(b.route)!;
    if (ra.kind !== 'HTTPRoute') continue;
    const ka = httpKey(a.match >= 0 ? ra.rules[a.rule]!.httpMatches![a.match] : undefined);
    const kb = httpKey(b.match >= 0 ? rb.rules[b.rule]!.httpMatches![b.match] : undefined);
    const c = compareKeys(ka, kb);
    assert.ok(c >= 0, `${label}: candidate ${i - 1} (${ka}) before ${i} (${kb})`);
    if (c === 0) {
      const order = [r.routes.indexOf(a.route), a.rule, a.match];
      const next = [r.routes.indexOf(b.route), b.rule, b.match];
      assert.ok(compareKeys(order, next) < 0, `${label}: tie broken by route order, rule, match: ${order} then ${next}`);
    }
  }
  // 3. The steps list the candidates tried, in that order, each with why; the first match wins.
  const w = r.candidates.findIndex((c) => c.matched);
  const tried = w >= 0 ? r.candidates.slice(0, w + 1) : r.candidates;
  const candidateSteps = r.steps.filter((s) => /^[→✗·] /.test(s.text));
  assert.deepEqual(
    candidateSteps.map((s) => s.text),
    tried.map((c, i) => stepFor(c, i === w)),
    label,
  );
  candidateSteps.forEach((s, i) => {
    assert.equal(s.file, tried[i]!.file, label);
    assert.deepEqual(s.span, tried[i]!.span, label);
  });
  for (const c of r.candidates) {
    const text = textAt(ws, c.file, c.span);
    assert.ok(text.length > 0, `${label}: candidate span`);
    if (c.match >= 0) assert.match(text, /path|headers|method|queryParams/, `${label}: a match's span is the match: ${text}`);
  }
  if (w >= 0) {
    assert.deepEqual([r.match?.route, r.match?.rule], [r.candidates[w]!.route, r.candidates[w]!.rule], label);
    assert.match(r.steps[r.steps.length - 1]!.text, /^Outcome: /, label);
  } else {
    assert.equal(r.status, 404, label);
    assert.equal(r.match, null, label);
    assert.match(r.steps[r.steps.length - 1]!.text, /^No rule matches .*: the request gets 404\.$/, label);
  }
}

function checkView(ws: Workspace, r: ExplainResult, v: ExplainViewResult, label: string): void {
  assert.deepEqual(
    v.steps.map((s) => s.text),
    r.steps.map((s) => s.text),
    label,
  );
  r.steps.forEach((s, i) => {
    const loc = v.steps[i]!.location;
    if (!s.file || !s.span) return assert.equal(loc, undefined, label);
    assert.ok(loc, `${label}: step ${i} has a location`);
    const file = ws.file(s.file)!;
    assert.deepEqual(loc.range.start, file.lines().positionAt(s.span.start), label);
    assert.ok(loc.uri.endsWith(encodeURI(path.basename(s.file))), label);
  });
  assert.equal(v.candidates.length, r.candidates.length, label);
  assert.deepEqual(
    v.candidates.map((c) => c.winner),
    r.candidates.map((_c, i) => i === r.candidates.findIndex((x) => x.matched) && r.match !== null),
    label,
  );
  v.candidates.forEach((c, i) => assert.ok(c.location, `${label}: candidate ${i} location`));
}

const FILES = fs
  .readdirSync(MESH_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

test('there are mesh conformance fixtures to explain', () => {
  assert.ok(FILES.length >= 20, String(FILES.length));
});

for (const file of FILES) {
  test(`explain steps on ${file}: audience, candidates in precedence order with why, winner, outcome`, () => {
    const ws = workspaceFromDisk([MANIFESTS, path.join(MESH_DIR, file)]);
    let explained = 0;
    let withCandidates = 0;
    for (const svc of ws.services()) {
      const b = serviceBindings(ws, svc);
      for (const pb of b.ports) {
        const groups = [pb.producer, ...pb.consumers.values()].filter((g) => g !== null);
        if (groups.length === 0) continue;
        const callers = [svc.namespace, ...pb.consumers.keys(), 'some-other-namespace'];
        const routes = groups.flatMap((g) => g.routes.map((a) => a.route));
        for (const from of callers) {
          for (const req of requestsFor(routes)) {
            const request: ExplainRequest = { service: { namespace: svc.namespace, name: svc.name }, port: pb.port.port!.value, from, ...req };
            const label = `${file} ${svc.name}:${request.port} from ${from} ${JSON.stringify(req)}`;
            const r = explain(ws, request);
            checkOne(ws, r, label);
            const v = explainView(ws, { service: `${svc.namespace}/${svc.name}`, port: request.port, from, path: req.path, method: req.method, headers: req.headers });
            assert.ok(!('error' in v), label);
            checkView(ws, r, v as ExplainViewResult, label);
            explained++;
            if (r.candidates.length) withCandidates++;
          }
        }
      }
    }
    assert.ok(explained > 0, 'some request explained');
    assert.ok(withCandidates > 0, 'some request went through candidate matching');
  });
}

test('httproute-matching.yaml: /v2example fails the /v2 prefix and both header matches, then the / prefix wins', () => {
  const ws = workspaceFromDisk([MANIFESTS, path.join(MESH_DIR, 'httproute-matching.yaml')]);
  const r = explain(ws, { service: { namespace: M, name: 'echo' }, port: 80, from: M, path: '/v2example' });
  assert.deepEqual(
    r.steps.map((s) => s.text),
    [
      `The producer routes of ${M}/echo:80 apply to callers in ${M}: HTTPRoute/${M}/mesh-matching.`,
      `✗ HTTPRoute/${M}/mesh-matching rule 1 match 0: path /v2example does not start with the segment prefix /v2`,
      `✗ HTTPRoute/${M}/mesh-matching rule 0 match 1: header version is missing`,
      `✗ HTTPRoute/${M}/mesh-matching rule 1 match 1: header version is missing`,
      `→ HTTPRoute/${M}/mesh-matching rule 0 match 0: matches path PathPrefix / (wins by precedence)`,
      `Outcome: forwarded to ${M}/echo-v1:8080 (weight 1).`,
    ],
  );
  const steps = r.steps.slice(1, 5).map((s) => textAt(ws, s.file!, s.span!).split('\n')[0]);
  assert.deepEqual(steps, ['path:', 'headers:', 'headers:', 'path:']);
});

test('httproute-matching.yaml: header version: two lifts rule 1 match 1 above the bare / prefix; the lower candidate still matches', () => {
  const ws = workspaceFromDisk([MANIFESTS, path.join(MESH_DIR, 'httproute-matching.yaml')]);
  const r = explain(ws, { service: { namespace: M, name: 'echo' }, port: 80, from: M, path: '/', headers: [['version', 'two']] });
  assert.deepEqual(
    r.candidates.map((c) => `${c.matched ? '✓' : '✗'} rule ${c.rule} match ${c.match}: ${c.why}`),
    [
      '✗ rule 1 match 0: path / does not start with the segment prefix /v2',
      '✗ rule 0 match 1: header version: two does not match one',
      '✓ rule 1 match 1: matches path PathPrefix /, 1 header match',
      '✓ rule 0 match 0: matches path PathPrefix /',
    ],
  );
  assert.deepEqual(r.match && { route: r.match.route, rule: r.match.rule }, { route: `HTTPRoute/${M}/mesh-matching`, rule: 1 });
});

test('seed article: a request from dev-ns is explained with the consumer route winning, step by step', () => {
  const ws = workspaceFromDisk([path.join(REPO_ROOT, 'examples', 'seed-article')]);
  const v = explainView(ws, { service: 'app-ns/svc-a', from: 'dev-ns', path: '/' }) as ExplainViewResult;
  assert.equal(v.audience, 'consumer');
  assert.deepEqual(
    v.steps.map((s) => `${s.text} @${s.location ? `${path.basename(s.location.uri)}:${s.location.range.start.line + 1}` : '-'}`),
    [
      'Callers in dev-ns have consumer routes for app-ns/svc-a:80; they replace the producer routes: HTTPRoute/dev-ns/route-c. @03-consumer-route-c.yaml:10',
      '→ HTTPRoute/dev-ns/route-c rule 0: rule has no matches: matches every request (wins by precedence) @03-consumer-route-c.yaml:16',
      'Outcome: forwarded to app-ns/svc-a:80 (weight 1). @03-consumer-route-c.yaml:16',
    ],
  );
  assert.deepEqual(v.candidates.map((c) => [c.route, c.winner]), [['HTTPRoute/dev-ns/route-c', true]]);
  assert.deepEqual(v.backends.map((b) => `${b.service}:${b.port}@${b.weight} ${b.location ? path.basename(b.location.uri) : '-'}`), ['app-ns/svc-a:80@1 01-gateway-route-a.yaml']);
  const producer = explainView(ws, { service: 'app-ns/svc-a', from: 'app-ns', path: '/' }) as ExplainViewResult;
  assert.equal(producer.audience, 'producer');
  assert.deepEqual(producer.backends.map((b) => b.service), ['ext-ns/svc-b']);
});

test('CLI parity: `explain --format text` prints the engine steps in order, and the candidates of lower precedence after the winner', () => {
  const out: string[] = [];
  const err: string[] = [];
  const argv = ['explain', MANIFESTS, path.join(MESH_DIR, 'httproute-matching.yaml'), '--service', `${M}/echo`, '--port', '80', '--from', M, '--path', '/', '--header', 'version=two'];
  assert.equal(run(argv, { out, err }), 0);
  assert.deepEqual(err, []);
  const lines = out.join('\n').split('\n').map((l) => l.replace(/ {2}\[[^\]]*\]$/, ''));
  assert.deepEqual(lines, [
    `Request to ${M}/echo:80 from namespace ${M} (generic)`,
    `Audience: producer (HTTPRoute/${M}/mesh-matching)`,
    `  The producer routes of ${M}/echo:80 apply to callers in ${M}: HTTPRoute/${M}/mesh-matching.`,
    `  ✗ HTTPRoute/${M}/mesh-matching rule 1 match 0: path / does not start with the segment prefix /v2`,
    `  ✗ HTTPRoute/${M}/mesh-matching rule 0 match 1: header version: two does not match one`,
    `  → HTTPRoute/${M}/mesh-matching rule 1 match 1: matches path PathPrefix /, 1 header match (wins by precedence)`,
    `  · HTTPRoute/${M}/mesh-matching rule 0 match 0: matches path PathPrefix / (lower precedence, not used)`,
    `  Outcome: forwarded to ${M}/echo-v2:8080 (weight 1).`,
    `Result: 200 via ${M}/echo-v2:8080 (weight 1)`,
  ]);
  // Same reasoning as the editor's explainer: every step text, in order.
  const ws = workspaceFromDisk([MANIFESTS, path.join(MESH_DIR, 'httproute-matching.yaml')]);
  const v = explainView(ws, { service: `${M}/echo`, port: 80, from: M, path: '/', headers: [['version', 'two']] }) as ExplainViewResult;
  const printed = lines.map((l) => l.trim());
  let at = 0;
  for (const s of v.steps) {
    const i = printed.indexOf(s.text, at);
    assert.ok(i >= at, `CLI prints step "${s.text}" in order`);
    at = i + 1;
  }
  assert.equal(v.candidates.length, printed.filter((l) => /^[→✗·] /.test(l)).length);
});
