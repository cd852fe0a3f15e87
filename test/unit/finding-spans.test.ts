/**
 * Findings are placed without reading file texts again: their spans must already end on a node's
 * last character (analyzeFile no longer trims them), and positions of files that are not kept in
 * memory come from line starts recorded when the file was read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { analyzeWorkspace } from '../../server/src/core/analyzers/index';
import { trimSpan } from '../../server/src/core/analyzers/edits';
import { Workspace } from '../../server/src/core/index/snapshot';
import { extractFile } from '../../server/src/core/model/extract';
import { IMPLEMENTATIONS } from '../../server/src/core/options';
import { LineIndex, lineStarts } from '../../server/src/core/text';
import type { Span } from '../../server/src/core/text';
import { CORPUS, FIXTURES, REPO_ROOT, workspace, workspaceFromDisk, yaml } from '../support/workspace';
import * as fs from 'node:fs';

/** Every finding span and related span of `ws` that trailing whitespace would shorten. */
function untrimmed(ws: Workspace): { checked: number; bad: string[] } {
  let checked = 0;
  const bad: string[] = [];
  const check = (file: string, span: Span, what: string): void => {
    checked++;
    const text = ws.file(file)!.text;
    const trimmed = trimSpan(text, span);
    if (trimmed.end !== span.end) bad.push(`${what} ${file}: ${JSON.stringify(text.slice(span.start, span.end))}`);
  };
  for (const list of analyzeWorkspace(ws).values()) {
    for (const f of list) {
      check(f.file, f.span, f.code);
      for (const r of f.related) check(r.file, r.span, `${f.code} (related)`);
    }
  }
  return { checked, bad };
}

const ROOTS = [
  path.join(FIXTURES, 'gateway-api'),
  path.join(FIXTURES, 'istio'),
  path.join(REPO_ROOT, 'examples'),
  ...fs.readdirSync(CORPUS, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => path.join(CORPUS, d.name)),
];

test('every finding of the fixtures, the corpus and the examples ends on a node, under every implementation', () => {
  let total = 0;
  for (const root of ROOTS) {
    for (const implementation of IMPLEMENTATIONS) {
      const { checked, bad } = untrimmed(workspaceFromDisk([root], { implementation }));
      assert.deepEqual(bad, [], `${root} (${implementation})`);
      total += checked;
    }
  }
  assert.ok(total > 500, `${total} spans checked`);
});

test('findings on block nodes followed by blank lines, comments and other documents end on the node', () => {
  const ws = workspace({
    '/ws/a.yaml': yaml`
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata:
        name: r
        namespace: app
      spec:
        parentRefs:
        - group: ""
          kind: Service
          name: gone

          # a comment after the ref
        - kind: Service
          name: also-gone
          port: 80

        hostnames:
        - a.example

        rules:
        - matches:
          - path: {type: PathPrefix, value: /api}

          backendRefs:
          - name: missing
            port: 80


      ---
      apiVersion: v1
      kind: Service
      metadata: {name: svc, namespace: app}
      spec:
        ports:
        - port: 80
          targetPort: 8080

      `,
  });
  const { checked, bad } = untrimmed(ws);
  assert.deepEqual(bad, []);
  assert.ok(checked >= 3, `${checked} spans checked`);
});

test('a line index from line starts answers as one from the text, and reads the text only for offsetAt', () => {
  const texts = ['', 'a', 'a\n', 'a\nbc\n\nd', 'x\r\ny\r\n', 'p\rq\r\rr', 'mixed\r\nlf\nlone\rend', '\n\n\n', 'ünïcödé\n😀 wide\n'];
  for (const text of texts) {
    const full = new LineIndex(text);
    let reads = 0;
    const lazy = LineIndex.fromStarts(lineStarts(text), () => {
      reads++;
      return text;
    });
    assert.equal(lazy.lineCount, full.lineCount, JSON.stringify(text));
    for (let o = -1; o <= text.length + 1; o++) assert.deepEqual(lazy.positionAt(o), full.positionAt(o), `${JSON.stringify(text)} @${o}`);
    for (let line = 0; line <= full.lineCount; line++) assert.equal(lazy.lineStart(line), full.lineStart(line));
    assert.equal(reads, 0, 'positions and line starts need no text');
    for (let line = -1; line <= full.lineCount; line++) {
      for (const character of [0, 1, 2, 5, 100]) assert.equal(lazy.offsetAt({ line, character }), full.offsetAt({ line, character }), `${JSON.stringify(text)} ${line}:${character}`);
    }
    assert.ok(reads <= 1, 'the text is read once at most');
  }
});

test('a file indexed with line starts gives positions without reading its text', () => {
  const text = yaml`
    apiVersion: v1
    kind: Service
    metadata: {name: svc, namespace: app}
    spec:
      ports: [{port: 80}]
  `;
  let reads = 0;
  const ws = Workspace.fromFiles([
    {
      path: '/ws/s.yaml',
      text: '',
      extracted: extractFile('/ws/s.yaml', text),
      lineStarts: lineStarts(text),
      readText: () => {
        reads++;
        return text;
      },
    },
  ]);
  const file = ws.file('/ws/s.yaml')!;
  assert.deepEqual(file.lines().positionAt(text.indexOf('svc')), { line: 2, character: 17 });
  // Copies of the snapshot (other options) keep the line starts.
  const other = ws.withOptions({ ...ws.options, defaultNamespace: 'other' });
  assert.deepEqual(other.file('/ws/s.yaml')!.lines().positionAt(text.indexOf('ports')), { line: 4, character: 2 });
  assert.equal(reads, 0);
  assert.equal(file.text, text);
  assert.equal(reads, 1);
});
