/** Mermaid and SVG exports of the binding graph, exact text for examples/seed-article. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run } from '../../server/src/cli/main';
import { bindingsMermaid } from '../../server/src/core/bindings/report';
import { buildGraph, graphMermaid, graphSvg } from '../../server/src/core/graph/index';
import { REPO_ROOT, workspace, workspaceFromDisk, yaml } from '../support/workspace';

const SEED = path.join(REPO_ROOT, 'examples', 'seed-article');
/** Reviewed by eye (rendered with chromium); regenerate with GAMMA_LENS_UPDATE_GOLDEN=1 and review the diff. */
const GOLDEN_SVG = path.join(REPO_ROOT, 'test', 'unit', 'graph-seed-article.golden.svg');

test('Mermaid for the whole seed article: the text `gamma-lens bindings --format mermaid` prints', () => {
  const ws = workspaceFromDisk([SEED]);
  const text = graphMermaid(buildGraph(ws));
  assert.equal(text, bindingsMermaid(ws));
  assert.equal(
    text,
    `flowchart LR
  classDef missing stroke-dasharray: 4 2,stroke:#d33;
  subgraph app_ns["app-ns"]
    Gateway_app_ns_gw{{"Gateway gw"}}
    HTTPRoute_app_ns_route_a["HTTPRoute route-a"]
    HTTPRoute_app_ns_route_b["HTTPRoute route-b"]
    Service_app_ns_svc_a[("Service svc-a")]
  end
  subgraph dev_ns["dev-ns"]
    HTTPRoute_dev_ns_route_c["HTTPRoute route-c"]
  end
  subgraph ext_ns["ext-ns"]
    Service_ext_ns_svc_b[("Service svc-b")]
  end
  Gateway_app_ns_gw --> HTTPRoute_app_ns_route_a
  HTTPRoute_app_ns_route_a -. "parentRef" .-> Gateway_app_ns_gw
  HTTPRoute_app_ns_route_a -- "weight 100" --> Service_app_ns_svc_a
  Service_app_ns_svc_a --> HTTPRoute_app_ns_route_b
  HTTPRoute_app_ns_route_b -. "parentRef producer: all callers" .-> Service_app_ns_svc_a
  HTTPRoute_app_ns_route_b -- "weight 100" --> Service_ext_ns_svc_b
  Service_app_ns_svc_a --> HTTPRoute_dev_ns_route_c
  HTTPRoute_dev_ns_route_c -. "parentRef consumer: callers in dev-ns" .-> Service_app_ns_svc_a
  HTTPRoute_dev_ns_route_c --> Service_app_ns_svc_a
`,
  );
});

test('Mermaid centred on svc-b: the producer route and the Services it names', () => {
  const ws = workspaceFromDisk([SEED]);
  assert.equal(
    bindingsMermaid(ws, { service: { namespace: 'ext-ns', name: 'svc-b' } }),
    `flowchart LR
  classDef missing stroke-dasharray: 4 2,stroke:#d33;
  subgraph app_ns["app-ns"]
    HTTPRoute_app_ns_route_b["HTTPRoute route-b"]
    Service_app_ns_svc_a[("Service svc-a")]
  end
  subgraph ext_ns["ext-ns"]
    Service_ext_ns_svc_b[("Service svc-b")]
  end
  Service_app_ns_svc_a --> HTTPRoute_app_ns_route_b
  HTTPRoute_app_ns_route_b -. "parentRef producer: all callers" .-> Service_app_ns_svc_a
  HTTPRoute_app_ns_route_b -- "weight 100" --> Service_ext_ns_svc_b
`,
  );
});

test('Mermaid marks missing Services and crosses out refs that bind nothing; labels escape quotes', () => {
  const ws = workspace({
    'r.yaml': yaml`
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata: {name: r, namespace: a}
      spec:
        parentRefs:
        - {group: "", kind: Service, name: gone}
        - {name: gw}
    `,
  });
  assert.equal(
    bindingsMermaid(ws),
    `flowchart LR
  classDef missing stroke-dasharray: 4 2,stroke:#d33;
  subgraph a["a"]
    Gateway_a_gw{{"Gateway gw"}}
    HTTPRoute_a_r["HTTPRoute r"]
    Service_a_gone[("Service gone (not found)")]:::missing
  end
  HTTPRoute_a_r -. "not bound: service-not-found" .-x Service_a_gone
  Gateway_a_gw --> HTTPRoute_a_r
  HTTPRoute_a_r -. "parentRef" .-> Gateway_a_gw
`,
  );
});

test('SVG for the seed article centred on svc-a: exact text (golden file)', () => {
  const ws = workspaceFromDisk([SEED]);
  const svg = graphSvg(buildGraph(ws, { service: { namespace: 'app-ns', name: 'svc-a' } }), { standalone: true });
  if (process.env.GAMMA_LENS_UPDATE_GOLDEN === '1') fs.writeFileSync(GOLDEN_SVG, svg);
  assert.equal(svg, fs.readFileSync(GOLDEN_SVG, 'utf8'));
});

test('SVG: one focusable element per node with stable data ids, one per edge with its role', () => {
  const ws = workspaceFromDisk([SEED]);
  const g = buildGraph(ws);
  const svg = graphSvg(g);
  const nodeIds = [...svg.matchAll(/<g class="gl-node[^"]*" data-node-id="([^"]+)"[^>]* tabindex="0" role="button"/g)].map((m) => m[1]);
  // In reading order (layer, then top to bottom), so Tab walks the picture left to right.
  assert.deepEqual(nodeIds, ['Gateway/app-ns/gw', 'HTTPRoute/app-ns/route-a', 'Service/app-ns/svc-a', 'HTTPRoute/app-ns/route-b', 'HTTPRoute/dev-ns/route-c', 'Service/ext-ns/svc-b']);
  const edges = [...svg.matchAll(/data-edge-id="([^"]+)" data-edge="([^"]+)" data-edge-role="([^"]+)"/g)].map((m) => `${m[3]} ${m[1]}`);
  assert.deepEqual(edges, g.edges.map((e) => `${e.role} ${e.id}`));
  assert.match(svg, /class="gl-node gl-node-service" data-node-id="Service\/app-ns\/svc-a"[^>]*aria-label="Service svc-a, app-ns · producer override"/);
  // Not standalone: no colours of its own (the webview styles the classes with the theme).
  assert.doesNotMatch(svg, /<style>/);
  assert.match(graphSvg(g, { standalone: true }), /<style>/);
});

test('SVG escapes names that need it', () => {
  const ws = workspace({
    'r.yaml': yaml`
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata: {name: "a<b>&c", namespace: x}
      spec:
        parentRefs:
        - {group: "", kind: Service, name: "s\\"q"}
    `,
  });
  const svg = graphSvg(buildGraph(ws));
  assert.ok(svg.includes('data-node-id="HTTPRoute/x/a&lt;b>&amp;c"'), svg);
  assert.ok(svg.includes('Service s&quot;q (not found)'), svg);
  assert.ok(!svg.includes('a<b>'));
});

test('CLI `bindings --format mermaid --service NS/NAME` prints the binding map\'s Mermaid for that scope', () => {
  const ws = workspaceFromDisk([SEED]);
  for (const service of [undefined, { namespace: 'app-ns', name: 'svc-a' }, { namespace: 'ext-ns', name: 'svc-b' }]) {
    const out: string[] = [];
    const err: string[] = [];
    const argv = ['bindings', SEED, '--format', 'mermaid', ...(service ? ['--service', `${service.namespace}/${service.name}`] : [])];
    assert.equal(run(argv, { out, err }), 0);
    assert.deepEqual(err, []);
    assert.equal(`${out.join('\n')}\n`, graphMermaid(buildGraph(ws, service ? { service } : {})));
  }
});
