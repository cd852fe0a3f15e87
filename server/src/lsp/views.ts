/**
 * The custom requests behind the client's views: the "Mesh bindings" tree, the binding map and the
 * request explainer panel. Thin adapters: the answers come from the core (`bindings/`, `graph/`),
 * this layer only turns file + span into URIs and LSP ranges.
 */
import type { Connection, WorkspaceEdit } from 'vscode-languageserver/node';
import { serviceBindings } from '../core/bindings/effective';
import { ExplainError, explain } from '../core/bindings/explain';
import { resolveRoute } from '../core/bindings/resolve';
import { consumerRouteActions } from '../core/features/actions';
import { buildGraph, graphMermaid, graphSvg } from '../core/graph/index';
import type { GraphScope } from '../core/graph/index';
import type { Workspace } from '../core/index/snapshot';
import { isRoute, objectId } from '../core/model/types';
import type { RouteObject } from '../core/model/types';
import type { Span } from '../core/text';
import { CreateConsumerRouteRequest, ExplainViewRequest, GraphRequest, TreeRequest } from '../protocol';
import type {
  CreateConsumerRouteParams,
  ExplainParams,
  ExplainViewResultOrError,
  GraphParams,
  GraphResult,
  TreeEntry,
  TreeParams,
  TreeResult,
  TreeService,
  TreeUnresolved,
  ViewLocation,
} from '../protocol';
import { toLocation, uriToPath } from './convert';
import { toWorkspaceEdit } from './features';
import type { Folder, Indexer } from './indexer';
import { runSafe } from './runSafe';

function loc(ws: Workspace, file: string | undefined, span: Span | undefined): ViewLocation | undefined {
  return file && span ? toLocation(ws, file, span) : undefined;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function routeIdOf(r: RouteObject): string {
  return objectId(r);
}

/** The binding tree of one workspace snapshot. */
export function bindingTree(ws: Workspace, namespace?: string): TreeResult {
  const byNs = new Map<string, TreeService[]>();
  const services = [...ws.services()].sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name));
  for (const svc of services) {
    if (namespace !== undefined && svc.namespace !== namespace) continue;
    const b = serviceBindings(ws, svc);
    const ports = b.ports
      .map((pb) => {
        const entries: TreeEntry[] = [];
        const conflicted: TreeEntry[] = [];
        const add = (list: TreeEntry[], role: TreeEntry['role'], route: RouteObject, span: Span, from?: string): void => {
          list.push({ role, route: routeIdOf(route), kind: route.kind, ...(from !== undefined ? { from } : {}), location: loc(ws, route.file, span) });
        };
        if (pb.producer) {
          for (const a of pb.producer.routes) add(entries, 'producer', a.route, a.resolution.ref.span);
          for (const a of pb.producer.conflicted) add(conflicted, 'conflicted', a.route, a.resolution.ref.span);
        }
        for (const [from, g] of pb.consumers) {
          for (const a of g.routes) add(entries, 'consumer', a.route, a.resolution.ref.span, from);
          for (const a of g.conflicted) add(conflicted, 'conflicted', a.route, a.resolution.ref.span, from);
        }
        return { port: pb.port.port!.value, name: pb.port.name?.value ?? null, entries: [...entries, ...conflicted] };
      })
      .sort((x, y) => x.port - y.port);
    const list = byNs.get(svc.namespace) ?? [];
    list.push({ namespace: svc.namespace, name: svc.name, location: loc(ws, svc.file, svc.nameField?.span ?? svc.span), ports });
    byNs.set(svc.namespace, list);
  }
  const unresolved: TreeUnresolved[] = [];
  const routes: RouteObject[] = [];
  for (const o of ws.objects()) if (isRoute(o)) routes.push(o);
  routes.sort((a, b) => cmp(objectId(a), objectId(b)));
  for (const route of routes) {
    for (const p of resolveRoute(ws, route)) {
      if (p.target !== 'service' || p.binds) continue;
      if (namespace !== undefined && route.namespace !== namespace && p.namespace !== namespace) continue;
      unresolved.push({ type: 'parentRef', route: objectId(route), target: `${p.namespace}/${p.name}`, reason: p.reason ?? 'unknown', location: loc(ws, route.file, p.ref.span) });
    }
    for (const rule of route.rules) {
      for (const b of rule.backendRefs) {
        if ((b.kind?.value ?? 'Service') !== 'Service' || !b.name) continue;
        const ns = b.namespace?.value ?? route.namespace;
        if (ws.service(ns, b.name.value)) continue;
        if (namespace !== undefined && route.namespace !== namespace && ns !== namespace) continue;
        unresolved.push({ type: 'backendRef', route: objectId(route), target: `${ns}/${b.name.value}`, reason: 'service-not-found', location: loc(ws, route.file, b.span) });
      }
    }
  }
  return { namespaces: [...byNs.keys()].sort().map((name) => ({ name, services: byNs.get(name)! })), unresolved };
}

function parseService(service: string): { namespace: string; name: string } {
  const i = service.indexOf('/');
  return i > 0 ? { namespace: service.slice(0, i), name: service.slice(i + 1) } : { namespace: 'default', name: service };
}

/** The binding graph of one snapshot, with SVG, Mermaid and locations. */
export function graphView(ws: Workspace, params: GraphParams): GraphResult {
  const scope: GraphScope = {
    ...(params.service ? { service: parseService(params.service) } : {}),
    ...(params.namespace ? { namespace: params.namespace } : {}),
  };
  const graph = buildGraph(ws, scope);
  const tooLarge = graph.nodes.length > (params.maxNodes ?? 1500);
  const namespaces = new Set<string>();
  for (const o of ws.objects()) if (o.kind === 'Service' || isRoute(o) || o.kind === 'Gateway') namespaces.add(o.namespace);
  return {
    scope: [params.service ? `Service ${params.service}` : 'workspace', params.namespace ? `namespace ${params.namespace}` : ''].filter(Boolean).join(', '),
    nodes: graph.nodes.map((n) => ({ id: n.id, type: n.type, kind: n.kind, namespace: n.namespace, name: n.name, missing: n.missing, conflicted: n.conflicted, location: loc(ws, n.file, n.span) })),
    edges: graph.edges.map((e) => ({ id: e.id, type: e.type, role: e.role, route: e.route, target: e.target, label: e.label, location: loc(ws, e.file, e.span) })),
    svg: tooLarge ? '' : graphSvg(graph, { standalone: params.standalone === true }),
    mermaid: graphMermaid(graph),
    tooLarge,
    namespaces: [...namespaces].sort(),
  };
}

/** The explain result with locations, for the explainer panel. */
export function explainView(ws: Workspace, params: ExplainParams): ExplainViewResultOrError {
  try {
    const r = explain(ws, {
      service: parseService(params.service),
      port: params.port,
      from: params.from,
      path: params.path,
      method: params.method,
      headers: params.headers,
    });
    const winner = r.match ? r.candidates.findIndex((c) => c.matched) : -1;
    return {
      service: r.service,
      port: r.port,
      from: r.from,
      audience: r.audience,
      routes: r.routes,
      match: r.match ? { route: r.match.route, rule: r.match.rule } : null,
      status: r.status,
      implementation: r.implementation,
      backends: r.backends.map((b) => {
        const p = b.kind ? undefined : parseService(b.service);
        const svc = p ? ws.service(p.namespace, p.name) : undefined;
        return { ...b, location: svc ? loc(ws, svc.file, svc.nameField?.span ?? svc.span) : undefined };
      }),
      steps: r.steps.map((s) => ({ text: s.text, location: loc(ws, s.file, s.span) })),
      candidates: r.candidates.map((c, i) => ({ route: c.route, rule: c.rule, match: c.match, matched: c.matched, winner: i === winner, why: c.why, location: loc(ws, c.file, c.span) })),
    };
  } catch (err) {
    if (err instanceof ExplainError) return { error: err.message };
    throw err;
  }
}

/**
 * The consumer route for callers in `from`: appended to the first file (by path) that holds a route in
 * `from`, else to a file with any object in `from`, else to the Service's own file (the route names
 * its namespace explicitly).
 */
export function consumerRouteEdit(ws: Workspace, params: CreateConsumerRouteParams): WorkspaceEdit | null {
  const s = parseService(params.service);
  const svc = ws.service(s.namespace, s.name);
  if (!svc || !params.from || params.from === svc.namespace) return null;
  let routeFile: string | undefined;
  let anyFile: string | undefined;
  for (const o of ws.objects()) {
    if (o.namespace !== params.from) continue;
    if (isRoute(o) && (routeFile === undefined || o.file < routeFile)) routeFile = o.file;
    if (anyFile === undefined || o.file < anyFile) anyFile = o.file;
  }
  const action = consumerRouteActions(ws, routeFile ?? anyFile ?? svc.file, params.from, svc, params.port)[0];
  return action ? toWorkspaceEdit(ws, action.edits) : null;
}

export function registerViews(connection: Connection, indexer: Indexer): void {
  const log = { error: (m: string) => connection.console.error(m) };
  const all = (): Folder[] => [...indexer.folders, indexer.loose];
  const folderWith = (service: string | undefined, uri: string | undefined): Folder | undefined => {
    const p = uri ? uriToPath(uri) : undefined;
    const first = p ? [indexer.folderFor(p)] : [];
    if (!service) return first[0];
    const s = parseService(service);
    for (const f of [...first, ...all()]) if (indexer.applyPending(f).service(s.namespace, s.name)) return f;
    // A Service that only routes name: the folder of the uri, or the first that references it.
    for (const f of [...first, ...all()]) if (indexer.applyPending(f).referencesTo(s.namespace, s.name).length) return f;
    return first[0];
  };

  connection.onRequest(
    TreeRequest,
    runSafe(log, TreeRequest, { namespaces: [], unresolved: [] } as TreeResult, (params: TreeParams): TreeResult => {
      const merged = new Map<string, TreeService[]>();
      const unresolved: TreeUnresolved[] = [];
      for (const f of all()) {
        const t = bindingTree(indexer.applyPending(f), params?.namespace || undefined);
        for (const ns of t.namespaces) merged.set(ns.name, [...(merged.get(ns.name) ?? []), ...ns.services]);
        unresolved.push(...t.unresolved);
      }
      return { namespaces: [...merged.keys()].sort().map((name) => ({ name, services: merged.get(name)! })), unresolved };
    }),
  );

  connection.onRequest(
    GraphRequest,
    runSafe(log, GraphRequest, { scope: '', nodes: [], edges: [], svg: '', mermaid: '', tooLarge: false, namespaces: [] } as GraphResult, (params: GraphParams): GraphResult => {
      const folder = folderWith(params.service, params.uri) ?? indexer.folders[0] ?? indexer.loose;
      return graphView(indexer.applyPending(folder), params);
    }),
  );

  connection.onRequest(
    CreateConsumerRouteRequest,
    runSafe(log, CreateConsumerRouteRequest, null as WorkspaceEdit | null, (params: CreateConsumerRouteParams): WorkspaceEdit | null => {
      const folder = folderWith(params.service, params.uri);
      return folder ? consumerRouteEdit(indexer.applyPending(folder), params) : null;
    }),
  );

  connection.onRequest(
    ExplainViewRequest,
    runSafe(log, ExplainViewRequest, { error: 'internal error' } as ExplainViewResultOrError, (params: ExplainParams): ExplainViewResultOrError => {
      const folder = folderWith(params.service, params.uri);
      if (!folder) return { error: `Service ${params.service} is not in the workspace` };
      return explainView(indexer.applyPending(folder), params);
    }),
  );
}
