/**
 * The LSP-free editor features of server/src/core/features, directly on inline workspaces: the
 * route generator's YAML style, completion while typing, markdown escaping in hovers.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getCompletions, getHover, producerRouteActions, routeGeneratorActions } from '../../server/src/core/features/index';
import { cursor, workspace, yaml } from '../support/workspace';

function apply(text: string, edits: ReadonlyArray<{ span: { start: number; end: number }; newText: string }>): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.span.start - a.span.start)) out = out.slice(0, e.span.start) + e.newText + out.slice(e.span.end);
  return out;
}

describe('producer route generator', () => {
  test('follows 4-space indentation, flush sequences and CRLF, and picks a free name', () => {
    const text = [
      'apiVersion: v1',
      'kind: Service',
      'metadata:',
      '    name: web',
      '    namespace: shop',
      'spec:',
      '    ports:',
      '    - name: http',
      '      port: 8080',
    ].join('\r\n');
    const taken = yaml`
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata:
        name: web-producer
        namespace: shop
      spec:
        parentRefs: []
    `;
    const ws = workspace({ '/ws/svc.yaml': text, '/ws/taken.yaml': taken });
    const svc = ws.service('shop', 'web')!;
    const [action] = producerRouteActions(ws, svc);
    assert.equal(action?.title, 'Create producer HTTPRoute for shop/web');
    const out = apply(text, action!.edits);
    assert.equal(
      out.slice(text.length),
      [
        '',
        '---',
        'apiVersion: gateway.networking.k8s.io/v1',
        'kind: HTTPRoute',
        'metadata:',
        '    name: web-producer-2',
        '    namespace: shop',
        'spec:',
        '    parentRefs:',
        '    - group: ""',
        '      kind: Service',
        '      name: web',
        '      port: 8080',
        '    rules:',
        '    - backendRefs:',
        '      - name: web',
        '        port: 8080',
        '',
      ].join('\r\n'),
    );
    // The result parses into a route that binds the Service.
    const after = workspace({ '/ws/svc.yaml': out, '/ws/taken.yaml': taken });
    const route = [...after.routes()].find((r) => r.name === 'web-producer-2')!;
    assert.equal(route.namespace, 'shop');
    assert.deepEqual(route.parentRefs.map((p) => [p.group?.value, p.kind?.value, p.name?.value, p.port?.value]), [['', 'Service', 'web', 8080]]);
  });

  test('a Service with several ports gets one action per port; no namespace line when the Service has none', () => {
    const text = yaml`
      apiVersion: v1
      kind: Service
      metadata:
        name: multi
      spec:
        ports:
          - name: http
            port: 80
          - name: grpc
            port: 9090
    `;
    const ws = workspace({ '/ws/svc.yaml': text });
    const actions = routeGeneratorActions(ws, '/ws/svc.yaml', { start: text.indexOf('ports'), end: text.indexOf('ports') });
    assert.deepEqual(actions.map((a) => a.title), ['Create producer HTTPRoute for default/multi (port 80)', 'Create producer HTTPRoute for default/multi (port 9090)']);
    const out = apply(text, actions[1]!.edits);
    assert.match(out, /metadata:\n {2}name: multi-grpc-producer\nspec:/);
  });
});

describe('completion while typing', () => {
  const services = yaml`
    apiVersion: v1
    kind: Service
    metadata:
      name: api
      namespace: app
    spec:
      ports:
        - name: http
          port: 80
        - name: admin
          port: 9000
  `;

  function complete(route: string): string[] {
    const { text, offset } = cursor(route);
    const ws = workspace({ '/ws/svc.yaml': services, '/ws/route.yaml': text });
    return getCompletions(ws, '/ws/route.yaml', text, offset).map((c) => c.label);
  }

  test('sectionName lists the port names of the Service the entry names', () => {
    assert.deepEqual(
      complete(yaml`
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata:
          name: r
          namespace: app
        spec:
          parentRefs:
            - group: ""
              kind: Service
              name: api
              sectionName: |
      `),
      ['http', 'admin'],
    );
  });

  test('a port under backendRefs uses the namespace written in the entry', () => {
    assert.deepEqual(
      complete(yaml`
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata:
          name: r
          namespace: other
        spec:
          rules:
            - backendRefs:
                - name: api
                  namespace: app
                  port: |
      `),
      ['80', '9000'],
    );
  });

  test('nothing outside parentRefs and backendRefs', () => {
    assert.deepEqual(
      complete(yaml`
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: |
      `),
      [],
    );
  });
});

describe('hover markdown', () => {
  test('values from the file are escaped', () => {
    const text = yaml`
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata:
        name: "r\`x"
        namespace: app
      spec:
        parentRefs:
          - group: ""
            kind: Service
            name: "*bold*"
    `;
    const ws = workspace({ '/ws/r.yaml': text });
    const h = getHover(ws, '/ws/r.yaml', text.indexOf('*bold*'));
    assert.ok(h);
    assert.match(h.markdown, /Service `app\/\*bold\*`: \*\*binds nothing\*\*/);
    assert.match(h.markdown, /Service app\/\\\*bold\\\* is not in the workspace/);
  });
});
