/**
 * Hostile and broken input through the engine (issue 7): templates, invalid YAML around valid
 * documents, aliases and merge keys gone wrong, alias bombs, absurd nesting, huge lines, odd
 * encodings and line endings, and values of the wrong type everywhere the engine reads. The engine
 * must never throw, must keep what is valid, and must report what it skipped.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeWorkspace } from '../../server/src/core/analyzers/index';
import { explain, ExplainError } from '../../server/src/core/bindings/explain';
import { bindingsReport } from '../../server/src/core/bindings/report';
import { getCodeLenses, getHover, documentSymbols } from '../../server/src/core/features/index';
import type { Workspace } from '../../server/src/core/index/snapshot';
import { extractFile } from '../../server/src/core/model/extract';
import { isRoute } from '../../server/src/core/model/types';
import type { RouteObject } from '../../server/src/core/model/types';
import { LineIndex } from '../../server/src/core/text';
import { textAt, workspace, yaml } from '../support/workspace';

const F = '/ws/a.yaml';
const SVC = yaml`
  apiVersion: v1
  kind: Service
  metadata:
    name: svc
    namespace: app
  spec:
    ports:
    - name: http
      port: 80
`;
/** A route whose parentRef lacks `group` (parent-group-missing) and uses a port the Service lacks. */
const ROUTE = yaml`
  apiVersion: gateway.networking.k8s.io/v1
  kind: HTTPRoute
  metadata:
    name: route
    namespace: app
  spec:
    parentRefs:
    - kind: Service
      name: svc
      port: 80
`;

/** Runs every engine entry point a user can reach over the workspace; returns the findings by code. */
function everything(ws: Workspace): string[] {
  const findings = [...analyzeWorkspace(ws).values()].flat();
  for (const f of findings) {
    const text = ws.file(f.file)!.text;
    assert.ok(f.span.start >= 0 && f.span.start <= f.span.end && f.span.end <= text.length, `${f.code} span inside ${f.file}`);
  }
  bindingsReport(ws);
  for (const file of ws.files()) {
    getCodeLenses(ws, file.path);
    documentSymbols(ws, file.path);
    const step = Math.max(1, Math.floor(file.text.length / 300));
    for (let o = 0; o <= file.text.length; o += step) getHover(ws, file.path, o);
  }
  for (const s of ws.services()) {
    try {
      explain(ws, { service: { namespace: s.namespace, name: s.name }, from: 'app', path: '/' });
    } catch (err) {
      if (!(err instanceof ExplainError)) throw err;
    }
  }
  return findings.map((f) => f.code).sort();
}

function kinds(ws: Workspace): string[] {
  return [...ws.objects()].map((o) => `${o.kind}/${o.name}`).sort();
}

describe('templates (Helm and friends)', () => {
  test('documents with {{ }} anywhere are skipped as templated, with no findings; valid documents beside them are indexed', () => {
    const helm = yaml`
      apiVersion: v1
      kind: Service
      metadata:
        name: {{ include "chart.fullname" . }}
      spec:
        ports:
        - port: {{ .Values.service.port }}
      ---
      {{- if .Values.mesh.enabled }}
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata:
        name: r
      spec:
        parentRefs:
        - kind: Service
          name: {{ .Release.Name }}
      {{- end }}
      ---
      # a comment that mentions {{ .Values.x }} does not make a template
    ` + `---\n${SVC}`;
    const ws = workspace({ '/ws/chart/Chart.yaml': 'apiVersion: v2\nname: chart\nversion: 1.0.0\n', '/ws/chart/templates/all.yaml': helm });
    assert.deepEqual(everything(ws), []);
    const file = ws.file('/ws/chart/templates/all.yaml')!;
    assert.deepEqual(
      file.problems.map((p) => p.reason),
      ['templated', 'templated'],
    );
    assert.deepEqual(kinds(ws), ['Service/svc']);
  });

  test('a template in a value only (a quoted "{{ }}") still keeps the document out', () => {
    const ws = workspace({ [F]: ROUTE.replace('name: svc', 'name: "{{ .Values.name }}"') });
    assert.deepEqual(everything(ws), []);
    assert.equal(ws.file(F)!.problems[0]?.reason, 'templated');
  });
});

describe('invalid YAML before, between and after valid documents', () => {
  const broken = [
    'key: "unterminated\n',
    'a:\n\tb: 1\n',
    'x: [1, 2\n',
    'top: 1\n  bad: indentation\n',
    'dup: 1\ndup: 2\n',
    ': : :\n',
  ];
  for (const [i, bad] of broken.entries()) {
    test(`broken document ${JSON.stringify(bad.trim())} around valid ones`, () => {
      const text = `${bad}---\n${SVC}---\n${bad}---\n${ROUTE}---\n${bad}`;
      const ws = workspace({ [F]: text });
      assert.deepEqual(kinds(ws), ['HTTPRoute/route', 'Service/svc'], `case ${i}`);
      // The route is analysed: its parentRef without group is flagged, on the entry of the valid document.
      const codes = everything(ws);
      assert.ok(codes.includes('parent-group-missing'), codes.join(','));
      const finding = [...analyzeWorkspace(ws).values()].flat().find((f) => f.code === 'parent-group-missing')!;
      assert.equal(textAt(ws, F, finding.span).split('\n')[0], 'kind: Service');
      // Duplicate keys are tolerated (kubectl keeps the last); everything else is reported, never as a finding.
      const problems = ws.file(F)!.problems;
      if (!bad.startsWith('dup')) {
        assert.equal(problems.length, 3);
        for (const p of problems) assert.equal(p.reason, 'invalid-yaml');
      }
    });
  }
});

describe('aliases, anchors and merge keys', () => {
  test('an alias to an anchor in another document resolves to nothing, without error', () => {
    const text = `${SVC.replace('spec:', 'spec: &spec')}---\n${yaml`
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata:
        name: r
        namespace: app
      spec: *spec
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata:
        name: r2
        namespace: app
      spec:
        <<: *spec
        parentRefs: *nowhere
    `}`;
    const ws = workspace({ [F]: text });
    everything(ws);
    const routes = [...ws.routes()] as RouteObject[];
    assert.deepEqual(routes.map((r) => [r.name, r.parentRefs.length]), [['r', 0], ['r2', 0]]);
  });

  test('merge keys of the wrong type are ignored and the rest of the map is read', () => {
    const text = yaml`
      apiVersion: v1
      kind: Service
      metadata:
        <<: 5
        name: svc
        namespace: app
      spec:
        <<: [1, "x", null, [2]]
        ports:
        - <<: *missing
          port: 80
        - <<: {port: 81}
        - <<: "eighty-two"
          port: 82
      ---
      apiVersion: v1
      kind: Service
      metadata: &m
        name: self
        <<: *m
    `;
    const ws = workspace({ [F]: text });
    everything(ws);
    assert.deepEqual(kinds(ws), ['Service/self', 'Service/svc']);
    assert.deepEqual(ws.service('app', 'svc')!.ports.map((p) => p.port?.value), [80, 81, 82]);
  });

  test('an alias bomb ("billion laughs") is not expanded', () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 12; i++) {
      const n = String.fromCharCode(97 + i);
      const p = String.fromCharCode(96 + i);
      lines.push(`${n}: &${n} [${Array(9).fill(`*${p}`).join(',')}]`);
    }
    const text = `${yaml`
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata:
        name: bomb
        namespace: app
    `}\n${lines.join('\n')}\nspec:\n  parentRefs: *l\n  rules:\n  - matches: *l\n    backendRefs: *l\n  hostnames: *l\n---\n${SVC.replace('spec:', `spec:\n  selector: *nothing`)}`;
    const ws = workspace({ [F]: text });
    everything(ws);
    const route = [...ws.routes()][0]!;
    // 9^12 entries if expanded; read as nine aliases to sequences, which are not parentRefs.
    assert.ok(route.parentRefs.length <= 9);
  });
});

describe('sizes and shapes', () => {
  test('flow nesting past 512 levels is reported as too deep without parsing; 100 levels are read', () => {
    const deep = (n: number): string => `kind: Service\napiVersion: v1\nmetadata: {name: d${n}, namespace: app}\nspec: {x: ${'['.repeat(n)}${']'.repeat(n)}}\n`;
    const ws = workspace({ [F]: `${deep(600)}---\n${deep(100)}---\n${SVC}` });
    assert.deepEqual(ws.file(F)!.problems.map((p) => [p.reason, p.message]), [['too-deep', 'document 1 is nested too deeply to be read']]);
    assert.deepEqual(kinds(ws), ['Service/d100', 'Service/svc']);
    // Brackets inside quotes and comments do not count.
    const quoted = `${SVC.replace('name: svc', `name: svc\n  annotations: {a: "${'['.repeat(600)}"} # ${'{'.repeat(600)}`)}`;
    assert.deepEqual(workspace({ [F]: quoted }).file(F)!.problems, []);
  });

  test('100k levels of nesting are reported as too deep, not a stack overflow; the other documents are read', () => {
    const N = 100_000;
    const text = `${SVC}---\nkind: Service\nspec: ${'['.repeat(N)}${']'.repeat(N)}\n---\n${ROUTE}`;
    const ws = workspace({ [F]: text });
    assert.deepEqual(kinds(ws), ['HTTPRoute/route', 'Service/svc']);
    const problems = ws.file(F)!.problems;
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.reason, 'too-deep');
    assert.match(problems[0]!.message, /^document 2 /);
    assert.ok(everything(ws).includes('parent-group-missing'));
  });

  test('deep block nesting (2000 levels of indentation) is read or reported, never thrown', () => {
    let deep = 'kind: Service\nspec:\n';
    for (let i = 1; i < 2000; i++) deep += `${' '.repeat(i)}k${i}:\n`;
    const ws = workspace({ [F]: `${deep}---\n${SVC}` });
    assert.deepEqual(kinds(ws), ['Service/svc']);
    everything(ws);
  });

  test('very long lines and scalars', () => {
    const long = 'x'.repeat(2_000_000);
    const text = `${SVC.replace('name: svc', `name: svc\n  annotations:\n    a: ${long}\n    b: "${'y\\n'.repeat(100_000)}"`)}---\n${ROUTE.replace('name: route', `name: route # ${long}`)}`;
    const ws = workspace({ [F]: text });
    assert.deepEqual(kinds(ws), ['HTTPRoute/route', 'Service/svc']);
    assert.ok(everything(ws).includes('parent-group-missing'));
  });

  test('huge names reach hovers and lenses clipped, so the editor never renders megabytes', () => {
    const name = 'n'.repeat(3_000_000);
    const text = `${SVC.replace('name: svc', `name: ${name}`)}---\n${ROUTE.replace('name: svc', `name: ${name}\n    group: ""`).replace('name: route', `name: r${name}`)}  rules:\n  - backendRefs:\n    - {name: ${name}, port: 80}\n`;
    const ws = workspace({ [F]: text });
    const offsets = [text.indexOf(name) + 5, text.indexOf('parentRefs') + 30, text.indexOf('backendRefs') + 25];
    const hovers = offsets.map((o) => getHover(ws, F, o));
    for (const h of hovers) {
      assert.ok(h, 'a hover');
      assert.ok(h.markdown.length < 4000, `hover of ${h.markdown.length} characters`);
      assert.ok(h.markdown.includes(`${'n'.repeat(200)}`) && h.markdown.includes('…'), 'the name is shown, cut');
    }
    const lenses = getCodeLenses(ws, F);
    assert.ok(lenses.length >= 2);
    for (const l of lenses) assert.ok(l.title.length <= 1025, `lens of ${l.title.length} characters`);
  });

  test('empty and comment-only files', () => {
    for (const text of ['', '\n\n', '# only a comment\n', '---\n---\n...\n', '# a\n---\n# b\n...\n', '\uFEFF', '   \t  \n']) {
      const ex = extractFile(F, text);
      assert.deepEqual([ex.objects, ex.problems], [[], []], JSON.stringify(text));
      assert.deepEqual(everything(workspace({ [F]: text })), []);
    }
  });
});

describe('encodings and line endings', () => {
  const endings: Array<[string, string]> = [
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['lone CR', '\r'],
  ];
  for (const [label, eol] of endings) {
    for (const bom of ['', '\uFEFF']) {
      test(`${label}${bom ? ' with BOM' : ''}: the same objects and findings, spans on the same text`, () => {
        const text = bom + `${SVC}---\n${ROUTE}`.replace(/\n/g, eol);
        const ws = workspace({ [F]: text });
        assert.deepEqual(kinds(ws), ['HTTPRoute/route', 'Service/svc']);
        assert.deepEqual(everything(ws), ['parent-group-missing']);
        const f = [...analyzeWorkspace(ws).values()].flat()[0]!;
        assert.equal(textAt(ws, F, f.span).split(eol)[0], 'kind: Service');
        const pos = ws.file(F)!.lines().positionAt(f.span.start);
        const lines = text.split(/\r\n|\r|\n/);
        assert.equal(lines[pos.line]!.slice(pos.character), 'kind: Service');
        assert.deepEqual(pos, { line: SVC.split('\n').length + 7, character: 4 });
      });
    }
  }

  test('non-ASCII text before nodes: positions count UTF-16 code units, as LSP requires', () => {
    const text = `# 日本語 😀😀\n${ROUTE.replace('name: route', 'name: route # ünïcødé 😀').replace('parentRefs:\n', 'parentRefs: # 😀😀😀\n').replace('- kind: Service', '- {x: "😀"}\n  - kind: Service')}`;
    const ws = workspace({ [F]: text });
    const f = [...analyzeWorkspace(ws).values()].flat().find((x) => x.code === 'parent-group-missing')!;
    assert.equal(textAt(ws, F, f.span).split('\n')[0], 'kind: Service');
    const lineText = text.split('\n');
    const pos = new LineIndex(text).positionAt(f.span.start);
    assert.equal(lineText[pos.line]!.slice(pos.character, pos.character + 13), 'kind: Service');
    // A name after emoji on the same line: UTF-16 character offsets (each emoji counts 2).
    const flow = 'apiVersion: v1\nkind: Service\nmetadata: {labels: {e: "😀😀"}, name: svc, namespace: app}\nspec: {ports: [{port: 80}]}\n';
    const ws2 = workspace({ [F]: flow });
    const svc = ws2.service('app', 'svc')!;
    assert.deepEqual(ws2.file(F)!.lines().positionAt(svc.nameField!.span.start), { line: 2, character: 'metadata: {labels: {e: "😀😀"}, name: '.length });
    assert.equal('metadata: {labels: {e: "😀😀"}, name: '.length, 38);
  });

  test('control characters, lone surrogates, NEL and LINE SEPARATOR do not break reading', () => {
    const text = `${SVC.replace('name: http', 'name: "\\u0000\\u202e\\uD800"')}---\n\u0085\u2028key: \u0000v\n---\nkind: Service\nmetadata: {name: "\uD800"}\n`;
    const ws = workspace({ [F]: text });
    assert.deepEqual(kinds(ws), ['Service/svc']);
    everything(ws);
  });
});

describe('values of the wrong type everywhere the engine reads', () => {
  test('Service and route fields of every wrong type', () => {
    const text = yaml`
      apiVersion: v1
      kind: Service
      metadata:
        name: svc
        namespace: app
      spec:
        type: 5
        ports:
        - port: "eighty"
          name: 5
        - port: 99999999999999999999999
        - port: -1
        - port: 1.5
        - null
        - [1]
        - port: 80
          targetPort: []
          protocol: {}
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata:
        name: r1
        namespace: app
      spec:
        parentRefs: {}
        rules: null
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata: []
      spec: 5
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata:
        name: 123
        namespace: app
      spec:
        parentRefs:
        - kind: Service
          group: ""
          name: 5
          port: "x"
        - 7
        - null
        - name: [a]
          kind: {}
          group: []
          namespace: 1
          sectionName: null
        - {kind: Service, group: "", name: svc, port: 99999999999999999999}
        rules:
        - matches: "x"
          backendRefs:
          - name: svc
            weight: -1
            port: 1e400
        - null
        - 5
        - backendRefs: {}
          filters: 7
          matches: [1, null, {path: 5}, {path: {type: 7, value: []}}, {headers: "h", queryParams: {a: 1}, method: []}]
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: GRPCRoute
      metadata: {name: g, namespace: app}
      spec:
        parentRefs: "svc"
        rules: [{matches: [{method: {service: 5, method: []}, headers: 7}]}, {backendRefs: [{name: svc, port: 80, weight: 99999999999999999999}]}]
      ---
      apiVersion: 5
      kind: 7
      ---
      kind: Service
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: true, namespace: {}}
      spec: {ports: {port: 80}}
      ---
      apiVersion: gateway.networking.k8s.io/v1beta1
      kind: ReferenceGrant
      metadata: {name: g, namespace: app}
      spec: {from: 5, to: [null, 1]}
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: Gateway
      metadata: {name: gw, namespace: app}
      spec: {listeners: "all"}
      ---
      apiVersion: v1
      kind: Namespace
      metadata: {name: [x], labels: 5}
      ---
      apiVersion: kustomize.config.k8s.io/v1beta1
      kind: Kustomization
      namespace: [a]
      resources: 5
    `;
    const ws = workspace({ [F]: text, '/ws/kustomization.yaml': 'namespace: {}\nresources: [1, null, {a: b}]\n' });
    everything(ws);
    assert.ok(ws.service('app', 'svc'));
    // Only numbers are ports; strings, lists and maps are not read as one.
    assert.ok(ws.service('app', 'svc')!.ports.every((p) => p.port === undefined || typeof p.port.value === 'number'));
    const report = bindingsReport(ws);
    const ports = report.services.find((s) => s.name === 'svc')!.ports.map((p) => p.port);
    assert.ok(ports.includes(80) && !ports.some((p) => typeof p !== 'number'), JSON.stringify(ports));
  });

  test('unknown kinds and apiVersions are ignored, known kinds under unknown groups do not crash', () => {
    const text = yaml`
      apiVersion: example.com/v9
      kind: HTTPRoute
      metadata: {name: x, namespace: app}
      spec: {parentRefs: [{kind: Service, group: "", name: svc}]}
      ---
      apiVersion: v1
      kind: Widget
      metadata: {name: w}
      ---
      apiVersion: gateway.networking.k8s.io/v1alpha9
      kind: GRPCRoute
      metadata: {name: g, namespace: app}
      spec: {parentRefs: [{kind: Service, group: "", name: svc}]}
    `;
    const ws = workspace({ [F]: `${text}\n---\n${SVC}` });
    everything(ws);
    assert.ok(kinds(ws).includes('Service/svc'));
    assert.ok(!kinds(ws).includes('Widget/w'));
  });

  test('kind: List with items is read item by item; broken lists are not', () => {
    const item = SVC.replace(/\n/g, '\n  ').trimEnd();
    const text = `apiVersion: v1\nkind: List\nitems:\n- ${item}\n- 5\n- null\n- kind: List\n  items: [1]\n---\nkind: List\nitems: 5\n---\nkind: ServiceList\nitems: {}\n---\napiVersion: v1\nkind: List\n`;
    const ws = workspace({ [F]: text });
    everything(ws);
    assert.deepEqual(kinds(ws), ['Service/svc']);
    assert.deepEqual(ws.service('app', 'svc')!.ports.map((p) => p.port?.value), [80]);
    assert.ok([...ws.routes()].every((r) => isRoute(r)));
  });
});
