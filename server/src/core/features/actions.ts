/**
 * Code actions in core terms: route generators (producer route for a Service, consumer route for a
 * backendRef's callers) and the quick fixes the analyzers attach to findings.
 */
import type { Finding, TextEdit } from '../analyzers/types';
import type { Workspace } from '../index/snapshot';
import { intValue } from '../model/extract';
import type { ServiceObject, ServicePort } from '../model/types';
import type { Span } from '../text';
import { yamlScalar } from '../analyzers/util';
import { backendTarget, locate } from './locate';

export interface CodeAction {
  readonly title: string;
  readonly kind: 'quickfix' | 'refactor';
  readonly edits: readonly TextEdit[];
  readonly preferred?: boolean;
  /** For quick fixes: the finding they fix. */
  readonly finding?: Finding;
}

/** How a file lays out YAML: indentation unit, whether sequences are indented under their key, line ending. */
export interface YamlStyle {
  readonly indent: string;
  readonly indentSequences: boolean;
  readonly eol: string;
}

export function detectStyle(text: string): YamlStyle {
  const eol = /\r\n/.test(text) ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  let unit = 0;
  let indentSequences: boolean | undefined;
  for (let i = 0; i + 1 < lines.length; i++) {
    const cur = lines[i]!;
    const next = lines[i + 1]!;
    if (!/^\s*[^\s#-][^:]*:\s*(#.*)?$/.test(cur)) continue;
    const ci = cur.length - cur.trimStart().length;
    const ni = next.length - next.trimStart().length;
    if (!next.trim()) continue;
    if (next.trimStart().startsWith('- ') || next.trim() === '-') {
      if (indentSequences === undefined) indentSequences = ni > ci;
      if (ni > ci && !unit) unit = ni - ci;
    } else if (ni > ci && !unit) {
      unit = ni - ci;
    }
    if (unit && indentSequences !== undefined) break;
  }
  return { indent: ' '.repeat(unit || 2), indentSequences: indentSequences ?? true, eol };
}

/** A name not used by any HTTPRoute in `namespace`: `base`, `base-2`, ... */
export function uniqueRouteName(ws: Workspace, namespace: string, base: string): string {
  const taken = (n: string): boolean => ws.lookup('HTTPRoute', namespace, n).length > 0;
  if (!taken(base)) return base;
  for (let i = 2; ; i++) if (!taken(`${base}-${i}`)) return `${base}-${i}`;
}

interface RouteSpec {
  readonly name: string;
  /** Written as metadata.namespace when set. */
  readonly namespace?: string;
  readonly parent: { readonly name: string; readonly namespace?: string; readonly port?: number };
  readonly backend: { readonly name: string; readonly namespace?: string; readonly port?: number };
}

/** An HTTPRoute document (without the leading `---`) in the file's style. */
export function renderRoute(spec: RouteSpec, style: YamlStyle): string {
  const i = style.indent;
  const seq = (level: number): string => (style.indentSequences ? i.repeat(level + 1) : i.repeat(level));
  const out: string[] = ['apiVersion: gateway.networking.k8s.io/v1', 'kind: HTTPRoute', 'metadata:', `${i}name: ${yamlScalar(spec.name)}`];
  if (spec.namespace) out.push(`${i}namespace: ${yamlScalar(spec.namespace)}`);
  out.push('spec:', `${i}parentRefs:`);
  const p = seq(1);
  const pk = `${p}  `;
  out.push(`${p}- group: ""`, `${pk}kind: Service`, `${pk}name: ${yamlScalar(spec.parent.name)}`);
  if (spec.parent.namespace) out.push(`${pk}namespace: ${yamlScalar(spec.parent.namespace)}`);
  if (spec.parent.port !== undefined) out.push(`${pk}port: ${spec.parent.port}`);
  out.push(`${i}rules:`);
  const r = seq(1);
  const rk = `${r}  `;
  out.push(`${r}- backendRefs:`);
  const b = style.indentSequences ? `${rk}${i}` : rk;
  const bk = `${b}  `;
  out.push(`${b}- name: ${yamlScalar(spec.backend.name)}`);
  if (spec.backend.namespace) out.push(`${bk}namespace: ${yamlScalar(spec.backend.namespace)}`);
  if (spec.backend.port !== undefined) out.push(`${bk}port: ${spec.backend.port}`);
  return out.join(style.eol) + style.eol;
}

/** An edit that appends a `---` document at the end of a file. */
export function appendDocument(file: string, text: string, doc: string, eol: string): TextEdit {
  let prefix = '';
  if (text.length && !text.endsWith('\n') && !text.endsWith('\r')) prefix = eol;
  const body = text.trim().length ? `${prefix}---${eol}${doc}` : doc;
  return { file, span: { start: text.length, end: text.length }, newText: body };
}

function portsOf(svc: ServiceObject): ServicePort[] {
  return svc.ports.filter((p) => p.port !== undefined);
}

/**
 * `Create producer HTTPRoute for <ns>/<name>`: a new document at the end of the Service's file with
 * a route in the Service's namespace that binds `port` and forwards everything to the same Service
 * and port, so applying it changes no traffic. One action per port when the Service has several.
 */
export function producerRouteActions(ws: Workspace, svc: ServiceObject, onlyPort?: number): CodeAction[] {
  const file = ws.file(svc.file);
  if (!file) return [];
  const style = detectStyle(file.text);
  const ports = portsOf(svc).filter((p) => onlyPort === undefined || p.port!.value === onlyPort);
  const several = portsOf(svc).length > 1;
  const out: CodeAction[] = [];
  for (const p of ports) {
    const port = p.port!.value;
    const base = several ? `${svc.name}-${p.name?.value ?? port}-producer` : `${svc.name}-producer`;
    const name = uniqueRouteName(ws, svc.namespace, base);
    const doc = renderRoute(
      { name, namespace: svc.metadataNamespace ? svc.namespace : undefined, parent: { name: svc.name, port }, backend: { name: svc.name, port } },
      style,
    );
    out.push({
      title: `Create producer HTTPRoute for ${svc.namespace}/${svc.name}${several ? ` (port ${port})` : ''}`,
      kind: 'refactor',
      edits: [appendDocument(svc.file, file.text, doc, style.eol)],
    });
  }
  return out;
}

/** `Create consumer HTTPRoute for callers in <ns>`: for a backendRef from a route in another namespace than its Service. */
export function consumerRouteActions(ws: Workspace, routeFile: string, routeNamespace: string, svc: ServiceObject, port: number | undefined): CodeAction[] {
  const file = ws.file(routeFile);
  if (!file || routeNamespace === svc.namespace) return [];
  const style = detectStyle(file.text);
  const p = port ?? (portsOf(svc).length === 1 ? portsOf(svc)[0]!.port!.value : undefined);
  if (p === undefined) return [];
  const name = uniqueRouteName(ws, routeNamespace, `${svc.name}-consumer`);
  const doc = renderRoute(
    { name, namespace: routeNamespace, parent: { name: svc.name, namespace: svc.namespace, port: p }, backend: { name: svc.name, namespace: svc.namespace, port: p } },
    style,
  );
  return [{ title: `Create consumer HTTPRoute for ${svc.namespace}/${svc.name} for callers in ${routeNamespace}`, kind: 'refactor', edits: [appendDocument(routeFile, file.text, doc, style.eol)] }];
}

/** Route generators offered at `span` of `path`. */
export function routeGeneratorActions(ws: Workspace, path: string, span: Span): CodeAction[] {
  const at = locate(ws, path, span.start);
  if (!at) return [];
  if (at.type === 'service' || at.type === 'serviceName') return producerRouteActions(ws, at.service);
  if (at.type === 'backendRef') {
    const t = backendTarget(at.route, at.ref);
    const svc = t && ws.service(t.namespace, t.name);
    if (!svc) return [];
    const port = intValue(at.ref.port?.value);
    const hasPort = port !== undefined && svc.ports.some((p) => p.port?.value === port);
    return [...producerRouteActions(ws, svc, hasPort ? port : undefined), ...consumerRouteActions(ws, path, at.route.namespace, svc, hasPort ? port : undefined)];
  }
  return [];
}

/**
 * Quick fixes for findings given by code and span (as the editor sends diagnostics back), looked up
 * in the file's current findings (`analyzeFile` of the snapshot). Result `i` holds the fixes of `wanted[i]`.
 */
export function quickFixes(findings: readonly Finding[], wanted: ReadonlyArray<{ code: string; span: Span }>): CodeAction[][] {
  return wanted.map(({ code, span }) => {
    const same = findings.filter((f) => f.code === code);
    const exact = same.filter((f) => f.span.start === span.start && f.span.end === span.end);
    const chosen = exact.length ? exact : same.filter((f) => f.span.start <= span.end && span.start <= f.span.end);
    const out: CodeAction[] = [];
    for (const f of chosen) for (const fix of f.fixes) out.push({ title: fix.title, kind: 'quickfix', edits: fix.edits, preferred: fix.preferred, finding: f });
    return out;
  });
}

/** Service ports written where a port number is expected, for tests and completion. */
export function servicePortNumbers(svc: ServiceObject): number[] {
  return portsOf(svc).map((p) => p.port!.value);
}
