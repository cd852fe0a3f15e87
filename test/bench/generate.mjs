// Deterministic generator of realistic Kubernetes workspaces for the benchmark (not a test).
//
//   node test/bench/generate.mjs --docs 10000 --out /tmp/ws10k [--seed 42]
//   node test/bench/generate.mjs --big-file --docs 5000 --min-bytes 5900000 --out /tmp/big
//
// `--min-bytes` (big file only) grows the ConfigMaps' data until the file reaches that size, so the
// single-file benchmark matches the 5.9 MB, 5,000-document file of the performance anchors.
//
// Mix per namespace (as in the team's performance anchors): a Namespace; 3-7 apps, each with a
// ServiceAccount, a Deployment and a ClusterIP Service of 1-3 named ports; a canary Deployment and
// Service with a 90/10 split for 30% of apps; an HPA for half; a ConfigMap per app (12% large);
// a producer HTTPRoute or GRPCRoute per app; an ingress HTTPRoute for 30% of apps (one Gateway per
// ten namespaces); 0-4 consumer routes to other namespaces' Services (5% dangling); ReferenceGrants;
// a few large CRDs. Files hold 1-50 documents; some namespaces use comments and anchors.
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

function parseArgs(argv) {
  const out = { docs: 1000, seed: 42, out: '', bigFile: false, minBytes: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--docs') out.docs = Number(argv[++i]);
    else if (a === '--seed') out.seed = Number(argv[++i]);
    else if (a === '--out') out.out = argv[++i];
    else if (a === '--big-file') out.bigFile = true;
    else if (a === '--min-bytes') out.minBytes = Number(argv[++i]);
  }
  if (!out.out) throw new Error('--out DIR is required');
  return out;
}

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['alpha', 'bravo', 'cart', 'delta', 'echo', 'faces', 'gold', 'hotel', 'india', 'jade', 'kilo', 'lima', 'metro', 'nova', 'orbit', 'pixel', 'quartz', 'radar', 'sigma', 'tango', 'ultra', 'vivid', 'wharf', 'xeno', 'yield', 'zulu'];

export function generate({ docs, seed, configMapScale = 1 }) {
  const rnd = mulberry32(seed);
  const pick = (arr) => arr[Math.floor(rnd() * arr.length)];
  const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
  const filler = (n) => {
    let s = '';
    while (s.length < n) s += `${pick(WORDS)}-${int(0, 99999)} `;
    return s.slice(0, n);
  };
  const nsCount = Math.max(1, Math.round(docs / 38));
  const namespaces = [];
  const services = []; // { ns, name, ports: [{name, port}] }
  for (let n = 0; n < nsCount; n++) {
    const ns = `team-${pick(WORDS)}-${n}`;
    const apps = [];
    const count = int(3, 7);
    for (let a = 0; a < count; a++) {
      const app = `${pick(WORDS)}-${a}`;
      const nports = int(1, 3);
      const kinds = ['http', 'grpc', 'metrics'];
      const first = rnd() < 0.12 ? 'grpc' : 'http';
      const ports = [];
      for (let p = 0; p < nports; p++) {
        const kind = p === 0 ? first : kinds[p % kinds.length];
        ports.push({ name: p === 0 ? kind : `${kind}-${p}`, port: kind === 'grpc' ? 9090 + p : 80 + p * 1000, target: 8080 + p });
      }
      apps.push({ app, ports, canary: rnd() < 0.3, hpa: rnd() < 0.5, ingress: rnd() < 0.3 });
      services.push({ ns, name: app, ports });
    }
    namespaces.push({ ns, index: n, apps, comments: rnd() < 0.3, anchors: rnd() < 0.25 });
  }
  const documents = []; // { ns, text }
  for (const space of namespaces) {
    const { ns, apps } = space;
    const c = (text) => (space.comments ? `# ${text}\n` : '');
    const labels = space.anchors ? `  labels: &labels\n    team: ${ns}\n    tier: backend\n` : `  labels:\n    team: ${ns}\n    tier: backend\n`;
    // Anchors and aliases stay inside one document (YAML does not carry them across `---`).
    const labelsRef = space.anchors ? `  labels: &labels\n    team: ${ns}\n` : `  labels:\n    team: ${ns}\n`;
    const podLabels = space.anchors ? '        <<: *labels\n' : '';
    const docsOf = [];
    docsOf.push(`${c('namespace of the team')}apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n${labels}`);
    for (const a of apps) {
      docsOf.push(`apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${a.app}\n  namespace: ${ns}\n`);
      const deployment = (name, version) =>
        `${c(`workload ${name}`)}apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  namespace: ${ns}\n${labelsRef}spec:\n  replicas: ${int(1, 5)}\n  selector:\n    matchLabels:\n      app: ${a.app}\n      version: ${version}\n  template:\n    metadata:\n      labels:\n${podLabels}        app: ${a.app}\n        version: ${version}\n    spec:\n      serviceAccountName: ${a.app}\n      containers:\n        - name: main\n          image: registry.example.com/${a.app}:${int(1, 9)}.${int(0, 20)}.${int(0, 9)}\n          ports:\n${a.ports.map((p) => `            - containerPort: ${p.target}\n              name: ${p.name.slice(0, 15)}\n`).join('')}          env:\n            - name: LOG_LEVEL\n              value: info\n            - name: FEATURE_FLAGS\n              value: "${filler(40)}"\n          readinessProbe:\n            httpGet:\n              path: /healthz\n              port: ${a.ports[0].target}\n          resources:\n            requests:\n              cpu: ${int(50, 500)}m\n              memory: ${int(64, 512)}Mi\n            limits:\n              memory: ${int(512, 2048)}Mi\n`;
      docsOf.push(deployment(a.app, 'v1'));
      const svc = (name) =>
        `${c(`service ${name}`)}apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: ${ns}\n${space.anchors ? `  labels: &app\n    app: ${a.app}\n` : ''}spec:\n  selector:${space.anchors ? ' *app\n' : `\n    app: ${a.app}\n`}  ports:\n${a.ports.map((p) => `    - name: ${p.name}\n      port: ${p.port}\n      targetPort: ${p.target}\n${p.name.startsWith('grpc') ? '      appProtocol: kubernetes.io/h2c\n' : ''}`).join('')}`;
      docsOf.push(svc(a.app));
      if (a.canary) {
        docsOf.push(deployment(`${a.app}-canary`, 'v2'));
        docsOf.push(svc(`${a.app}-canary`));
      }
      if (a.hpa) docsOf.push(`apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: ${a.app}\n  namespace: ${ns}\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: ${a.app}\n  minReplicas: 1\n  maxReplicas: ${int(3, 20)}\n`);
      const large = rnd() < 0.12;
      const size = Math.round((large ? (rnd() < 0.1 ? int(40000, 120000) : int(4000, 20000)) : int(100, 600)) * configMapScale);
      docsOf.push(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${a.app}-config\n  namespace: ${ns}\ndata:\n  config.txt: |\n${filler(size).match(/.{1,80}/g).map((l) => `    ${l}`).join('\n')}\n`);
      const p0 = a.ports[0];
      const grpc = p0.name.startsWith('grpc');
      const backends = a.canary
        ? `        - name: ${a.app}\n          port: ${p0.port}\n          weight: 90\n        - name: ${a.app}-canary\n          port: ${p0.port}\n          weight: 10\n`
        : `        - name: ${a.app}\n          port: ${p0.port}\n`;
      if (grpc) {
        docsOf.push(`${c('producer GRPCRoute')}apiVersion: gateway.networking.k8s.io/v1\nkind: GRPCRoute\nmetadata:\n  name: ${a.app}\n  namespace: ${ns}\nspec:\n  parentRefs:\n    - group: ""\n      kind: Service\n      name: ${a.app}\n      port: ${p0.port}\n  rules:\n    - matches:\n        - method:\n            service: ${a.app}.v1.Api\n      backendRefs:\n${backends}    - backendRefs:\n        - name: ${a.app}\n          port: ${p0.port}\n`);
      } else {
        docsOf.push(`${c('producer HTTPRoute')}apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: ${a.app}\n  namespace: ${ns}\nspec:\n  parentRefs:\n    - group: ""\n      kind: Service\n      name: ${a.app}\n      port: ${p0.port}\n  rules:\n    - matches:\n        - path:\n            type: PathPrefix\n            value: /api\n          headers:\n            - name: x-canary\n              value: "true"\n      filters:\n        - type: RequestHeaderModifier\n          requestHeaderModifier:\n            set:\n              - name: x-routed-by\n                value: gamma\n      timeouts:\n        request: ${int(1, 30)}s\n      backendRefs:\n${backends}    - backendRefs:\n        - name: ${a.app}\n          port: ${p0.port}\n`);
      }
      if (a.ingress) {
        const gw = Math.floor(space.index / 10) * 10;
        const gwNs = namespaces[gw].ns;
        docsOf.push(`apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: ${a.app}-ingress\n  namespace: ${ns}\nspec:\n  parentRefs:\n    - name: edge\n      namespace: ${gwNs}\n  hostnames:\n    - ${a.app}.${ns}.example.com\n  rules:\n    - backendRefs:\n        - name: ${a.app}\n          port: ${p0.port}\n`);
      }
      const consumers = int(0, 4);
      for (let k = 0; k < consumers; k++) {
        const target = services[Math.floor(rnd() * services.length)];
        const dangling = rnd() < 0.05;
        const name = dangling ? `${target.name}-gone` : target.name;
        if (target.ns === ns) continue;
        docsOf.push(`apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: ${a.app}-to-${name}-${k}\n  namespace: ${ns}\nspec:\n  parentRefs:\n    - group: ""\n      kind: Service\n      name: ${name}\n      namespace: ${target.ns}\n      port: ${target.ports[0].port}\n  rules:\n    - filters:\n        - type: RequestHeaderModifier\n          requestHeaderModifier:\n            add:\n              - name: x-caller\n                value: ${ns}\n      backendRefs:\n        - name: ${name}\n          namespace: ${target.ns}\n          port: ${target.ports[0].port}\n`);
        if (rnd() < 0.3) docsOf.push(`apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata:\n  name: from-${ns}-${k}\n  namespace: ${target.ns}\nspec:\n  from:\n    - group: gateway.networking.k8s.io\n      kind: HTTPRoute\n      namespace: ${ns}\n  to:\n    - group: ""\n      kind: Service\n`);
      }
    }
    if (space.index % 10 === 0) docsOf.push(`apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: edge\n  namespace: ${ns}\nspec:\n  gatewayClassName: istio\n  listeners:\n    - name: http\n      protocol: HTTP\n      port: 80\n      allowedRoutes:\n        namespaces:\n          from: All\n`);
    if (rnd() < 0.15) docsOf.push(`apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets${space.index}.example.com\nspec:\n  group: example.com\n  names:\n    kind: Widget${space.index}\n    plural: widgets${space.index}\n  scope: Namespaced\n  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema:\n          description: "${filler(int(10000, 35000)).replace(/"/g, '')}"\n          type: object\n`);
    for (const text of docsOf) documents.push({ ns, text });
  }
  return documents.slice(0, Math.max(docs, 1));
}

/** Groups documents into files of 1-50 documents (45% single, 10% of 21-50). */
export function toFiles(documents, seed) {
  const rnd = mulberry32(seed + 1);
  const files = [];
  let i = 0;
  let n = 0;
  while (i < documents.length) {
    const r = rnd();
    const size = r < 0.45 ? 1 : r < 0.9 ? 2 + Math.floor(rnd() * 19) : 21 + Math.floor(rnd() * 30);
    const chunk = documents.slice(i, i + size);
    const ns = chunk[0].ns;
    files.push({ path: `${ns}/manifests-${n++}.yaml`, text: chunk.map((d) => d.text).join('---\n') });
    i += size;
  }
  return files;
}

const isMain = process.argv[1] && new URL(import.meta.url).pathname === process.argv[1];
if (isMain) {
  const args = parseArgs(process.argv.slice(2));
  const documents = generate(args);
  rmSync(args.out, { recursive: true, force: true });
  mkdirSync(args.out, { recursive: true });
  if (args.bigFile) {
    let text = documents.map((d) => d.text).join('---\n');
    if (args.minBytes > text.length) {
      // ConfigMap data is the only part that scales; solve for the factor, then nudge it up.
      const cm = documents.filter((d) => d.text.includes('\nkind: ConfigMap\n')).reduce((n, d) => n + d.text.length, 0);
      let scale = 1 + (args.minBytes - text.length) / Math.max(1, cm);
      for (;;) {
        text = generate({ ...args, configMapScale: scale }).map((d) => d.text).join('---\n');
        if (text.length >= args.minBytes) break;
        scale *= 1.02;
      }
    }
    writeFileSync(join(args.out, 'big.yaml'), text);
    console.log(`wrote ${documents.length} documents into ${join(args.out, 'big.yaml')}`);
  } else {
    const files = toFiles(documents, args.seed);
    let bytes = 0;
    for (const f of files) {
      mkdirSync(join(args.out, f.path.split('/')[0]), { recursive: true });
      writeFileSync(join(args.out, f.path), f.text);
      bytes += f.text.length;
    }
    console.log(`wrote ${documents.length} documents in ${files.length} files (${(bytes / 1e6).toFixed(1)} MB) into ${args.out}`);
  }
}
