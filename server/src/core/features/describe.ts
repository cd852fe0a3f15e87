/** Short texts shared by hovers and lenses: why a ref binds nothing, where a namespace came from, port labels. */
import { serviceBindings } from '../bindings/effective';
import type { ServiceBindings } from '../bindings/effective';
import type { ParentResolution, UnboundReason } from '../bindings/resolve';
import type { Workspace } from '../index/snapshot';
import { dirname } from '../index/namespaces';
import type { K8sObject, RouteObject, ServiceObject, ServicePort } from '../model/types';
import { code } from './markdown';

/** One sentence per reason a Service parentRef binds nothing (plain text: callers escape it for markdown). */
export function unboundReasonText(res: ParentResolution): string {
  const svc = `${res.namespace}/${res.name}`;
  const reasons: Record<UnboundReason, string> = {
    'group-missing': 'the ref has no group, so the API server defaults it to gateway.networking.k8s.io and it names no core Service. Set group: "".',
    'group-wrong': `the group ${JSON.stringify(res.ref.group?.value ?? '')} is not the core group: use group: "".`,
    'group-core-ignored': 'this implementation ignores group: core; use group: "".',
    'no-name': 'the ref has no name.',
    'service-not-found': `Service ${svc} is not in the workspace (parent not found).`,
    'port-not-found': `Service ${svc} has no port ${String(res.ref.port?.value ?? '')}.`,
    'section-not-found': `Service ${svc} has no port named ${JSON.stringify(res.ref.sectionName?.value ?? '')} (or it names a different port than port).`,
    'service-type': `Service ${svc} is headless or ExternalName, which this implementation does not route.`,
    'route-rejected': 'the route has duplicate parentRefs not told apart by sectionName, so the API server rejects it.',
    'consumer-unsupported': 'this implementation does not support consumer routes (a route in another namespace than the Service).',
    'route-kind-ignored': 'this implementation ignores policy.linkerd.io routes.',
    'waypoint-missing': `in ambient mode a waypoint applies the routes of ${svc}, and neither the Service nor its Namespace names one (label istio.io/use-waypoint).`,
  };
  return res.reason ? reasons[res.reason] : 'the ref does not name a Service or Gateway this tool knows.';
}

/** A terse label for lenses: `parent not found`, `group missing`, ... */
export function unboundReasonShort(res: ParentResolution): string {
  switch (res.reason) {
    case 'service-not-found':
      return 'parent not found';
    case 'group-missing':
      return 'group missing';
    case 'group-wrong':
      return 'wrong group';
    case 'group-core-ignored':
      return 'group core ignored';
    case 'no-name':
      return 'no name';
    case 'port-not-found':
      return `no port ${String(res.ref.port?.value ?? '')}`;
    case 'section-not-found':
      return 'sectionName not found';
    case 'service-type':
      return 'headless or ExternalName Service';
    case 'route-rejected':
      return 'duplicate parentRefs';
    case 'consumer-unsupported':
      return 'consumer routes unsupported';
    case 'route-kind-ignored':
      return 'route kind ignored';
    case 'waypoint-missing':
      return 'no waypoint';
    default:
      return 'unresolved parent';
  }
}

export function portLabel(p: ServicePort): string {
  const n = p.port?.value;
  return p.name ? `${String(n)} (${p.name.value})` : String(n);
}

/** Where an object's namespace came from, as a markdown phrase (file values in code spans). */
export function namespaceProvenance(ws: Workspace, o: K8sObject): string {
  switch (o.namespaceSource) {
    case 'metadata':
      return 'from metadata.namespace';
    case 'default':
      return `the default namespace (no metadata.namespace; setting defaultNamespace = ${code(ws.options.defaultNamespace)})`;
    case 'cluster':
      return 'cluster-scoped';
    case 'kustomization': {
      // The nearest kustomization above the file that sets this namespace.
      let best: K8sObject | undefined;
      for (const f of ws.files()) {
        for (const k of f.objects) {
          if (k.kind !== 'Kustomization' || !('setNamespace' in k) || k.setNamespace !== o.namespace) continue;
          const dir = dirname(k.file);
          if (!(o.file === dir || o.file.startsWith(dir.endsWith('/') ? dir : `${dir}/`))) continue;
          if (!best || dirname(best.file).length < dir.length) best = k;
        }
      }
      return best ? `from kustomization ${code(relativePath(dirname(o.file), best.file))}` : 'from a kustomization';
    }
  }
  return '';
}

/** Applying routes of a Service, split by audience, deduplicated over ports. */
export function boundRoutes(b: ServiceBindings): { producer: RouteObject[]; consumer: RouteObject[] } {
  const producer = new Set<RouteObject>();
  const consumer = new Set<RouteObject>();
  for (const pb of b.ports) {
    for (const a of pb.producer?.routes ?? []) producer.add(a.route);
    for (const g of pb.consumers.values()) for (const a of g.routes) consumer.add(a.route);
  }
  return { producer: [...producer], consumer: [...consumer] };
}

/** True when some route binds one of the Service's ports. */
export function isOverridden(ws: Workspace, service: ServiceObject): boolean {
  const { producer, consumer } = boundRoutes(serviceBindings(ws, service));
  return producer.length + consumer.length > 0;
}

/** `file` relative to the folder `from` (both absolute POSIX paths), `./x` style. */
export function relativePath(from: string, file: string): string {
  const a = from.split('/').filter(Boolean);
  const b = file.split('/').filter(Boolean);
  let i = 0;
  while (i < a.length && i < b.length - 1 && a[i] === b[i]) i++;
  const up = a.length - i;
  return (up === 0 ? './' : '../'.repeat(up)) + b.slice(i).join('/');
}
