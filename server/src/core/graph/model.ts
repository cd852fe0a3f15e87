/**
 * The binding graph: Gateways, routes and Services as nodes, parentRefs and backendRefs as edges,
 * each edge with the role it plays (gateway, producer, consumer, not bound, backend). The Mermaid
 * flowchart, the SVG export and the editor's binding map are all drawn from this one model.
 */
import { serviceBindings } from '../bindings/effective';
import { resolveRoute } from '../bindings/resolve';
import type { Workspace } from '../index/snapshot';
import { intValue } from '../model/extract';
import { isRoute, objectId } from '../model/types';
import type { RouteObject } from '../model/types';
import type { Span } from '../text';

export type NodeType = 'gateway' | 'route' | 'service';

export interface GraphNode {
  /** Stable, unique id: `Kind/namespace/name`. */
  readonly id: string;
  /** The Mermaid node id (`Kind_namespace_name` with other characters replaced by `_`). */
  readonly mermaidId: string;
  readonly type: NodeType;
  /** The Kubernetes kind (`Gateway`, `HTTPRoute`, `Service`, ...). */
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly label: string;
  /** The object is referenced but not in the workspace (a dangling ref's target). */
  readonly missing: boolean;
  /** A route that lost the route kind conflict on some Service port it binds. */
  readonly conflicted: boolean;
  /** The Service the graph is centred on. */
  readonly focus: boolean;
  /** For a Service: the caller namespaces a consumer route overrides it for, and whether a producer route overrides it. */
  readonly overridden?: { readonly producer: boolean; readonly consumers: readonly string[] };
  readonly file?: string;
  readonly span?: Span;
}

/**
 * `gateway`, `producer`, `consumer`: a parentRef that attaches the route (drawn from the parent to the route,
 * the way traffic flows); `unbound`: a parentRef that attaches nothing; `backend`: a backendRef.
 */
export type EdgeRole = 'gateway' | 'producer' | 'consumer' | 'unbound' | 'backend';

export interface GraphEdge {
  /** Stable, unique id: `parentRef:Kind/ns/route->Kind/ns/name` (with `#n` when a pair has several edges). */
  readonly id: string;
  readonly type: 'parentRef' | 'backendRef';
  readonly role: EdgeRole;
  /** The route. */
  readonly route: string;
  /** The parent (parentRef) or backend (backendRef) node. */
  readonly target: string;
  readonly label: string;
  readonly weight?: number;
  /** For unbound refs: why. */
  readonly reason?: string;
  readonly file: string;
  readonly span: Span;
}

export interface GraphScope {
  /** Only the routes that name this Service as parent or backend (and what they name). */
  readonly service?: { readonly namespace: string; readonly name: string };
  /** Only the routes that live in, or name something in, this namespace. */
  readonly namespace?: string;
}

export interface BindingGraph {
  /** Sorted by namespace, then id. */
  readonly nodes: readonly GraphNode[];
  /** In route order (route id), parentRefs before backendRefs, each in YAML order. */
  readonly edges: readonly GraphEdge[];
}

export function mermaidNodeId(kind: string, namespace: string, name: string): string {
  return `${kind}_${namespace}_${name}`.replace(/[^A-Za-z0-9_]/g, '_');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The routes the scope selects, sorted by route id. */
function scopedRoutes(ws: Workspace, scope: GraphScope): RouteObject[] {
  let routes: RouteObject[];
  if (scope.service) {
    const set = new Set<RouteObject>();
    for (const r of ws.referencesTo(scope.service.namespace, scope.service.name)) set.add(r.route);
    routes = [...set];
  } else {
    routes = [];
    for (const o of ws.objects()) if (isRoute(o)) routes.push(o);
  }
  if (scope.namespace !== undefined) {
    const ns = scope.namespace;
    routes = routes.filter(
      (r) =>
        r.namespace === ns ||
        resolveRoute(ws, r).some((p) => p.namespace === ns) ||
        r.rules.some((rule) => rule.backendRefs.some((b) => (b.namespace?.value ?? r.namespace) === ns)),
    );
  }
  return routes.sort((a, b) => cmp(objectId(a), objectId(b)));
}

export function buildGraph(ws: Workspace, scope: GraphScope = {}): BindingGraph {
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  const edgeKeys = new Set<string>();
  const pairCount = new Map<string, number>();
  const focusId = scope.service ? `Service/${scope.service.namespace}/${scope.service.name}` : undefined;

  const addNode = (type: NodeType, kind: string, namespace: string, name: string, extra: Partial<GraphNode> = {}): string => {
    const id = `${kind}/${namespace}/${name}`;
    if (!nodes.has(id)) {
      const missing = extra.missing ?? false;
      const label = type === 'route' ? `${kind} ${name}` : type === 'gateway' ? `Gateway ${name}` : missing ? `Service ${name} (not found)` : `Service ${name}`;
      nodes.set(id, { id, mermaidId: mermaidNodeId(kind, namespace, name), type, kind, namespace, name, label, missing, conflicted: false, focus: id === focusId, ...extra });
    }
    return id;
  };
  const addService = (namespace: string, name: string): string => {
    const svc = ws.service(namespace, name);
    return addNode('service', 'Service', namespace, name, svc ? { file: svc.file, span: svc.nameField?.span ?? svc.span } : { missing: true });
  };
  const addEdge = (e: Omit<GraphEdge, 'id'>): void => {
    const sig = `${e.type}|${e.route}|${e.target}|${e.label}`;
    if (edgeKeys.has(sig)) return;
    const base = `${e.type}:${e.route}->${e.target}`;
    const n = pairCount.get(base) ?? 0;
    pairCount.set(base, n + 1);
    edgeKeys.add(sig);
    edges.push({ id: n === 0 ? base : `${base}#${n}`, ...e });
  };

  for (const route of scopedRoutes(ws, scope)) {
    const parents = resolveRoute(ws, route).filter((p) => p.target === 'service' || p.target === 'gateway');
    if (parents.length === 0) continue;
    const rid = addNode('route', route.kind, route.namespace, route.name, { file: route.file, span: route.nameField?.span ?? route.span });
    for (const p of parents) {
      if (p.target === 'gateway') {
        const gw = ws.lookup('Gateway', p.namespace, p.name)[0];
        const gid = addNode('gateway', 'Gateway', p.namespace, p.name, gw ? { file: gw.file, span: gw.nameField?.span ?? gw.span } : { missing: true });
        addEdge({ type: 'parentRef', role: 'gateway', route: rid, target: gid, label: 'parentRef', file: route.file, span: p.ref.span });
        continue;
      }
      const sid = addService(p.namespace, p.name);
      if (p.binds) {
        const label = p.role === 'consumer' ? `parentRef consumer: callers in ${route.namespace}` : 'parentRef producer: all callers';
        addEdge({ type: 'parentRef', role: p.role === 'consumer' ? 'consumer' : 'producer', route: rid, target: sid, label, file: route.file, span: p.ref.span });
      } else {
        const reason = p.reason ?? 'unknown';
        addEdge({ type: 'parentRef', role: 'unbound', route: rid, target: sid, label: `not bound: ${reason}`, reason, file: route.file, span: p.ref.span });
      }
    }
    for (const rule of route.rules) {
      for (const b of rule.backendRefs) {
        const kind = b.kind?.value ?? 'Service';
        if (kind !== 'Service' || !b.name) continue;
        const ns = b.namespace?.value ?? route.namespace;
        const sid = addService(ns, b.name.value);
        const w = b.weight ? intValue(b.weight.value) : undefined;
        addEdge({ type: 'backendRef', role: 'backend', route: rid, target: sid, label: w !== undefined ? `weight ${w}` : '', ...(w !== undefined ? { weight: w } : {}), file: route.file, span: b.span });
      }
    }
  }

  // Conflicts and overrides, from the effective route sets of the Services in the graph.
  const conflicted = new Set<string>();
  for (const n of [...nodes.values()]) {
    if (n.type !== 'service' || n.missing) continue;
    const svc = ws.service(n.namespace, n.name);
    if (!svc) continue;
    const b = serviceBindings(ws, svc);
    let producer = false;
    const consumers = new Set<string>();
    for (const pb of b.ports) {
      if (pb.producer) producer = true;
      for (const ns of pb.consumers.keys()) consumers.add(ns);
      for (const g of [pb.producer, ...pb.consumers.values()]) for (const a of g?.conflicted ?? []) conflicted.add(`${a.route.kind}/${a.route.namespace}/${a.route.name}`);
    }
    if (producer || consumers.size) nodes.set(n.id, { ...n, overridden: { producer, consumers: [...consumers].sort() } });
  }
  for (const id of conflicted) {
    const n = nodes.get(id);
    if (n) nodes.set(id, { ...n, conflicted: true });
  }
  const sorted = [...nodes.values()].sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.id, b.id));
  return { nodes: sorted, edges };
}
