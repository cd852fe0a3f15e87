/**
 * Effective route sets per (Service, port, caller namespace), GEP-1294: the consumer routes of the
 * caller's namespace if any bind the port, else the producer routes, else none (plain Kubernetes
 * routing). Within one group, one route kind wins per port (GRPC > HTTP > TLS > TCP).
 */
import { serviceKey } from '../index/snapshot';
import type { Workspace } from '../index/snapshot';
import { objectId } from '../model/types';
import type { RouteKind, RouteObject, ServiceObject, ServicePort } from '../model/types';
import { KIND_RANK, profileOf } from './profiles';
import { resolveRoute } from './resolve';
import type { ParentResolution } from './resolve';

/** A route attached to one Service port through one parentRef. */
export interface Attachment {
  readonly route: RouteObject;
  readonly resolution: ParentResolution;
}

/** The routes of one group (producer, or one consumer namespace) on one port. */
export interface RouteGroup {
  /** The kind that applies (the conflict winner). */
  readonly kind: RouteKind;
  /** The routes that apply, in GEP order (creationTimestamp, namespace/name, file, position). */
  readonly routes: readonly Attachment[];
  /** Routes of this group that lost the kind conflict. */
  readonly conflicted: readonly Attachment[];
  /** For each route in `conflicted`, the applying routes whose kind beat it. */
  readonly beatenBy: ReadonlyMap<Attachment, readonly Attachment[]>;
}

export interface PortBindings {
  readonly port: ServicePort;
  readonly producer: RouteGroup | null;
  /** Consumer groups by caller namespace, sorted by namespace. */
  readonly consumers: ReadonlyMap<string, RouteGroup>;
}

export interface ServiceBindings {
  readonly service: ServiceObject;
  readonly ports: readonly PortBindings[];
  /** Every resolution of a parentRef that names this Service, bound or not. */
  readonly refs: readonly ParentResolution[];
}

/** Total order of routes inside a group (CONTRACT §3). */
export function compareRoutes(a: RouteObject, b: RouteObject): number {
  const ta = a.creationTimestamp ? Date.parse(a.creationTimestamp) : NaN;
  const tb = b.creationTimestamp ? Date.parse(b.creationTimestamp) : NaN;
  const va = Number.isNaN(ta) ? Infinity : ta;
  const vb = Number.isNaN(tb) ? Infinity : tb;
  if (va !== vb) return va < vb ? -1 : 1;
  const ia = `${a.namespace}/${a.name}`;
  const ib = `${b.namespace}/${b.name}`;
  if (ia !== ib) return ia < ib ? -1 : 1;
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.docIndex - b.docIndex || a.itemIndex - b.itemIndex;
}

function rank(kind: RouteKind): number {
  return KIND_RANK[kind] ?? 99;
}

/**
 * The parent as Linkerd tells parents apart: the Service and the port (Linkerd ignores
 * `sectionName`), so only routes attached through identical refs conflict.
 */
function refSignature(a: Attachment): string {
  return a.resolution.port === undefined ? '' : String(a.resolution.port);
}

const NO_ATTACHMENTS: readonly Attachment[] = Object.freeze([]);
const NOT_BEATEN: ReadonlyMap<Attachment, readonly Attachment[]> = new Map();

function makeGroup(attachments: Attachment[], mode: 'resolve' | 'none' | 'per-identical-ref'): RouteGroup {
  // One attachment per route: a route binding the same port through two refs counts once. Most
  // groups hold one route (one attachment): no dedup, sort or conflict to work out then.
  let unique = attachments;
  if (attachments.length > 1) {
    const seen = new Set<RouteObject>();
    unique = attachments.filter((a) => (seen.has(a.route) ? false : (seen.add(a.route), true)));
    unique.sort((x, y) => compareRoutes(x.route, y.route));
  }
  const best = (list: Attachment[]): RouteKind =>
    list.reduce<RouteKind>((k, a) => (rank(a.route.kind) < rank(k) ? a.route.kind : k), list[0]!.route.kind);
  const kind = best(unique);
  // Every route of the winning kind (or conflicts not resolved at all): nothing is beaten.
  if (mode === 'none' || unique.every((a) => a.route.kind === kind)) return { kind, routes: unique, conflicted: NO_ATTACHMENTS, beatenBy: NOT_BEATEN };
  const beatenBy = new Map<Attachment, Attachment[]>();
  // Linkerd tells parents apart by Service and port, so only routes through identical refs compete.
  const rivalries = mode === 'resolve' ? [unique] : [...groupBy(unique, refSignature).values()];
  for (const list of rivalries) {
    const k = best(list);
    const winners = list.filter((a) => a.route.kind === k);
    for (const a of list) if (a.route.kind !== k && a.route.kind !== 'UDPRoute') beatenBy.set(a, winners);
  }
  return { kind, routes: unique.filter((a) => !beatenBy.has(a)), conflicted: unique.filter((a) => beatenBy.has(a)), beatenBy };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** Binding results for one Service, memoised in the snapshot. */
export function serviceBindings(ws: Workspace, service: ServiceObject): ServiceBindings {
  // Analyzers ask for the bindings of a Service once per route parent: a per-snapshot map keyed by
  // the object spares building the memo key and probing the snapshot's memo every time.
  const byObject = ws.derived('bindings:byServiceObject', () => new WeakMap<ServiceObject, ServiceBindings>());
  let bindings = byObject.get(service);
  if (!bindings) {
    bindings = ws.memo(`bindings:${serviceKey(service.namespace, service.name)}`, () => computeBindings(ws, service));
    byObject.set(service, bindings);
  }
  return bindings;
}

/** The consumer groups of a port no consumer route binds (shared: bindings are never changed). */
const NO_CONSUMERS: ReadonlyMap<string, RouteGroup> = new Map();

function computeBindings(ws: Workspace, service: ServiceObject): ServiceBindings {
  const profile = profileOf(ws.options.implementation);
  const refs: ParentResolution[] = [];
  // Each route once. A Service is named by few routes, each route's references listed together:
  // the set is made only when a second route comes.
  let first: RouteObject | undefined;
  let routesSeen: Set<RouteObject> | undefined;
  for (const r of ws.referencesTo(service.namespace, service.name)) {
    if (r.type !== 'parent' || r.route === first || routesSeen?.has(r.route)) continue;
    if (first === undefined) first = r.route;
    else (routesSeen ??= new Set([first])).add(r.route);
    for (const res of resolveRoute(ws, r.route)) {
      if (res.target === 'service' && res.namespace === service.namespace && res.name === service.name) refs.push(res);
    }
  }
  const ports: PortBindings[] = service.ports
    .filter((p) => p.port !== undefined)
    .map((port) => {
      const producer: Attachment[] = [];
      // Made only for a port with consumer routes (most have none).
      let consumers: Map<string, Attachment[]> | undefined;
      for (const res of refs) {
        if (!res.binds || !res.ports.includes(port)) continue;
        const a: Attachment = { route: res.route, resolution: res };
        if (res.role === 'producer') producer.push(a);
        else {
          consumers ??= new Map();
          const list = consumers.get(res.route.namespace);
          if (list) list.push(a);
          else consumers.set(res.route.namespace, [a]);
        }
      }
      let consumerGroups: ReadonlyMap<string, RouteGroup> = NO_CONSUMERS;
      if (consumers) {
        const groups = new Map<string, RouteGroup>();
        for (const ns of [...consumers.keys()].sort()) groups.set(ns, makeGroup(consumers.get(ns)!, profile.kindConflicts));
        consumerGroups = groups;
      }
      return { port, producer: producer.length ? makeGroup(producer, profile.kindConflicts) : null, consumers: consumerGroups };
    });
  return { service, ports, refs };
}

/** The group that applies to callers in `from` on a port, and which audience it is. */
export function effectiveGroup(pb: PortBindings, from: string): { audience: 'consumer' | 'producer' | 'default'; group: RouteGroup | null } {
  const consumer = pb.consumers.get(from);
  if (consumer) return { audience: 'consumer', group: consumer };
  if (pb.producer) return { audience: 'producer', group: pb.producer };
  return { audience: 'default', group: null };
}

export function routeId(route: RouteObject): string {
  return objectId(route);
}
