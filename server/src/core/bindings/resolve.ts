/**
 * Resolving one parentRef: is it a Service parent, which Service, which role, which ports, and if it
 * binds nothing, why.
 */
import type { Workspace } from '../index/snapshot';
import { GATEWAY_GROUP, MULTICLUSTER_GROUP } from '../model/types';
import type { ParentRefNode, RouteObject, ServiceObject, ServicePort } from '../model/types';
import { intValue } from '../model/extract';
import { profileOf } from './profiles';

export type ParentTarget = 'service' | 'gateway' | 'serviceimport' | 'other';
export type GroupState = 'empty' | 'core' | 'missing' | 'other';
export type Role = 'producer' | 'consumer' | 'gateway';

/** Why a Service parentRef binds nothing (or binds differently than written). */
export type UnboundReason =
  | 'group-missing'
  | 'group-wrong'
  | 'group-core-ignored'
  | 'no-name'
  | 'service-not-found'
  | 'port-not-found'
  | 'section-not-found'
  | 'service-type'
  | 'route-rejected'
  | 'consumer-unsupported'
  | 'waypoint-missing'
  | 'route-kind-ignored';

export interface ParentResolution {
  readonly route: RouteObject;
  readonly ref: ParentRefNode;
  readonly target: ParentTarget;
  /** For `kind: Service` refs: how the group was written. */
  readonly groupState?: GroupState;
  readonly namespace: string;
  readonly name: string;
  readonly role: Role;
  readonly service?: ServiceObject;
  /** The ref attaches the route to the Service (on `ports`). */
  readonly binds: boolean;
  readonly ports: readonly ServicePort[];
  readonly reason?: UnboundReason;
  /** The profile ignored the ref's `sectionName`. */
  readonly sectionNameIgnored?: boolean;
  /** The integer `port`, when written. */
  readonly port?: number;
}

function groupStateOf(ref: ParentRefNode): GroupState {
  const g = ref.group;
  if (!g || g.value === null) return 'missing';
  if (g.value === '') return 'empty';
  if (g.value.toLowerCase() === 'core') return 'core';
  return 'other';
}

/**
 * Indices of parentRefs that CRD validation rejects as duplicates. Standard channel: refs to the
 * same parent must all carry distinct `sectionName`s. Experimental: `sectionName` or `port` must tell
 * them apart. Namespaces are compared as written (CEL does not apply the default).
 *
 * The result depends only on the refs as written, so it is computed once per parentRefs list and
 * channel; callers must not change the returned array.
 */
export function duplicateParentRefs(route: RouteObject, channel: 'standard' | 'experimental'): readonly number[] {
  const refs = route.parentRefs;
  // One ref has nothing to collide with (most routes).
  if (refs.length < 2) return NONE;
  const memo = channel === 'standard' ? duplicatesStandard : duplicatesExperimental;
  let bad = memo.get(refs);
  if (!bad) memo.set(refs, (bad = computeDuplicates(refs, channel)));
  return bad;
}

const NONE: readonly number[] = Object.freeze([]);
const duplicatesStandard = new WeakMap<readonly ParentRefNode[], readonly number[]>();
const duplicatesExperimental = new WeakMap<readonly ParentRefNode[], readonly number[]>();

function parentIdentity(p: ParentRefNode): string {
  const group = p.group && p.group.value !== null ? p.group.value : GATEWAY_GROUP;
  return `${group}\u0000${p.kind?.value ?? 'Gateway'}\u0000${p.name?.value ?? ''}\u0000${p.namespace && p.namespace.value !== '' ? `=${p.namespace.value}` : '-'}`;
}

function computeDuplicates(parentRefs: readonly ParentRefNode[], channel: 'standard' | 'experimental'): readonly number[] {
  const groups = new Map<string, ParentRefNode[]>();
  for (const p of parentRefs) {
    const id = parentIdentity(p);
    const list = groups.get(id);
    if (list) list.push(p);
    else groups.set(id, [p]);
  }
  if (groups.size === parentRefs.length) return NONE;
  const bad = new Set<number>();
  for (const refs of groups.values()) {
    if (refs.length < 2) continue;
    const section = (p: ParentRefNode): string => p.sectionName?.value ?? '';
    const port = (p: ParentRefNode): number => intValue(p.port?.value) ?? 0;
    const seen = new Map<string, ParentRefNode>();
    const hasSection = refs.map((p) => section(p) !== '');
    const hasPort = refs.map((p) => port(p) !== 0);
    const mixed =
      channel === 'standard'
        ? hasSection.some((h) => h !== hasSection[0])
        : hasSection.some((h) => h !== hasSection[0]) || hasPort.some((h) => h !== hasPort[0]);
    for (const p of refs) {
      const key = channel === 'standard' ? section(p) : `${section(p)}\u0000${port(p)}`;
      if (mixed || seen.has(key)) {
        bad.add(p.index);
        const other = seen.get(key);
        if (other) bad.add(other.index);
        if (mixed) for (const q of refs) bad.add(q.index);
      }
      seen.set(key, p);
    }
  }
  return bad.size === 0 ? NONE : [...bad].sort((a, b) => a - b);
}

/** The Service ports a ref selects on a Service, and why none when it selects none. */
export function selectPorts(
  service: ServiceObject,
  ref: ParentRefNode,
  ignoreSectionName: boolean,
): { ports: readonly ServicePort[]; reason?: 'port-not-found' | 'section-not-found' } {
  const portNumber = ref.port ? intValue(ref.port.value) : undefined;
  const section = ignoreSectionName ? undefined : ref.sectionName?.value;
  // One pass: the ports with a number, then those with the ref's port, then those of its
  // sectionName; the reason names the first condition no port meets.
  const ports: ServicePort[] = [];
  let portMatches = 0;
  for (const p of service.ports) {
    if (p.port === undefined) continue;
    if (ref.port && p.port.value !== portNumber) continue;
    portMatches++;
    if (section !== undefined && p.name?.value !== section) continue;
    ports.push(p);
  }
  if (ref.port && portMatches === 0) return { ports, reason: 'port-not-found' };
  if (section !== undefined && ports.length === 0) return { ports, reason: 'section-not-found' };
  return { ports };
}

export const WAYPOINT_LABEL = 'istio.io/use-waypoint';

/** How a label set speaks of waypoints: `none` or an empty value means "no waypoint" (Istio). */
export function waypointLabelState(labels: Readonly<Record<string, string>>): 'set' | 'opt-out' | 'absent' {
  if (!(WAYPOINT_LABEL in labels)) return 'absent';
  const v = (labels[WAYPOINT_LABEL] ?? '').trim();
  return v === '' || v === 'none' ? 'opt-out' : 'set';
}

/**
 * In Istio ambient mode a Service's routes are applied by its waypoint, named by the label on the
 * Service or else on its Namespace (when that is in the workspace); an opt-out on the Service wins.
 */
export function hasWaypoint(ws: Workspace, service: ServiceObject): boolean {
  const onService = waypointLabelState(service.labels);
  if (onService !== 'absent') return onService === 'set';
  const ns = ws.lookup('Namespace', '', service.namespace)[0];
  return ns !== undefined && waypointLabelState(ns.labels) === 'set';
}

/** The ports of a resolution that selects none (shared: resolutions are never changed). */
const NO_PORTS: readonly ServicePort[] = Object.freeze([]);

export function resolveParentRef(ws: Workspace, route: RouteObject, ref: ParentRefNode, rejected: boolean): ParentResolution {
  const profile = profileOf(ws.options.implementation);
  const kind = ref.kind?.value ?? 'Gateway';
  // An empty namespace is no namespace (the CRD's CEL rules read it so too).
  const namespace = ref.namespace?.value || route.namespace;
  const name = ref.name?.value ?? '';
  const port = ref.port ? intValue(ref.port.value) : undefined;
  const group = ref.group && ref.group.value !== null ? ref.group.value : undefined;

  // Object literals below (no spreads: this runs for every parentRef of every route) keep the key
  // order `route, ref, namespace, name, port, target, ...` of the resolutions.
  if (kind !== 'Service') {
    const target: ParentTarget =
      kind === 'Gateway' && (group === undefined || group === GATEWAY_GROUP)
        ? 'gateway'
        : kind === 'ServiceImport' && group === MULTICLUSTER_GROUP
          ? 'serviceimport'
          : 'other';
    const role: Role = target === 'gateway' ? 'gateway' : namespace === route.namespace ? 'producer' : 'consumer';
    return { route, ref, namespace, name, port, target, role, binds: !rejected && target !== 'other', ports: NO_PORTS, reason: rejected ? 'route-rejected' : undefined };
  }

  const groupState = groupStateOf(ref);
  const role: Role = namespace === route.namespace ? 'producer' : 'consumer';
  const service = name ? ws.service(namespace, name) : undefined;
  let reason: UnboundReason | undefined;
  let sectionNameIgnored: boolean | undefined;
  let ports: readonly ServicePort[] = NO_PORTS;
  if (groupState === 'missing') reason = 'group-missing';
  else if (groupState === 'other') reason = 'group-wrong';
  else if (groupState === 'core' && !profile.coreGroupBinds) reason = 'group-core-ignored';
  else if (!name) reason = 'no-name';
  else if (route.linkerdPolicy && !profile.linkerdPolicyRoutes) reason = 'route-kind-ignored';
  else if (rejected) reason = 'route-rejected';
  else if (!service) reason = 'service-not-found';
  else if ((service.clusterIP?.value === 'None' || service.type === 'ExternalName') && !profile.headlessParentBinds) reason = 'service-type';
  else if (role === 'consumer' && !profile.consumerRoutes) reason = 'consumer-unsupported';
  else {
    sectionNameIgnored = profile.ignoresSectionName && ref.sectionName !== undefined;
    const selected = selectPorts(service, ref, profile.ignoresSectionName);
    if (selected.reason) reason = selected.reason;
    else if (profile.needsWaypoint && !hasWaypoint(ws, service)) reason = 'waypoint-missing';
    else ports = selected.ports;
  }
  // The three shapes resolutions had: unbound, unbound after the ports were looked at, bound.
  if (sectionNameIgnored === undefined) return { route, ref, namespace, name, port, target: 'service', groupState, role, service, binds: false, ports: NO_PORTS, reason };
  if (reason !== undefined) return { route, ref, namespace, name, port, target: 'service', groupState, role, service, binds: false, ports: NO_PORTS, reason, sectionNameIgnored };
  return { route, ref, namespace, name, port, target: 'service', groupState, role, service, binds: true, ports, sectionNameIgnored };
}

/**
 * Every parentRef of a route, resolved. Memoised per snapshot and route: the analyzers of the
 * route's file and the bindings of each Service it names ask for the same resolutions. The memo is
 * never carried to the next snapshot (a change to a Service, a Namespace or the options may change
 * a resolution without touching the route); callers must not change the returned array.
 */
export function resolveRoute(ws: Workspace, route: RouteObject): readonly ParentResolution[] {
  const memo = ws.derived('resolveRoute', () => new WeakMap<RouteObject, readonly ParentResolution[]>());
  let resolved = memo.get(route);
  if (!resolved) memo.set(route, (resolved = computeRoute(ws, route)));
  return resolved;
}

function computeRoute(ws: Workspace, route: RouteObject): ParentResolution[] {
  const rejected = duplicateParentRefs(route, ws.options.crdChannel).length > 0;
  return route.parentRefs.map((ref) => resolveParentRef(ws, route, ref, rejected));
}
