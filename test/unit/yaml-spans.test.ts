/**
 * YAML reading: document splitting, spans (UTF-16 offsets) and the text under them, whatever the
 * line endings, encodings marks, anchors or broken neighbours.
 */
import { test } from 'node:test';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { extractFile, summarizeDocuments } from '../../server/src/core/model/extract';
import { splitDocuments } from '../../server/src/core/yaml/documents';
import { isRoute, isService } from '../../server/src/core/model/types';
import type { K8sObject, RouteObject, ServiceObject } from '../../server/src/core/model/types';
import type { Span } from '../../server/src/core/text';
import { LineIndex } from '../../server/src/core/text';
import { textAt, workspace, yaml } from '../support/workspace';

const F = '/ws/a.yaml';

function under(text: string, s: Span | undefined): string | undefined {
  return s ? text.slice(s.start, s.end) : undefined;
}

const service = (name: string, nl = '\n'): string =>
  ['apiVersion: v1', 'kind: Service', 'metadata:', `  name: ${name}`, '  namespace: ns', 'spec:', '  ports:', '  - name: http', '    port: 80', '    targetPort: 8080'].join(nl);

function services(objects: readonly K8sObject[]): ServiceObject[] {
  return objects.filter(isService);
}

function routes(objects: readonly K8sObject[]): RouteObject[] {
  return objects.filter(isRoute);
}

/** Every service's name, port and port-entry text, for streams written with different line endings. */
const streams: Array<{ name: string; text: string; eol: string }> = [
  { name: 'LF', text: `${service('a')}\n---\n${service('b')}\n`, eol: '\n' },
  { name: 'CRLF', text: `${service('a', '\r\n')}\r\n---\r\n${service('b', '\r\n')}\r\n`, eol: '\r\n' },
  { name: 'lone CR', text: `${service('a', '\r')}\r---\r${service('b', '\r')}\r`, eol: '\r' },
  { name: 'BOM', text: `\ufeff${service('a')}\n---\n${service('b')}`, eol: '\n' },
  { name: 'BOM and CRLF', text: `\ufeff${service('a', '\r\n')}\r\n---\r\n${service('b', '\r\n')}`, eol: '\r\n' },
  { name: 'document end markers', text: `${service('a')}\n...\n---\n${service('b')}\n...\n`, eol: '\n' },
  { name: '... without a following ---', text: `${service('a')}\n...\n${service('b')}\n`, eol: '\n' },
  { name: 'comments everywhere', text: `# head\n---\n# about a\n${service('a')} # trailing\n---\n# only a comment\n---\n${service('b')}\n# tail\n`, eol: '\n' },
  { name: 'YAML directives', text: `%YAML 1.2\n---\n${service('a')}\n...\n%YAML 1.2\n%TAG !e! tag:example.com,2000:\n---\n${service('b')}\n`, eol: '\n' },
  { name: 'leading --- with a comment', text: `--- # first\n${service('a')}\n--- # second\n${service('b')}\n`, eol: '\n' },
];

for (const s of streams) {
  test(`multi-document stream, ${s.name}: both Services and their spans`, () => {
    const ex = extractFile(F, s.text);
    assert.deepEqual(ex.problems, []);
    const svcs = services(ex.objects);
    assert.deepEqual(
      svcs.map((o) => [o.name, o.docIndex, under(s.text, o.nameField?.span), under(s.text, o.metadataNamespace?.span)]),
      [
        ['a', svcs[0]!.docIndex, 'a', 'ns'],
        ['b', svcs[1]!.docIndex, 'b', 'ns'],
      ],
    );
    assert.ok(svcs[0]!.docIndex < svcs[1]!.docIndex);
    for (const o of svcs) {
      assert.equal(o.ports.length, 1);
      const p = o.ports[0]!;
      assert.equal(p.port?.value, 80);
      assert.equal(under(s.text, p.port?.span), '80');
      assert.equal(under(s.text, p.name?.span), 'http');
      assert.equal(under(s.text, p.targetPort?.span), '8080');
      // A port entry's span covers its keys and stops before the line break that ends it.
      assert.equal(under(s.text, p.span), ['name: http', '    port: 80', '    targetPort: 8080'].join(s.eol));
    }
    // Lines computed from spans agree with the line endings.
    const lines = new LineIndex(s.text);
    const pos = lines.positionAt(svcs[1]!.nameField!.span.start);
    const lineText = s.text.slice(lines.lineStart(pos.line), lines.lineStart(pos.line) + 9);
    assert.equal(lineText, '  name: b');
  });
}

test('non-ASCII text before a node: offsets are UTF-16 code units', () => {
  const text = yaml`
    # Überprüfung 日本語 😀 (an astral character counts as two units)
    apiVersion: v1
    kind: Service
    metadata:
      name: "caf\u00e9-😀"
      annotations: {note: "ß😀"}
      namespace: ns
    spec:
      ports:
      - port: 80
  `;
  const ws = workspace({ [F]: text });
  const svc = ws.service('ns', 'café-😀');
  assert.ok(svc, 'the Service is indexed under its non-ASCII name');
  assert.equal(textAt(ws, F, svc.nameField!.span), '"café-😀"');
  assert.equal(textAt(ws, F, svc.metadataNamespace!.span), 'ns');
  assert.equal(textAt(ws, F, svc.ports[0]!.port!.span), '80');
  const pos = ws.file(F)!.lines().positionAt(svc.metadataNamespace!.span.start);
  assert.deepEqual(pos, { line: 6, character: 13 });
});

test('flow maps in parentRefs: each field has its own span', () => {
  const text = yaml`
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata: {name: r, namespace: ns}
    spec:
      parentRefs: [{group: "", kind: Service, name: x}, {kind: Service, name: y, group: , port: 8080}]
      rules: [{backendRefs: [{name: b, port: 80}]}]
  `;
  const ex = extractFile(F, text);
  const [r] = routes(ex.objects);
  assert.ok(r);
  assert.equal(r.namespace, '');
  assert.equal(under(text, r.nameField?.span), 'r');
  assert.deepEqual(
    r.parentRefs.map((p) => [under(text, p.span), p.group?.value, under(text, p.group?.keySpan), under(text, p.kind?.span), under(text, p.name?.span), under(text, p.port?.span)]),
    [
      ['{group: "", kind: Service, name: x}', '', 'group', 'Service', 'x', undefined],
      ['{kind: Service, name: y, group: , port: 8080}', null, 'group', 'Service', 'y', '8080'],
    ],
  );
  assert.equal(under(text, r.parentRefsSpan), '[{group: "", kind: Service, name: x}, {kind: Service, name: y, group: , port: 8080}]');
  assert.deepEqual(r.rules[0]!.backendRefs.map((b) => [under(text, b.span), b.name?.value, b.port?.value]), [['{name: b, port: 80}', 'b', 80]]);
});

test('anchors, aliases and YAML 1.1 merge keys are followed', () => {
  const text = yaml`
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata:
      name: r
      namespace: ns
    spec:
      parentRefs:
      - &svc
        group: ""
        kind: Service
        name: x
      - <<: *svc
        name: y
        port: 8080
      - *svc
      rules:
      - backendRefs:
        - &be
          name: b
          port: 80
          weight: 3
        - <<: [*be, *svc]
          name: c
  `;
  const ex = extractFile(F, text);
  const [r] = routes(ex.objects);
  assert.ok(r);
  assert.deepEqual(
    r.parentRefs.map((p) => [p.group?.value, p.kind?.value, p.name?.value, p.port?.value ?? null]),
    [
      ['', 'Service', 'x', null],
      ['', 'Service', 'y', 8080],
      ['', 'Service', 'x', null],
    ],
  );
  // A merged value keeps the span of the text it was written at (the anchored map).
  assert.equal(under(text, r.parentRefs[1]!.kind?.span), 'Service');
  assert.equal(r.parentRefs[1]!.kind?.span.start, r.parentRefs[0]!.kind?.span.start);
  assert.equal(under(text, r.parentRefs[1]!.name?.span), 'y');
  const [b1, b2] = r.rules[0]!.backendRefs;
  assert.deepEqual([b1?.name?.value, b1?.port?.value, b1?.weight?.value], ['b', 80, 3]);
  // Own keys win, then merge sources in order: the port and weight come from *be, the group from *svc.
  assert.deepEqual([b2?.name?.value, b2?.port?.value, b2?.weight?.value, b2?.group?.value], ['c', 80, 3, '']);
});

test('a quoted "<<" key is an ordinary key, not a merge', () => {
  const text = yaml`
    apiVersion: v1
    kind: Service
    metadata:
      name: s
      labels:
        "<<": not-a-merge
        app: x
  `;
  const [svc] = services(extractFile(F, text).objects);
  assert.deepEqual(svc?.labels, { '<<': 'not-a-merge', app: 'x' });
});

test('a broken document between two good ones: the good ones are indexed, the broken one is a problem', () => {
  const text = `${service('a')}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: [broken\n---\n${service('b')}\n`;
  const ex = extractFile(F, text);
  assert.deepEqual(services(ex.objects).map((o) => o.name), ['a', 'b']);
  assert.equal(ex.problems.length, 1);
  const p = ex.problems[0]!;
  assert.equal(p.reason, 'invalid-yaml');
  assert.match(p.message, /^document 2 is not valid YAML/);
  // The problem points inside the broken document.
  const docs = splitDocuments(text);
  assert.equal(docs.length, 3);
  assert.ok(p.span.start >= docs[1]!.span.start && p.span.end <= docs[1]!.span.end, 'problem span within document 2');
  const ws = workspace({ [F]: text });
  assert.ok(ws.service('ns', 'a'));
  assert.ok(ws.service('ns', 'b'));
  assert.equal(ws.file(F)!.problems.length, 1);
});

test('document spans: each --- document, without its trailing neighbours', () => {
  const text = `# lead\n${service('a')}\n---\n${service('b')}\n...\n# after end\n`;
  const docs = splitDocuments(text);
  assert.deepEqual(
    docs.map((d) => text.slice(d.span.start, d.span.end)),
    [`# lead\n${service('a')}\n`, `---\n${service('b')}\n...\n`],
  );
  // Empty documents (only comments or markers) are left out and do not count.
  assert.deepEqual(splitDocuments('---\n# nothing\n---\n---\n').length, 0);
});

test('Helm-templated documents are reported as templated and not parsed; the others are read', () => {
  const text = yaml`
    apiVersion: v1
    kind: Service
    metadata:
      name: {{ .Values.name }}
    ---
    # {{ this template is only in a comment }}
    apiVersion: v1
    kind: Service
    metadata:
      name: plain
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: x
      labels: {a: "{{ .Values.x }}"}
  `;
  const ex = extractFile(F, text);
  assert.deepEqual(services(ex.objects).map((o) => o.name), ['plain']);
  assert.deepEqual(ex.problems.map((p) => [p.reason, p.message]), [
    ['templated', 'document 1 contains template syntax ({{ ... }}) and was not read'],
    ['templated', 'document 3 contains template syntax ({{ ... }}) and was not read'],
  ]);
  assert.match(under(text, ex.problems[0]!.span)!, /^apiVersion: v1\nkind: Service\nmetadata:\n {2}name: \{\{ \.Values\.name \}\}\n$/);
  assert.deepEqual(summarizeDocuments(text, ex.objects).map((d) => [d.index, d.kind]), [
    [0, 'Service'],
    [1, 'Service'],
    [2, 'Service'],
  ]);
});

test('kind: List holds several objects, each with its own span', () => {
  const text = yaml`
    apiVersion: v1
    kind: List
    items:
    - apiVersion: v1
      kind: Service
      metadata:
        name: one
        namespace: ns
      spec:
        ports: [{port: 80}]
    - apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata:
        name: two
        namespace: ns
      spec:
        parentRefs:
        - {group: "", kind: Service, name: one}
  `;
  const ws = workspace({ [F]: text });
  const objs = ws.file(F)!.objects;
  assert.deepEqual(objs.map((o) => [o.kind, o.name, o.docIndex, o.itemIndex]), [
    ['Service', 'one', 0, 0],
    ['HTTPRoute', 'two', 0, 1],
  ]);
  assert.match(textAt(ws, F, objs[0]!.span), /^apiVersion: v1\n {2}kind: Service\n[\s\S]*ports: \[\{port: 80\}\]$/);
  assert.match(textAt(ws, F, objs[1]!.span), /^apiVersion: gateway.networking.k8s.io\/v1\n[\s\S]*name: one\}$/);
  assert.equal(textAt(ws, F, objs[1]!.nameField!.span), 'two');
  assert.equal(ws.referencesTo('ns', 'one').length, 1);
});

test('documents that are not Kubernetes objects are skipped silently', () => {
  const text = yaml`
    just: a map
    ---
    - a
    - list
    ---
    plain scalar
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: cm}
    ---
    kind: Service
    metadata: {name: no-api-version}
  `;
  const ex = extractFile(F, text);
  assert.deepEqual(ex.problems, []);
  assert.deepEqual(services(ex.objects), []);
  assert.deepEqual(
    summarizeDocuments(text, ex.objects).map((d) => d.kind ?? null),
    [null, null, null, 'ConfigMap', 'Service'],
  );
});

test('every span of a realistic route points at the text it names', () => {
  const text = yaml`
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata:
      name: route-b # the producer route
      namespace: app-ns
      creationTimestamp: "2024-01-01T00:00:00Z"
    spec:
      parentRefs:
      - group: ""   # core
        kind: Service
        name: svc-a
        port: 80
        sectionName: http
      hostnames: [a.example]
      rules:
      - matches:
        - path: {type: PathPrefix, value: /v2}
          headers: [{name: version, value: two}]
        filters:
        - type: RequestMirror
          requestMirror:
            backendRef: {name: mirror, port: 81}
        backendRefs:
        - name: svc-b
          namespace: ext-ns
          port: 80
          weight: 100
  `;
  const ws = workspace({ [F]: text });
  const [r] = routes(ws.file(F)!.objects);
  assert.ok(r);
  const p = r.parentRefs[0]!;
  assert.deepEqual(
    [p.group, p.kind, p.name, p.port, p.sectionName].map((f) => (f ? textAt(ws, F, f.span) : undefined)),
    ['""', 'Service', 'svc-a', '80', 'http'],
  );
  assert.equal(textAt(ws, F, p.span), 'group: ""   # core\n    kind: Service\n    name: svc-a\n    port: 80\n    sectionName: http');
  assert.equal(r.creationTimestamp, '2024-01-01T00:00:00Z');
  assert.deepEqual(r.hostnames?.value, ['a.example']);
  assert.equal(textAt(ws, F, r.hostnames!.span), '[a.example]');
  const rule = r.rules[0]!;
  assert.equal(rule.httpMatches?.[0]?.path?.value, '/v2');
  assert.deepEqual(rule.httpMatches?.[0]?.headers, [{ type: 'Exact', name: 'version', value: 'two' }]);
  assert.deepEqual(
    r.backendRefs.map((b) => [b.mirror, textAt(ws, F, b.name!.span), b.namespace?.value, b.port?.value, b.weight?.value]),
    [
      [false, 'svc-b', 'ext-ns', 80, 100],
      [true, 'mirror', undefined, 81, undefined],
    ],
  );
  assert.equal(textAt(ws, F, rule.filters[0]!.span), 'type: RequestMirror\n      requestMirror:\n        backendRef: {name: mirror, port: 81}');
});

test('LineIndex: LF-only texts (found natively) give the lines a character scan gives', () => {
  for (const text of ['', 'a', '\n', 'a\n', '\n\n', 'ab\ncd\n\nef', 'x\n'.repeat(50) + 'end']) {
    const lines = new LineIndex(text);
    const expected = text.split('\n');
    assert.equal(lines.lineCount, expected.length, JSON.stringify(text));
    let at = 0;
    expected.forEach((l, i) => {
      assert.equal(lines.lineStart(i), at);
      assert.deepEqual(lines.positionAt(at + l.length), { line: i, character: l.length });
      at += l.length + 1;
    });
  }
});

test('LineIndex: LF, CRLF and lone CR line endings, round trips and clamping', () => {
  const text = 'a\r\nbc\rd\n\né😀';
  const lines = new LineIndex(text);
  assert.equal(lines.lineCount, 5);
  const table: Array<[number, number, number]> = [
    [0, 0, 0],
    [1, 0, 1],
    [3, 1, 0],
    [5, 1, 2],
    [6, 2, 0],
    [8, 3, 0],
    [9, 4, 0],
    [10, 4, 1],
    [12, 4, 3],
    [99, 4, 3],
    [-5, 0, 0],
  ];
  for (const [offset, line, character] of table) {
    assert.deepEqual(lines.positionAt(offset), { line, character }, `offset ${offset}`);
    if (offset >= 0 && offset <= text.length) assert.equal(lines.offsetAt({ line, character }), offset, `round trip ${offset}`);
  }
  // Characters past the end of a line stop before its line break; lines past the end clamp.
  assert.equal(lines.offsetAt({ line: 0, character: 99 }), 1);
  assert.equal(lines.offsetAt({ line: 1, character: 99 }), 5);
  assert.equal(lines.offsetAt({ line: 9, character: 0 }), text.length);
  assert.equal(lines.offsetAt({ line: -1, character: 3 }), 0);
  assert.deepEqual([0, 1, 2, 3, 4].map((l) => lines.lineStart(l)), [0, 3, 6, 8, 9]);
});

/** The line-by-line splitter the jumping one replaced: every line start is looked at. */
function splitLineByLine(text: string): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  const lines: Array<{ at: number; eol: number; next: number }> = [];
  for (let at = 0; at <= text.length; ) {
    let eol = at;
    while (eol < text.length && text[eol] !== '\n' && text[eol] !== '\r') eol++;
    const next = text.startsWith('\r\n', eol) ? eol + 2 : eol + 1;
    lines.push({ at, eol, next });
    if (eol >= text.length) break;
    at = next;
  }
  const content = (s: number, e: number, directives: boolean): boolean =>
    text
      .slice(s, e)
      .split(/\r\n|\r|\n/)
      .some((l) => {
        const t = l.replace(/^[\s\ufeff]+/, '');
        return t !== '' && !t.startsWith('#') && !(directives && t.startsWith('%')) && !/^(---|\.\.\.)(\s|$)/.test(t);
      });
  let start = 0;
  const push = (end: number): void => {
    if (end > start && content(start, end, false)) out.push({ start, end });
  };
  for (const { at, eol, next } of lines) {
    const line = text.slice(at === 0 && text.charCodeAt(0) === 0xfeff ? 1 : at, eol);
    if (/^---(\s|$)/.test(line) && at !== start) {
      if (!(content(start, at, false) && !content(start, at, true))) {
        push(at);
        start = at;
      }
    } else if (/^\.\.\.(\s|$)/.test(line)) {
      push(Math.min(next, text.length));
      start = Math.min(next, text.length);
    }
  }
  push(text.length);
  return out;
}

test('document splitting jumps between marker candidates and finds what a line-by-line scan finds', () => {
  const line = fc.constantFrom('---', '--- # c', '---x', '...', '... ', '.x', '- a', '-', 'a: b', '  x: 1', '# c', '', '%YAML 1.2', '\ufeffa: 1', '-- ', '.. ');
  fc.assert(
    fc.property(fc.array(line, { maxLength: 14 }), fc.boolean(), (lines, finalBreak) => {
      const text = lines.join('\n') + (finalBreak ? '\n' : '');
      assert.deepEqual(
        splitDocuments(text).map((c) => c.span),
        splitLineByLine(text),
        JSON.stringify(text),
      );
    }),
    { numRuns: 3000, seed: 1294 },
  );
});

test('documents are summarised from the text and the objects: kind, name and namespace of a read document, else the kind written', () => {
  const text = yaml`
    apiVersion: v1
    kind: Service
    metadata: {name: a, namespace: ns}
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: skipped}
    ---
    kind: Service
    metadata:
      name: {{ .Values.name }}
    ---
    apiVersion: v1
    kind: List
    items:
    - {apiVersion: v1, kind: Service, metadata: {name: first}}
    - {apiVersion: v1, kind: Service, metadata: {name: second}}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: [unclosed
    ---
    just: a map
  `;
  const ex = extractFile(F, text);
  const docs = summarizeDocuments(text, ex.objects);
  assert.deepEqual(
    docs.map((d) => [d.index, d.kind ?? null, d.name ?? null, d.namespace ?? null, under(text, d.span)!.replace(/^---\n/, '').split('\n')[0]]),
    [
      [0, 'Service', 'a', 'ns', 'apiVersion: v1'],
      [1, 'ConfigMap', null, null, 'apiVersion: v1'],
      [2, 'Service', null, null, 'kind: Service'],
      [3, 'Service', 'first', null, 'apiVersion: v1'],
      [4, 'Service', null, null, 'apiVersion: v1'],
      [5, null, null, null, 'just: a map'],
    ],
  );
  // The snapshot lists the same, from its (namespace-resolved) objects.
  assert.deepEqual(workspace({ [F]: text }).file(F)!.documents, docs);
});
