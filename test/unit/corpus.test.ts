/**
 * The whole catalogue over real data. The gateway-api mesh fixtures (one workspace) must give exactly
 * the listed findings; each corpus project (its own workspace, default namespace `default`,
 * implementation generic) is snapshotted per code. Every finding below was reviewed against the YAML
 * and the corpus README; the review notes are next to each project.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeWorkspace } from '../../server/src/core/analyzers/index';
import type { Finding } from '../../server/src/core/analyzers/types';
import type { Workspace } from '../../server/src/core/index/snapshot';
import { IMPLEMENTATIONS } from '../../server/src/core/options';
import { CORPUS, FIXTURES, textAt, workspaceFromDisk } from '../support/workspace';

function findingsOf(ws: Workspace): Finding[] {
  return [...analyzeWorkspace(ws).values()].flat();
}

function rel(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}

test('gateway-api mesh fixtures as one workspace: exactly these findings', () => {
  const root = path.join(FIXTURES, 'gateway-api');
  const ws = workspaceFromDisk([root]);
  const found = findingsOf(ws).map((f) => ({
    at: `${rel(root, f.file)}:${ws.file(f.file)!.lines().positionAt(f.span.start).line + 1}`,
    code: f.code,
    severity: f.severity,
    text: textAt(ws, f.file, f.span),
  }));
  assert.deepEqual(found, [
    // The weight-0 backend echo-v3 does not exist (on purpose): a hint, not a warning.
    { at: 'conformance/tests/mesh/grpcroute-weight.yaml:20', code: 'backend-service-not-found', severity: 'hint', text: 'echo-v3' },
    // mesh-split binds every port of echo; GRPCRoutes bind 7070, so the HTTPRoute loses there ...
    { at: 'conformance/tests/mesh/mesh-split.yaml:8', code: 'route-kind-conflict', severity: 'warning', text: 'group: ""\n    kind: Service\n    name: echo' },
    // ... and it is the only route on 8080, 443 and 9090, where it matches only Exact /v1 and /v2 (port 80 has
    // httproute-matching's PathPrefix / rule in the same producer set).
    { at: 'conformance/tests/mesh/mesh-split.yaml:8', code: 'unmatched-requests', severity: 'info', text: 'group: ""\n    kind: Service\n    name: echo' },
  ]);
  const unmatched = findingsOf(ws).find((f) => f.code === 'unmatched-requests')!;
  assert.deepEqual(unmatched.data?.ports, [8080, 443, 9090]);
});

type Snapshot = Record<string, string[] | { count: number; files: number | Record<string, number> }>;

/** Per code and severity: the `file:line` list when short, else the count per file (or the number of files). */
function snapshot(root: string): Snapshot {
  const ws = workspaceFromDisk([root]);
  const by = new Map<string, string[]>();
  for (const f of findingsOf(ws)) {
    const key = `${f.code} ${f.severity}`;
    by.set(key, [...(by.get(key) ?? []), `${rel(root, f.file)}:${ws.file(f.file)!.lines().positionAt(f.span.start).line + 1}`]);
  }
  const out: Snapshot = {};
  for (const key of [...by.keys()].sort()) {
    const list = by.get(key)!;
    if (list.length <= 12) {
      out[key] = list.sort();
      continue;
    }
    const perFile: Record<string, number> = {};
    for (const e of list) {
      const file = e.slice(0, e.lastIndexOf(':'));
      perFile[file] = (perFile[file] ?? 0) + 1;
    }
    out[key] = { count: list.length, files: Object.keys(perFile).length > 12 ? Object.keys(perFile).length : perFile };
  }
  return out;
}

/*
 * Review notes (all findings read against the YAML):
 * - BuoyantIO-service-mesh-academy: api-version-deprecated = 110 GRPCRoute v1alpha2 + 20 HTTPRoute v1beta1;
 *   parent-group-core = Linkerd-style `group: core` parents of gateway.networking.k8s.io routes (the 8 policy.linkerd.io
 *   HTTPRoutes with `group: core` are not Gateway API routes under generic and get nothing: they were false positives); parent-/backend-service-not-found = Services installed
 *   by Helm or mirrored by multicluster (voting-svc, emoji-svc, color-federated, smiley3, ...), missing on purpose
 *   (README); rule-without-backends = Linkerd routes whose rules have no backendRefs (Linkerd forwards, the spec
 *   says 500; vote-route.yaml has 101 routes without rules, so the CRD default rule); route-kind-conflict = faces
 *   HTTPRoutes and GRPCRoutes from different demos on color:80 (README: conflicts no single cluster has);
 *   backend-port-not-found = linkerd-101 sends to color:8000 while the only faces/color Service in the workspace
 *   has port 80 (the linkerd-101 Services come from Helm); Helm values files are skipped silently.
 * - argoproj-labs: duplicate-object = istio/{canary,stable}.yml name their port `http` while the first definitions
 *   (cilium-header-based/service.yaml) leave it unnamed; gateway-backend-not-permitted = the AWS Lattice example
 *   (README: a real one); group core on parents/backends in the Linkerd examples; v1beta1 HTTPRoutes.
 * - cilium-cilium: mesh-split binds every port of echo and loses 7070 to the GRPCRoutes (README), and matches
 *   only Exact /v1, /v2 on 8080/443/9090.
 * - envoyproxy-gateway: a v1alpha2 TLSRoute (README); zone-aware-routing.yaml defines only Deployments, so its
 *   backend Service zone-aware-routing-backend is missing.
 * - istio-istio: the two tcp-echo TCPRoutes are v1alpha2; everything else (Bookinfo producer routes, duplicate
 *   but identical Services of ambient-argo) is clean.
 * - kubernetes-sigs-gateway-api: conformance tests' deliberate invalid cases (unknown backend kinds, omitted
 *   backendRefs, grants in the wrong namespace or for other names, nonexistent backends) and examples that do not
 *   define their Services; http-rewrite.yaml rule 0 has only a URLRewrite (500). The grant in
 *   httproute-reference-grant.yaml permits the other HTTPRoute cross-namespace tests in one workspace (README).
 */
const EXPECTED: Record<string, Snapshot> = {
  'BuoyantIO-service-mesh-academy': {
    'api-version-deprecated info': {
      count: 130,
      files: 25
    },
    'backend-group-core warning': [
      '2-16-features/bel/smiley-route.yaml:36'
    ],
    'backend-port-not-found warning': [
      'linkerd-101/color-routes.yaml:19',
      'linkerd-101/color-routes.yaml:38',
      'linkerd-101/edge-green.yaml:23',
      'linkerd-101/edge-green.yaml:29'
    ],
    'backend-service-not-found warning': {
      count: 23,
      files: 20
    },
    'parent-group-core warning': {
      count: 115,
      files: {
        '2-16-features/bel/color-route.yaml': 2,
        '2-16-features/bel/emoji-route.yaml': 2,
        '2-16-features/bel/smiley-route.yaml': 2,
        '2-16-features/bel/vote-route.yaml': 101,
        '2-18-features/clusters/west/route-to-smiley.yaml': 1,
        'IPv6/k8s/color-route.yaml': 1,
        'IPv6/k8s/smiley-route.yaml': 1,
        'federated-services/clusters/west/route-to-smiley.yaml': 1,
        'practical-multicluster/clusters/color-b/route-to-color-b-10.yaml': 1,
        'practical-multicluster/clusters/color/route-to-color-10.yaml': 1,
        'practical-multicluster/clusters/smiley-dr/route-to-smiley-dr.yaml': 1,
        'practical-multicluster/clusters/smiley/route-to-smiley.yaml': 1
      }
    },
    'parent-service-not-found warning': {
      count: 112,
      files: {
        '2-16-features/bel/emoji-route.yaml': 2,
        '2-16-features/bel/vote-route.yaml': 101,
        'federated-services/clusters/east/color-federated-metrics-route.yaml': 1,
        'federated-services/clusters/east/color-method-federated.yaml': 1,
        'federated-services/clusters/east/color-method.yaml': 1,
        'federated-services/clusters/west/color-federated-metrics-route.yaml': 1,
        'federated-services/clusters/west/color-method-federated.yaml': 1,
        'federated-services/clusters/west/color-method.yaml': 1,
        'metrics-dashboards-charts/init-yaml/emoji-route.yaml': 1,
        'metrics-dashboards-charts/init-yaml/voting-route.yaml': 1,
        'wasmcloud-and-linkerd/rusty-route.yaml': 1
      }
    },
    'route-kind-conflict warning': [
      '2-15-mesh-expansion/k8s/color-route.yaml:8',
      '2-16-features/bel/color-route.yaml:26',
      '2-16-features/bel/color-route.yaml:9',
      'IPv6/k8s/color-route.yaml:8',
      'practical-multicluster/clusters/color-b/route-to-color-b-10.yaml:8',
      'practical-multicluster/clusters/color/route-to-color-10.yaml:8'
    ],
    'rule-without-backends warning': {
      count: 106,
      files: {
        '2-16-features/bel/color-route.yaml': 2,
        '2-16-features/bel/emoji-route.yaml': 2,
        '2-16-features/bel/smiley-route.yaml': 1,
        '2-16-features/bel/vote-route.yaml': 101
      }
    }
  },
  'argoproj-labs-rollouts-plugin-trafficrouter-gatewayapi': {
    'api-version-deprecated info': [
      'examples/aws-gateway-api-controller-lattice/httproute.yaml:1',
      'examples/cilium-header-based/httproute.yaml:2',
      'examples/kgateway/httproute.yml:1',
      'examples/linkerd-header-based/httproute.yaml:2',
      'examples/linkerd/httproute.yaml:2'
    ],
    'backend-group-core warning': [
      'examples/linkerd-header-based/httproute.yaml:16',
      'examples/linkerd-header-based/httproute.yaml:20',
      'examples/linkerd/httproute.yaml:16',
      'examples/linkerd/httproute.yaml:20'
    ],
    'duplicate-object info': [
      'examples/istio/canary.yml:7',
      'examples/istio/stable.yml:7'
    ],
    'gateway-backend-not-permitted error': [
      'examples/aws-gateway-api-controller-lattice/httproute.yaml:12',
      'examples/aws-gateway-api-controller-lattice/httproute.yaml:16'
    ],
    'parent-group-core warning': [
      'examples/linkerd-header-based/httproute.yaml:9',
      'examples/linkerd/httproute.yaml:9'
    ]
  },
  'cilium-cilium': {
    'route-kind-conflict warning': [
      'operator/pkg/gateway-api/testdata/gamma/mesh-split/input/httproute-mesh-split.yaml:8'
    ],
    'unmatched-requests info': [
      'operator/pkg/gateway-api/testdata/gamma/mesh-split/input/httproute-mesh-split.yaml:8'
    ]
  },
  'envoyproxy-gateway': {
    'api-version-deprecated info': [
      'examples/kubernetes/tls-passthrough.yaml:58'
    ],
    'backend-service-not-found warning': [
      'examples/kubernetes/zone-aware-routing.yaml:108'
    ]
  },
  'istio-istio': {
    'api-version-deprecated info': [
      'samples/tcp-echo/gateway-api/tcp-echo-20-v2.yaml:1',
      'samples/tcp-echo/gateway-api/tcp-echo-all-v1.yaml:39'
    ]
  },
  'kubernetes-sigs-gateway-api': {
    'api-version-deprecated info': {
      count: 24,
      files: 20
    },
    'backend-kind-unsupported warning': [
      'conformance/tests/httproute-invalid-backendref-unknown-kind.yaml:12',
      'conformance/tests/tlsroute-invalid-backendref-unknown-kind.yaml:32',
      'examples/standard/default-match-http.yaml:42'
    ],
    'backend-service-not-found warning': {
      count: 58,
      files: 46
    },
    'gateway-backend-not-permitted error': [
      'conformance/tests/httproute-partially-invalid-via-invalid-reference-grant.yaml:31',
      'conformance/tests/tcproute-invalid-cross-namespace-backend-ref.yaml:86',
      'conformance/tests/tlsroute-invalid-reference-grant.yaml:120',
      'conformance/tests/udproute-invalid-cross-namespace-backend-ref.yaml:28'
    ],
    'rule-without-backends warning': [
      'conformance/tests/httproute-omitted-backendrefs.yaml:10',
      'conformance/tests/httproute-omitted-backendrefs.yaml:14',
      'examples/standard/http-rewrite.yaml:13'
    ]
  }
};

test('corpus: every project folder exists in the snapshot', () => {
  assert.deepEqual(fs.readdirSync(CORPUS).filter((d) => fs.statSync(path.join(CORPUS, d)).isDirectory()).sort(), Object.keys(EXPECTED).sort());
});

for (const project of Object.keys(EXPECTED)) {
  test(`corpus ${project}: reviewed findings per code, nothing skipped`, () => {
    const root = path.join(CORPUS, project);
    assert.deepEqual(snapshot(root), EXPECTED[project]);
    // Helm values files and other non-Kubernetes YAML are skipped silently: no read problems anywhere.
    const ws = workspaceFromDisk([root]);
    assert.deepEqual([...ws.files()].filter((f) => f.skipped || f.problems.length).map((f) => rel(root, f.path)), []);
  });
}

test('no analyzer throws on any corpus project or fixture folder, under any implementation profile and channel', () => {
  const roots = [...Object.keys(EXPECTED).map((p) => path.join(CORPUS, p)), path.join(FIXTURES, 'gateway-api'), path.join(FIXTURES, 'istio')];
  const errors: string[] = [];
  const counts: Record<string, number> = {};
  for (const root of roots) {
    const base = workspaceFromDisk([root]);
    for (const implementation of IMPLEMENTATIONS) {
      for (const crdChannel of ['standard', 'experimental'] as const) {
        const ws = base.withOptions({ ...base.options, implementation, crdChannel });
        const found = [...analyzeWorkspace(ws, { onError: (code, file, err) => errors.push(`${implementation} ${code} ${file}: ${String(err)}`) }).values()].flat();
        counts[implementation] = (counts[implementation] ?? 0) + found.length;
      }
    }
  }
  assert.deepEqual(errors, []);
  for (const impl of IMPLEMENTATIONS) assert.ok((counts[impl] ?? 0) > 0, impl);
});
