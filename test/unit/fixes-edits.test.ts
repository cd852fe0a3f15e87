/** Quick-fix edits fit the YAML around them (block, flow, indentless sequences, CRLF), and every fix over the real data removes its finding. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { analyzeFile } from '../../server/src/core/analyzers/index';
import { appendDocument, appendSeqItem, applyEdits, insertKey, removeLines, trimSpan } from '../../server/src/core/analyzers/edits';
import { CORPUS, FIXTURES, workspaceFromDisk } from '../support/workspace';
import { analyze, roundTrip, single } from './analyzers-support';

const at = (text: string, needle: string): { start: number; end: number } => {
  const start = text.indexOf(needle);
  assert.ok(start >= 0, needle);
  return { start, end: start + needle.length };
};

test('insertKey: block entry keeps the column; flow entry goes inside the braces; empty flow map', () => {
  const block = 'refs:\n  - kind: Service\n    name: a\n';
  assert.equal(applyEdits(block, [insertKey('f', block, at(block, 'kind: Service\n    name: a'), 'group', '""')]), 'refs:\n  - group: ""\n    kind: Service\n    name: a\n');
  const flow = 'refs: [{kind: Service, name: a}]\n';
  assert.equal(applyEdits(flow, [insertKey('f', flow, at(flow, '{kind'), 'group', '""')]), 'refs: [{group: "", kind: Service, name: a}]\n');
  const empty = 'x: {}\n';
  assert.equal(applyEdits(empty, [insertKey('f', empty, at(empty, '{}'), 'a', '1')]), 'x: {a: 1}\n');
});

test('removeLines: whole block lines, a middle flow entry with its comma, the last flow entry with the comma before it', () => {
  const block = 'spec:\n  hostnames:\n  - a\n  - b\n  rules: []\n';
  assert.equal(applyEdits(block, [removeLines('f', block, at(block, 'hostnames:\n  - a\n  - b\n'))]), 'spec:\n  rules: []\n');
  const mid = 'spec: {hostnames: [a], rules: []}\n';
  assert.equal(applyEdits(mid, [removeLines('f', mid, at(mid, 'hostnames: [a]'))]), 'spec: {rules: []}\n');
  const last = 'spec: {rules: [], hostnames: [a]}\n';
  assert.equal(applyEdits(last, [removeLines('f', last, at(last, 'hostnames: [a]'))]), 'spec: {rules: []}\n');
});

test('appendSeqItem: indented and indentless block sequences, and flow sequences', () => {
  const indented = 'rules:\n  - matches: []\n    backendRefs: []\nnext: 1\n';
  const first = at(indented, 'matches: []\n    backendRefs: []\n');
  assert.equal(applyEdits(indented, [appendSeqItem('f', indented, first, first, ['backendRefs:', '- name: a'], '{}')]), 'rules:\n  - matches: []\n    backendRefs: []\n  - backendRefs:\n    - name: a\nnext: 1\n');
  const indentless = 'rules:\n- a: 1\n- b: 2\n';
  assert.equal(applyEdits(indentless, [appendSeqItem('f', indentless, at(indentless, 'a: 1'), at(indentless, 'b: 2'), ['c: 3'], '{}')]), 'rules:\n- a: 1\n- b: 2\n- c: 3\n');
  const flow = 'rules: [{a: 1}, {b: 2}]\n';
  assert.equal(applyEdits(flow, [appendSeqItem('f', flow, at(flow, '{a: 1}'), at(flow, '{b: 2}'), ['c: 3'], '{c: 3}')]), 'rules: [{a: 1}, {b: 2}, {c: 3}]\n');
});

test('appendDocument: separator, final newline, CRLF files stay CRLF', () => {
  assert.equal(applyEdits('a: 1', [appendDocument('f', 'a: 1', ['b: 2'])]), 'a: 1\n---\nb: 2\n');
  assert.equal(applyEdits('a: 1\r\n', [appendDocument('f', 'a: 1\r\n', ['b: 2', 'c: 3'])]), 'a: 1\r\n---\r\nb: 2\r\nc: 3\r\n');
  assert.equal(applyEdits('', [appendDocument('f', '', ['b: 2'])]), 'b: 2\n');
  assert.deepEqual(trimSpan('ab \n\n', { start: 0, end: 5 }), { start: 0, end: 2 });
});

test('quick fixes in a CRLF file keep CRLF line endings', () => {
  const svc = 'apiVersion: v1\r\nkind: Service\r\nmetadata:\r\n  name: svc-a\r\n  namespace: app\r\nspec:\r\n  ports:\r\n  - port: 80\r\n';
  const route = 'apiVersion: gateway.networking.k8s.io/v1\r\nkind: HTTPRoute\r\nmetadata:\r\n  name: r\r\n  namespace: app\r\nspec:\r\n  parentRefs:\r\n  - kind: Service\r\n    name: svc-a\r\n  rules:\r\n  - matches:\r\n    - path: {type: Exact, value: /a}\r\n    backendRefs:\r\n    - name: svc-a\r\n      port: 80\r\n';
  const run = analyze({ '/ws/s.yaml': svc, '/ws/r.yaml': route.replace(/ {2}- matches:\r\n {4}- path: \{type: Exact, value: \/a\}\r\n {4}backendRefs:/, '  - backendRefs:') });
  const { files } = roundTrip(run, single(run, 'parent-group-missing'));
  assert.match(files['/ws/r.yaml']!, /\r\n {2}- group: ""\r\n {4}kind: Service\r\n/);
  const exact = analyze({ '/ws/s.yaml': svc, '/ws/r.yaml': route.replace('  - kind: Service', '  - group: ""\r\n    kind: Service') });
  const second = roundTrip(exact, single(exact, 'unmatched-requests'));
  assert.match(second.files['/ws/r.yaml']!, /port: 80\r\n {2}- backendRefs:\r\n {4}- name: svc-a\r\n {6}port: 80\r\n$/);
  assert.doesNotMatch(second.files['/ws/r.yaml']!.replace(/\r\n/g, ''), /\n/);
});

/** Every code that has a fix, once per project: apply it, re-index that file, the finding is gone and the file still parses. */
for (const [name, root, codes] of [
  ['gateway-api fixtures', path.join(FIXTURES, 'gateway-api'), 'backend-service-not-found'],
  ['BuoyantIO corpus', path.join(CORPUS, 'BuoyantIO-service-mesh-academy'), 'api-version-deprecated,backend-group-core,backend-port-not-found,backend-service-not-found,parent-group-core,rule-without-backends'],
  ['argoproj-labs corpus', path.join(CORPUS, 'argoproj-labs-rollouts-plugin-trafficrouter-gatewayapi'), 'api-version-deprecated,backend-group-core,gateway-backend-not-permitted,parent-group-core'],
  ['kubernetes-sigs corpus', path.join(CORPUS, 'kubernetes-sigs-gateway-api'), 'api-version-deprecated,gateway-backend-not-permitted'],
] as const) {
  test(`quick fixes on real files (${name}): each removes its finding and leaves valid YAML`, () => {
    const ws = workspaceFromDisk([root]);
    const seen = new Set<string>();
    let applied = 0;
    for (const file of [...ws.files()].map((f) => f.path).sort()) {
      for (const f of analyzeFile(ws, file)) {
        const fix = f.fixes.find((x) => x.preferred) ?? f.fixes[0];
        if (!fix || seen.has(f.code)) continue;
        seen.add(f.code);
        const changes = [...new Set(fix.edits.map((e) => e.file))].map((p) => ({ path: p, text: applyEdits(ws.file(p)!.text, fix.edits.filter((e) => e.file === p)) }));
        const next = ws.withFiles(changes);
        for (const c of changes) assert.deepEqual(next.file(c.path)!.problems, [], `${f.code}: ${c.path} no longer parses`);
        const still = analyzeFile(next, f.file).filter((g) => g.code === f.code && g.message === f.message);
        assert.equal(still.length, analyzeFile(ws, f.file).filter((g) => g.code === f.code && g.message === f.message).length - 1, `${f.code} fix "${fix.title}" did not remove its finding in ${f.file}`);
        applied++;
      }
    }
    assert.ok(applied > 0, 'no fix was tried');
    assert.equal([...seen].sort().join(','), codes);
  });
}
