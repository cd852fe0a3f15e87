/**
 * Hover texts (CONTRACT §5): on a parentRef entry, the role, target, bound ports, caller scope and
 * the other routes of the same effective set, or why it binds nothing; on a backendRef, the target
 * and whether it is overridden; on a Service name, a binding summary per port.
 */
import { serviceBindings } from '../bindings/effective';
import type { RouteGroup } from '../bindings/effective';
import { resolveRoute } from '../bindings/resolve';
import type { ParentResolution } from '../bindings/resolve';
import type { Workspace } from '../index/snapshot';
import { intValue } from '../model/extract';
import { objectId } from '../model/types';
import type { BackendRefNode, RouteObject, ServiceObject } from '../model/types';
import type { Span } from '../text';
import { boundRoutes, namespaceProvenance, portLabel, unboundReasonText } from './describe';
import { backendTarget, locate } from './locate';
import { code, escapeMarkdown } from './markdown';

export interface HoverResult {
  /** Markdown. */
  readonly markdown: string;
  readonly span: Span;
}

function routeLabel(r: RouteObject): string {
  return code(objectId(r));
}

function groupOf(res: ParentResolution, port: ServiceObject['ports'][number], ws: Workspace): RouteGroup | null | undefined {
  if (!res.service) return undefined;
  const pb = serviceBindings(ws, res.service).ports.find((p) => p.port === port);
  if (!pb) return undefined;
  return res.role === 'producer' ? pb.producer : (pb.consumers.get(res.route.namespace) ?? null);
}

function parentRefHover(ws: Workspace, route: RouteObject, index: number): string {
  const res = resolveRoute(ws, route)[index];
  if (!res) return '';
  const target = code(`${res.namespace}/${res.name}`);
  const lines: string[] = [];
  const routeNs = `route namespace ${code(route.namespace)} (${namespaceProvenance(ws, route)})`;
  if (res.target === 'gateway') {
    const found = ws.lookup('Gateway', res.namespace, res.name).length > 0;
    lines.push(`**gateway** parentRef: ${routeLabel(route)} attaches to Gateway ${target}${found ? '' : ' (not in the workspace)'}.`);
    lines.push('', 'North-south traffic entering through the Gateway; mesh callers are not affected by this ref.');
    lines.push('', routeNs);
    return lines.join('\n');
  }
  if (res.target !== 'service') {
    lines.push(`parentRef to ${escapeMarkdown(res.ref.kind?.value ?? 'Gateway')} ${target}: not a Service or Gateway, so gamma-lens does not resolve it.`);
    return lines.join('\n');
  }
  const roleText = res.role === 'producer' ? '**producer** route' : '**consumer** route';
  if (!res.binds) {
    lines.push(`${roleText} parentRef to Service ${target}: **binds nothing**.`);
    lines.push('', `Why: ${escapeMarkdown(unboundReasonText(res))}`);
    lines.push('', routeNs);
    return lines.join('\n');
  }
  const ports = res.ports.map((p) => code(portLabel(p))).join(', ');
  lines.push(`${roleText} for Service ${target}, port${res.ports.length === 1 ? '' : 's'} ${ports}.`);
  lines.push('');
  if (res.role === 'producer') {
    const consumerNs = new Set<string>();
    if (res.service) for (const pb of serviceBindings(ws, res.service).ports) if (res.ports.includes(pb.port)) for (const ns of pb.consumers.keys()) consumerNs.add(ns);
    const except = [...consumerNs].sort().map(code).join(', ');
    lines.push(
      consumerNs.size
        ? `Applies to **all callers** of ${target} except callers in ${except}, whose consumer routes replace it.`
        : `Applies to **all callers** of ${target} (a namespace with its own consumer routes for a port would use those instead).`,
    );
  } else {
    lines.push(`Applies only to callers in namespace ${code(route.namespace)}; for them it replaces the producer routes of ${target}.`);
  }
  if (res.sectionNameIgnored) lines.push('', `This implementation (${escapeMarkdown(ws.options.implementation)}) ignores \`sectionName\`.`);
  for (const p of res.ports) {
    const g = groupOf(res, p, ws);
    if (!g) continue;
    const conflicted = g.conflicted.some((a) => a.route === route);
    const others = g.routes.filter((a) => a.route !== route).map((a) => routeLabel(a.route));
    const label = `port ${code(portLabel(p))}`;
    if (conflicted) {
      lines.push('', `${label}: **does not apply**: a ${escapeMarkdown(g.kind)} binds the same port and wins the route kind conflict (${g.routes.map((a) => routeLabel(a.route)).join(', ')}).`);
    } else if (others.length) {
      lines.push('', `${label}: same effective set as ${others.join(', ')} (${g.routes.length} ${escapeMarkdown(g.kind)}s merged in route order).`);
    } else {
      lines.push('', `${label}: the only route of its effective set.`);
    }
  }
  lines.push('', routeNs);
  return lines.join('\n');
}

function backendRefHover(ws: Workspace, route: RouteObject, ref: BackendRefNode): string {
  const t = backendTarget(route, ref);
  if (!t) {
    const kind = ref.kind?.value ?? 'Service';
    const group = ref.group?.value ?? '';
    return `backendRef to ${escapeMarkdown(group ? `${group}/${kind}` : kind)} ${code(ref.name?.value ?? '')}: not a core Service.`;
  }
  const target = code(`${t.namespace}/${t.name}`);
  const port = intValue(ref.port?.value);
  const svc = ws.service(t.namespace, t.name);
  const lines: string[] = [];
  lines.push(`${ref.mirror ? 'mirror ' : ''}backendRef to Service ${target}${port !== undefined ? `, port ${code(String(port))}` : ' (no port)'}.`);
  if (!svc) {
    lines.push('', 'The Service is not in the workspace.');
    return lines.join('\n');
  }
  const sp = svc.ports.find((p) => p.port?.value === port);
  if (port !== undefined && !sp) lines.push('', `The Service has no port ${code(String(port))}.`);
  const b = serviceBindings(ws, svc);
  const { producer, consumer } = boundRoutes(b);
  if (producer.length + consumer.length === 0) {
    lines.push('', `${target} is **not overridden**: requests go to its endpoints.`);
  } else {
    // The caller is the Gateway for a Gateway-bound route (its proxies run in the Gateway's namespace), else the route's namespace.
    const gateway = route.parentRefs.find((p) => (p.kind?.value ?? 'Gateway') === 'Gateway');
    const from = gateway ? (gateway.namespace?.value ?? route.namespace) : route.namespace;
    const pb = b.ports.find((p) => p.port === sp) ?? b.ports[0];
    const applying = pb ? (pb.consumers.get(from) ?? pb.producer) : null;
    lines.push('', `${target} is **itself overridden** by ${[...producer, ...consumer].map(routeLabel).join(', ')}.`);
    const who = gateway ? `the Gateway (namespace ${code(from)})` : `callers in ${code(from)}`;
    if (applying) lines.push('', `Requests from ${who} sent here are routed again by ${applying.routes.map((a) => routeLabel(a.route)).join(', ')}.`);
    else lines.push('', `Requests from ${who} sent here are not rerouted: no route applies to them on this port.`);
  }
  return lines.join('\n');
}

function serviceHover(ws: Workspace, svc: ServiceObject): string {
  const b = serviceBindings(ws, svc);
  const lines: string[] = [`Service ${code(`${svc.namespace}/${svc.name}`)} (namespace ${namespaceProvenance(ws, svc)})`];
  if (ws.service(svc.namespace, svc.name) !== svc) lines.push('', 'This is a second definition: the first by file path is used.');
  for (const pb of b.ports) {
    const parts: string[] = [];
    const everyone = pb.consumers.size ? 'other callers' : 'all callers';
    parts.push(pb.producer ? `${everyone} → ${pb.producer.routes.map((a) => routeLabel(a.route)).join(', ')}` : `${everyone} → its endpoints (no producer route)`);
    for (const [ns, g] of pb.consumers) parts.push(`callers in ${code(ns)} → ${g.routes.map((a) => routeLabel(a.route)).join(', ')}`);
    lines.push('', `- port ${code(portLabel(pb.port))}: ${parts.join('; ')}`);
  }
  if (b.ports.length === 0) lines.push('', 'No ports: no route can bind it.');
  return lines.join('\n');
}

/** The hover at `offset` of `path`, or undefined when there is nothing to say. */
export function getHover(ws: Workspace, path: string, offset: number): HoverResult | undefined {
  const at = locate(ws, path, offset);
  if (!at) return undefined;
  switch (at.type) {
    case 'parentRef': {
      const markdown = parentRefHover(ws, at.route, at.route.parentRefs.indexOf(at.ref));
      return markdown ? { markdown, span: at.ref.span } : undefined;
    }
    case 'backendRef':
      return { markdown: backendRefHover(ws, at.route, at.ref), span: at.ref.span };
    case 'serviceName':
      return { markdown: serviceHover(ws, at.service), span: at.service.nameField!.span };
    default:
      return undefined;
  }
}
