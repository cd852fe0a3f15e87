/** Iteration helpers over the routes of the file being analysed, with their parentRefs resolved. */
import { duplicateParentRefs, resolveRoute } from '../bindings/resolve';
import type { ParentResolution } from '../bindings/resolve';
import type { Profile } from '../bindings/profiles';
import { isRoute, MULTICLUSTER_GROUP, objectId } from '../model/types';
import type { BackendRefNode, RouteObject, ServiceObject } from '../model/types';
import type { Workspace } from '../index/snapshot';
import type { AnalysisContext } from './types';

/**
 * The routes of the file that the selected implementation reads at all: `policy.linkerd.io`
 * HTTPRoutes are Linkerd's own resource and get no findings outside the linkerd profile.
 */
export function routesOf(ctx: AnalysisContext): RouteObject[] {
  return ctx.file.objects.filter(isRoute).filter((r) => routeRecognised(ctx, r));
}

/** Each route of the file with every parentRef resolved under the selected profile. */
export function resolvedRoutes(ctx: AnalysisContext): Array<{ route: RouteObject; parents: readonly ParentResolution[] }> {
  // Every analyzer of a file asks for this: compute it once per analysis context.
  let cached = resolvedCache.get(ctx);
  if (!cached) resolvedCache.set(ctx, (cached = routesOf(ctx).map((route) => ({ route, parents: resolveRoute(ctx.ws, route) }))));
  return cached;
}

const resolvedCache = new WeakMap<AnalysisContext, Array<{ route: RouteObject; parents: readonly ParentResolution[] }>>();
const backendsCache = new WeakMap<AnalysisContext, Array<{ route: RouteObject; parents: readonly ParentResolution[]; b: BackendRefNode; t: BackendTarget }>>();

/** True when the route is recognised by the selected implementation at all. */
export function routeRecognised(ctx: AnalysisContext, route: RouteObject): boolean {
  return !route.linkerdPolicy || ctx.profile.linkerdPolicyRoutes;
}

/** A Service parentRef whose group the implementation reads as the core group (`""`, or `core` where that binds). */
export function serviceGroupRecognised(p: ParentResolution, profile: Profile): boolean {
  return p.target === 'service' && (p.groupState === 'empty' || (p.groupState === 'core' && profile.coreGroupBinds));
}

/** A parent the selected implementation recognises: a Gateway, or a Service written with a group it reads as core. */
export function parentRecognised(p: ParentResolution, profile: Profile): boolean {
  return p.target === 'gateway' || serviceGroupRecognised(p, profile);
}

/**
 * Routes whose rules matter: recognised by the implementation, not rejected by CRD validation, and
 * with at least one recognised Service or Gateway parent (CONTRACT §3, rule-level findings).
 */
export function ruleLevelRoutes(ctx: AnalysisContext): Array<{ route: RouteObject; parents: readonly ParentResolution[] }> {
  return resolvedRoutes(ctx).filter(
    ({ route, parents }) =>
      routeRecognised(ctx, route) &&
      duplicateParentRefs(route, ctx.ws.options.crdChannel).length === 0 &&
      parents.some((p) => parentRecognised(p, ctx.profile)),
  );
}

export type BackendGroupState = 'core-empty' | 'core-word' | 'serviceimport' | 'other';

/** How a backendRef's group/kind reads (the CRD defaults group to "" and kind to Service). */
export interface BackendTarget {
  readonly group: string;
  readonly kind: string;
  readonly state: BackendGroupState;
  readonly namespace: string;
  readonly name: string;
  /** The Service it names, when it names a core Service (under any spelling of the group). */
  readonly service?: ServiceObject;
  /** The weight as a number (default 1). */
  readonly weight: number;
}

/**
 * How a backendRef reads. `parents`, the route's resolved parentRefs in `ws`, spare the Service
 * lookup when a parent names the same Service (a route to its own parent Service, the common case).
 */
export function backendTarget(ws: Workspace, route: RouteObject, b: BackendRefNode, parents?: readonly ParentResolution[]): BackendTarget {
  const group = b.group && b.group.value !== null ? b.group.value : '';
  const kind = b.kind?.value ?? 'Service';
  const state: BackendGroupState =
    kind === 'Service' && group === ''
      ? 'core-empty'
      : kind === 'Service' && group.toLowerCase() === 'core'
        ? 'core-word'
        : kind === 'ServiceImport' && group === MULTICLUSTER_GROUP
          ? 'serviceimport'
          : 'other';
  const namespace = b.namespace?.value ?? route.namespace;
  const name = b.name?.value ?? '';
  let service: ServiceObject | undefined;
  if (kind === 'Service' && name) {
    const parent = parents?.find((p) => p.target === 'service' && p.name === name && p.namespace === namespace);
    service = parent ? parent.service : ws.service(namespace, name);
  }
  const w = b.weight?.value;
  const weight = typeof w === 'number' ? w : typeof w === 'string' && /^\d+$/.test(w) ? Number(w) : 1;
  return { group, kind, state, namespace, name, service, weight };
}

/** `Kind/namespace/name` of a route. */
export function rid(route: RouteObject): string {
  return objectId(route);
}

/** The text of a port list for messages: `80 (http), 9090`. */
export function portList(svc: { ports: ServiceObject['ports'] }): string {
  const ports = svc.ports.filter((sp) => sp.port !== undefined);
  return ports.map((sp) => (sp.name ? `${sp.port!.value} (${sp.name.value})` : String(sp.port!.value))).join(', ') || 'none';
}

/** Every backendRef (rule backends and RequestMirror backends) of the routes that get rule-level findings. */
export function ruleLevelBackends(ctx: AnalysisContext): Array<{ route: RouteObject; parents: readonly ParentResolution[]; b: BackendRefNode; t: BackendTarget }> {
  const cached = backendsCache.get(ctx);
  if (cached) return cached;
  const out: Array<{ route: RouteObject; parents: readonly ParentResolution[]; b: BackendRefNode; t: BackendTarget }> = [];
  for (const { route, parents } of ruleLevelRoutes(ctx)) {
    for (const b of route.backendRefs) out.push({ route, parents, b, t: backendTarget(ctx.ws, route, b, parents) });
  }
  backendsCache.set(ctx, out);
  return out;
}

/** True when a backend names a core Service the implementation resolves (`""`, or `core` where that resolves). */
export function resolvesAsService(t: BackendTarget, profile: Profile): boolean {
  return t.state === 'core-empty' || (t.state === 'core-word' && profile.coreBackendResolves);
}

/** "backendRef" or "RequestMirror backendRef" with its rule, for messages. */
export function backendLabel(b: BackendRefNode): string {
  return `${b.mirror ? 'RequestMirror backendRef' : 'backendRef'} of rule ${b.ruleIndex}`;
}
