/**
 * The `bindings` report (CONTRACT §4): JSON per Service and port, and a Mermaid flowchart of
 * Gateways, routes and Services in the spirit of the seed article's diagrams.
 */
import type { Workspace } from '../index/snapshot';
import { intValue } from '../model/extract';
import { isRoute, objectId } from '../model/types';
import type { K8sObject, RouteObject, ServiceObject } from '../model/types';
import { serviceBindings } from './effective';
import type { RouteGroup } from './effective';
import { resolveRoute } from './resolve';

export interface BindingsReportGroup {
  readonly kind: string;
  readonly routes: readonly string[];
}

export interface BindingsReportPort {
  readonly port: number;
  readonly name: string | null;
  readonly producer: BindingsReportGroup | null;
  readonly consumers: ReadonlyArray<BindingsReportGroup & { readonly namespace: string }>;
  readonly conflicted: readonly string[];
}

export interface BindingsReportService {
  readonly namespace: string;
  readonly name: string;
  readonly file: string;
  readonly ports: readonly BindingsReportPort[];
}

export interface BindingsReport {
  readonly implementation: string;
  readonly services: readonly BindingsReportService[];
}

function group(g: RouteGroup): BindingsReportGroup {
  return { kind: g.kind, routes: g.routes.map((a) => objectId(a.route)) };
}

export function serviceReport(ws: Workspace, service: ServiceObject): BindingsReportService {
  const b = serviceBindings(ws, service);
  const ports = b.ports
    .map((pb): BindingsReportPort => {
      const conflicted = new Set<string>();
      for (const g of [pb.producer, ...pb.consumers.values()]) for (const a of g?.conflicted ?? []) conflicted.add(objectId(a.route));
      return {
        port: pb.port.port!.value,
        name: pb.port.name?.value ?? null,
        producer: pb.producer ? group(pb.producer) : null,
        consumers: [...pb.consumers].map(([namespace, g]) => ({ namespace, ...group(g) })),
        conflicted: [...conflicted].sort(),
      };
    })
    .sort((x, y) => x.port - y.port);
  return { namespace: service.namespace, name: service.name, file: service.file, ports };
}

export function bindingsReport(ws: Workspace): BindingsReport {
  const services = [...ws.services()].sort((a, b) => (a.namespace !== b.namespace ? (a.namespace < b.namespace ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { implementation: ws.options.implementation, services: services.map((s) => serviceReport(ws, s)) };
}

function nodeId(o: Pick<K8sObject, 'kind' | 'namespace' | 'name'>): string {
  return `${o.kind}_${o.namespace}_${o.name}`.replace(/[^A-Za-z0-9_]/g, '_');
}

function label(text: string): string {
  return `"${text.replace(/"/g, '#quot;')}"`;
}

/** A Mermaid flowchart: namespaces as subgraphs, parentRef edges dashed, backendRef edges solid. */
export function bindingsMermaid(ws: Workspace): string {
  const nodes = new Map<string, { ns: string; line: string }>();
  const edges: string[] = [];
  const addNode = (kind: string, ns: string, name: string, shape: 'gateway' | 'route' | 'service' | 'missing'): string => {
    const id = nodeId({ kind, namespace: ns, name });
    if (!nodes.has(id)) {
      const text = shape === 'route' ? `${kind} ${name}` : shape === 'gateway' ? `Gateway ${name}` : shape === 'missing' ? `Service ${name} (not found)` : `Service ${name}`;
      const line = shape === 'service' ? `${id}[(${label(text)})]` : shape === 'gateway' ? `${id}{{${label(text)}}}` : shape === 'missing' ? `${id}[(${label(text)})]:::missing` : `${id}[${label(text)}]`;
      nodes.set(id, { ns, line });
    }
    return id;
  };
  const routes: RouteObject[] = [];
  for (const o of ws.objects()) if (isRoute(o)) routes.push(o);
  routes.sort((a, b) => (objectId(a) < objectId(b) ? -1 : objectId(a) > objectId(b) ? 1 : 0));
  for (const route of routes) {
    const parents = resolveRoute(ws, route).filter((p) => p.target === 'service' || p.target === 'gateway');
    if (parents.length === 0) continue;
    const rid = addNode(route.kind, route.namespace, route.name, 'route');
    for (const p of parents) {
      if (p.target === 'gateway') {
        const gid = addNode('Gateway', p.namespace, p.name, 'gateway');
        edges.push(`${gid} --> ${rid}`);
        edges.push(`${rid} -. ${label('parentRef')} .-> ${gid}`);
        continue;
      }
      const sid = addNode('Service', p.namespace, p.name, p.service ? 'service' : 'missing');
      if (p.binds) {
        const roleText = p.role === 'consumer' ? `consumer: callers in ${route.namespace}` : 'producer: all callers';
        edges.push(`${sid} --> ${rid}`);
        edges.push(`${rid} -. ${label(`parentRef ${roleText}`)} .-> ${sid}`);
      } else {
        edges.push(`${rid} -. ${label(`not bound: ${p.reason ?? 'unknown'}`)} .-x ${sid}`);
      }
    }
    for (const rule of route.rules) {
      for (const b of rule.backendRefs) {
        const kind = b.kind?.value ?? 'Service';
        if (kind !== 'Service' || !b.name) continue;
        const ns = b.namespace?.value ?? route.namespace;
        const target = ws.service(ns, b.name.value);
        const sid = addNode('Service', ns, b.name.value, target ? 'service' : 'missing');
        const w = b.weight ? intValue(b.weight.value) : undefined;
        edges.push(w !== undefined ? `${rid} -- ${label(`weight ${w}`)} --> ${sid}` : `${rid} --> ${sid}`);
      }
    }
  }
  const byNs = new Map<string, string[]>();
  for (const { ns, line } of nodes.values()) byNs.set(ns, [...(byNs.get(ns) ?? []), line]);
  const out = ['flowchart LR', '  classDef missing stroke-dasharray: 4 2,stroke:#d33;'];
  for (const ns of [...byNs.keys()].sort()) {
    out.push(`  subgraph ${ns.replace(/[^A-Za-z0-9_]/g, '_') || 'cluster'}[${label(ns || 'cluster')}]`);
    for (const line of byNs.get(ns)!.sort()) out.push(`    ${line}`);
    out.push('  end');
  }
  for (const e of [...new Set(edges)]) out.push(`  ${e}`);
  return `${out.join('\n')}\n`;
}
