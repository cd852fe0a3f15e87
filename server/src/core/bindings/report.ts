/**
 * The `bindings` report (CONTRACT §4): JSON per Service and port, and a Mermaid flowchart of
 * Gateways, routes and Services in the spirit of the seed article's diagrams.
 */
import { buildGraph } from '../graph/model';
import type { GraphScope } from '../graph/model';
import { graphMermaid } from '../graph/mermaid';
import type { Workspace } from '../index/snapshot';
import { objectId } from '../model/types';
import type { ServiceObject } from '../model/types';
import { serviceBindings } from './effective';
import type { RouteGroup } from './effective';

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

/** A Mermaid flowchart of the binding graph (see `graph/mermaid.ts`), for the whole workspace or one scope. */
export function bindingsMermaid(ws: Workspace, scope: GraphScope = {}): string {
  return graphMermaid(buildGraph(ws, scope));
}
