/** Definition, references and symbols, in file paths and spans. */
import type { Workspace } from '../index/snapshot';
import { isRoute, isService } from '../model/types';
import type { K8sObject } from '../model/types';
import type { Span } from '../text';
import { backendTarget, locate } from './locate';

export interface FileSpan {
  readonly file: string;
  readonly span: Span;
}

function nameSpan(o: K8sObject): FileSpan {
  return { file: o.file, span: o.nameField?.span ?? o.span };
}

/** The Service (or Gateway) a parentRef/backendRef entry at `offset` names. */
export function findDefinition(ws: Workspace, path: string, offset: number): FileSpan[] {
  const at = locate(ws, path, offset);
  if (!at) return [];
  if (at.type === 'parentRef') {
    const ref = at.ref;
    if (!ref.name) return [];
    const ns = ref.namespace?.value ?? at.route.namespace;
    const kind = ref.kind?.value ?? 'Gateway';
    const lookupKind = kind === 'Service' || kind === 'ServiceImport' ? kind : 'Gateway';
    return ws.lookup(lookupKind, ns, ref.name.value).map(nameSpan);
  }
  if (at.type === 'backendRef') {
    const t = backendTarget(at.route, at.ref);
    return t ? ws.lookup('Service', t.namespace, t.name).map(nameSpan) : [];
  }
  return [];
}

/** The Service a position is about: its own name/document, or the target of a ref. */
function serviceAt(ws: Workspace, path: string, offset: number): { namespace: string; name: string } | undefined {
  const at = locate(ws, path, offset);
  if (!at) return undefined;
  if (at.type === 'serviceName' || at.type === 'service') return { namespace: at.service.namespace, name: at.service.name };
  if (at.type === 'parentRef') {
    if (at.ref.kind?.value !== 'Service' || !at.ref.name) return undefined;
    return { namespace: at.ref.namespace?.value ?? at.route.namespace, name: at.ref.name.value };
  }
  if (at.type === 'backendRef') return backendTarget(at.route, at.ref);
  return undefined;
}

/** Every parentRef and backendRef naming the Service at `offset` (their `name` values), plus its definitions if asked. */
export function findReferences(ws: Workspace, path: string, offset: number, includeDeclaration: boolean): FileSpan[] {
  const t = serviceAt(ws, path, offset);
  if (!t) return [];
  const out: FileSpan[] = [];
  if (includeDeclaration) out.push(...ws.lookup('Service', t.namespace, t.name).map(nameSpan));
  for (const r of ws.referencesTo(t.namespace, t.name)) {
    const node = r.parentRef ?? r.backendRef;
    if (!node) continue;
    out.push({ file: r.route.file, span: node.name?.span ?? node.span });
  }
  return out.sort((a, b) => (a.file !== b.file ? (a.file < b.file ? -1 : 1) : a.span.start - b.span.start));
}

export interface SymbolInfo {
  /** `Kind namespace/name`. */
  readonly name: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly file: string;
  /** The whole document. */
  readonly span: Span;
  /** The name, for selection. */
  readonly selection: Span;
  /** Ports of a Service, parentRefs and backendRefs of a route. */
  readonly children?: readonly SymbolInfo[];
}

function childSymbols(o: K8sObject | undefined, path: string): SymbolInfo[] | undefined {
  if (!o) return undefined;
  const child = (name: string, kind: string, span: Span, selection?: Span): SymbolInfo => ({ name, kind, file: path, span, selection: selection ?? span });
  if (isService(o)) return o.ports.map((p) => child(`port ${String(p.port?.value ?? '?')}${p.name ? ` (${p.name.value})` : ''}`, 'port', p.span, p.port?.span));
  if (isRoute(o)) {
    const out: SymbolInfo[] = [];
    for (const p of o.parentRefs) {
      const ns = p.namespace?.value ?? o.namespace;
      const port = p.port ? `:${String(p.port.value)}` : p.sectionName ? `/${p.sectionName.value}` : '';
      out.push(child(`parentRef ${p.kind?.value ?? 'Gateway'} ${ns}/${p.name?.value ?? '?'}${port}`, 'parentRef', p.span, p.name?.span));
    }
    for (const b of o.backendRefs) {
      const ns = b.namespace?.value ?? o.namespace;
      out.push(child(`${b.mirror ? 'mirror ' : ''}backendRef ${ns}/${b.name?.value ?? '?'}${b.port ? `:${String(b.port.value)}` : ''}`, 'backendRef', b.span, b.name?.span));
    }
    return out;
  }
  return undefined;
}

/** One symbol per `---` document (kind, namespace, name). */
export function documentSymbols(ws: Workspace, path: string): SymbolInfo[] {
  const file = ws.file(path);
  if (!file) return [];
  const out: SymbolInfo[] = [];
  for (const d of file.documents) {
    if (!d.kind) continue;
    const obj = file.objects.find((o) => o.docIndex === d.index);
    const namespace = obj?.namespace || d.namespace;
    const name = obj?.name ?? d.name ?? '';
    const selection = obj?.nameField?.span ?? d.span;
    out.push({ name: `${d.kind} ${namespace ? `${namespace}/` : ''}${name}`, kind: d.kind, namespace, file: path, span: d.span, selection, children: childSymbols(obj, path) });
  }
  return out;
}

/** Objects whose `namespace/name` contains the query (case-insensitive), at most `limit`. */
export function workspaceSymbols(ws: Workspace, query: string, limit = 500): SymbolInfo[] {
  const q = query.toLowerCase();
  const out: SymbolInfo[] = [];
  for (const o of ws.objects()) {
    if (o.kind === 'Kustomization') continue;
    const full = o.namespace ? `${o.namespace}/${o.name}` : o.name;
    if (q && !`${o.kind} ${full}`.toLowerCase().includes(q)) continue;
    out.push({ name: `${o.kind} ${full}`, kind: o.kind, namespace: o.namespace || undefined, file: o.file, span: o.span, selection: o.nameField?.span ?? o.span });
    if (out.length >= limit) break;
  }
  return out;
}
