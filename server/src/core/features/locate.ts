/**
 * What is under an offset: a route's parentRef or backendRef entry, a Service's name, or just some
 * object. Every editor feature starts here.
 */
import type { Workspace } from '../index/snapshot';
import { isRoute, isService } from '../model/types';
import type { BackendRefNode, K8sObject, ParentRefNode, RouteObject, ServiceObject } from '../model/types';
import type { Span } from '../text';

export type Located =
  | { readonly type: 'parentRef'; readonly route: RouteObject; readonly ref: ParentRefNode }
  | { readonly type: 'backendRef'; readonly route: RouteObject; readonly ref: BackendRefNode }
  | { readonly type: 'serviceName'; readonly service: ServiceObject }
  | { readonly type: 'service'; readonly service: ServiceObject }
  | { readonly type: 'route'; readonly route: RouteObject }
  | { readonly type: 'object'; readonly object: K8sObject };

/** True when `offset` is inside `span` (its end included, so a cursor right after a value counts). */
export function within(span: Span | undefined, offset: number): boolean {
  return span !== undefined && offset >= span.start && offset <= span.end;
}

/** The object whose document contains `offset`. */
export function objectAt(ws: Workspace, path: string, offset: number): K8sObject | undefined {
  const file = ws.file(path);
  if (!file) return undefined;
  // List items nest inside their document; the innermost (smallest) span wins.
  let best: K8sObject | undefined;
  for (const o of file.objects) {
    if (!within(o.span, offset)) continue;
    if (!best || o.span.end - o.span.start < best.span.end - best.span.start) best = o;
  }
  return best;
}

/** The most specific thing under `offset`. */
export function locate(ws: Workspace, path: string, offset: number): Located | undefined {
  const o = objectAt(ws, path, offset);
  if (!o) return undefined;
  if (isRoute(o)) {
    for (const ref of o.parentRefs) if (within(ref.span, offset)) return { type: 'parentRef', route: o, ref };
    for (const ref of o.backendRefs) if (within(ref.span, offset)) return { type: 'backendRef', route: o, ref };
    return { type: 'route', route: o };
  }
  if (isService(o)) {
    if (o.nameField && (within(o.nameField.span, offset) || within(o.nameField.keySpan, offset))) return { type: 'serviceName', service: o };
    return { type: 'service', service: o };
  }
  return { type: 'object', object: o };
}

/** `namespace/name` of the Service a backendRef names, or undefined when it is not a core Service ref. */
export function backendTarget(route: RouteObject, ref: BackendRefNode): { namespace: string; name: string } | undefined {
  const kind = ref.kind?.value ?? 'Service';
  const group = ref.group && ref.group.value !== null ? ref.group.value : '';
  if (kind !== 'Service' || !(group === '' || group.toLowerCase() === 'core') || !ref.name) return undefined;
  return { namespace: ref.namespace?.value ?? route.namespace, name: ref.name.value };
}
