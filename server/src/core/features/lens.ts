/**
 * Code lenses: on every Service, who overrides it (or an offer to create a producer route); on every
 * route, what each Service parentRef does.
 */
import { serviceBindings } from '../bindings/effective';
import { resolveRoute } from '../bindings/resolve';
import type { Workspace } from '../index/snapshot';
import { isRoute, isService } from '../model/types';
import type { RouteObject, ServiceObject } from '../model/types';
import type { Span } from '../text';
import { boundRoutes, unboundReasonShort } from './describe';
import { objectAt } from './locate';
import { findReferences } from './navigation';
import type { FileSpan } from './navigation';
import { clip, plural } from './markdown';

export type LensAction =
  | { readonly kind: 'references'; readonly file: string; readonly offset: number; readonly locations: readonly FileSpan[] }
  | { readonly kind: 'createProducerRoute'; readonly service: string; readonly port?: number }
  | { readonly kind: 'none' };

export interface Lens {
  readonly span: Span;
  readonly title: string;
  readonly action: LensAction;
}

function names(routes: RouteObject[], withNamespace: boolean): string {
  return routes.map((r) => (withNamespace ? `${r.namespace}/${r.name}` : r.name)).join(', ');
}

/** `overridden by 1 producer route (route-b) · 1 consumer route (dev-ns/route-c)`. */
export function serviceLensTitle(ws: Workspace, svc: ServiceObject): string | undefined {
  const { producer, consumer } = boundRoutes(serviceBindings(ws, svc));
  const parts: string[] = [];
  if (producer.length) parts.push(`${plural(producer.length, 'producer route')} (${names(producer, false)})`);
  if (consumer.length) parts.push(`${plural(consumer.length, 'consumer route')} (${names(consumer, true)})`);
  return parts.length ? `overridden by ${parts.join(' · ')}` : undefined;
}

function serviceLens(ws: Workspace, svc: ServiceObject): Lens[] {
  const span = svc.nameField?.span ?? svc.span;
  const title = serviceLensTitle(ws, svc);
  const locations = findReferences(ws, svc.file, span.start, false);
  if (title) return [{ span, title, action: { kind: 'references', file: svc.file, offset: span.start, locations } }];
  const lenses: Lens[] = [{ span, title: 'no mesh routes · create producer route', action: { kind: 'createProducerRoute', service: `${svc.namespace}/${svc.name}` } }];
  if (locations.length) lenses.push({ span, title: plural(locations.length, 'reference'), action: { kind: 'references', file: svc.file, offset: span.start, locations } });
  return lenses;
}

function routeLenses(ws: Workspace, route: RouteObject): Lens[] {
  const span = route.nameField?.span ?? route.span;
  const out: Lens[] = [];
  for (const res of resolveRoute(ws, route)) {
    if (res.target !== 'service') continue;
    const target = `${res.namespace}/${res.name}`;
    const refLocation: FileSpan[] = res.service ? [{ file: res.service.file, span: res.service.nameField?.span ?? res.service.span }] : [];
    const action: LensAction = refLocation.length ? { kind: 'references', file: route.file, offset: span.start, locations: refLocation } : { kind: 'none' };
    if (!res.binds) {
      out.push({ span, title: `no effect: ${unboundReasonShort(res)}`, action });
      continue;
    }
    const ports = res.ports.map((p) => String(p.port?.value)).join(',');
    const scope = res.role === 'producer' ? 'applies to all callers' : `applies to callers in ${route.namespace}`;
    // A route that lost the kind conflict on every port it binds has no effect either.
    const b = res.service ? serviceBindings(ws, res.service) : undefined;
    const lost =
      b !== undefined &&
      res.ports.length > 0 &&
      res.ports.every((p) => {
        const pb = b.ports.find((x) => x.port === p);
        const g = res.role === 'producer' ? pb?.producer : pb?.consumers.get(route.namespace);
        return g?.conflicted.some((a) => a.route === route) ?? false;
      });
    if (lost) out.push({ span, title: `no effect: loses the route kind conflict on ${target}:${ports}`, action });
    else out.push({ span, title: `${res.role} route for ${target}:${ports} · ${scope}`, action });
  }
  return out;
}

/** Every lens of a file. */
export function getCodeLenses(ws: Workspace, path: string): Lens[] {
  const file = ws.file(path);
  if (!file) return [];
  const out: Lens[] = [];
  for (const o of file.objects) {
    if (isService(o)) out.push(...serviceLens(ws, o));
    else if (isRoute(o)) out.push(...routeLenses(ws, o));
  }
  // Titles name routes and Services from the file: keep a hostile name from making a lens megabytes long.
  return out.map((l) => (l.title.length > 1024 ? { ...l, title: clip(l.title, 1024) } : l));
}

/** One line about the route or Service under `offset`, for a status item. */
export function roleAt(ws: Workspace, path: string, offset: number): string | undefined {
  const o = objectAt(ws, path, offset);
  if (!o) return undefined;
  if (isService(o)) return serviceLensTitle(ws, o) ?? `Service ${o.namespace}/${o.name}: no mesh routes`;
  if (isRoute(o)) {
    const titles = routeLenses(ws, o).map((l) => l.title);
    return titles.length ? titles.join(' | ') : `${o.kind} ${o.namespace}/${o.name}: no Service parents`;
  }
  return undefined;
}
