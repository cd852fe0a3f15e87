/**
 * Completion inside `parentRefs` and `backendRefs` entries: Service names, namespaces, ports and
 * sectionNames, plus a `group: "" / kind: Service` snippet. Works on the text around the cursor, so
 * it keeps working while the YAML is half typed.
 */
import type { Workspace } from '../index/snapshot';
import type { Span } from '../text';
import { objectAt } from './locate';

export interface CompletionEntry {
  readonly label: string;
  readonly kind: 'service' | 'namespace' | 'port' | 'value' | 'snippet' | 'key';
  readonly insertText: string;
  /** `insertText` is an LSP snippet (`${1}` placeholders). */
  readonly snippet?: boolean;
  readonly detail?: string;
  /** The text the entry replaces. */
  readonly replace: Span;
  readonly sortText?: string;
}

interface Line {
  readonly start: number;
  readonly text: string;
  readonly indent: number;
}

function lineAt(text: string, offset: number): Line {
  let s = offset;
  while (s > 0 && text[s - 1] !== '\n' && text[s - 1] !== '\r') s--;
  let e = offset;
  while (e < text.length && text[e] !== '\n' && text[e] !== '\r') e++;
  const t = text.slice(s, e);
  return { start: s, text: t, indent: t.length - t.trimStart().length };
}

function previousLine(text: string, line: Line): Line | undefined {
  if (line.start === 0) return undefined;
  let end = line.start - 1;
  if (text[end] === '\n' && text[end - 1] === '\r') end--;
  return lineAt(text, end);
}

function nextLine(text: string, line: Line): Line | undefined {
  let e = line.start + line.text.length;
  if (e >= text.length) return undefined;
  if (text[e] === '\r') e++;
  if (text[e] === '\n') e++;
  return lineAt(text, e);
}

interface EntryContext {
  readonly list: 'parentRefs' | 'backendRefs';
  /** Sibling keys of the entry and their values as written. */
  readonly siblings: ReadonlyMap<string, string>;
}

/** Finds the `parentRefs`/`backendRefs` entry the cursor line belongs to, from indentation alone. */
function entryContext(text: string, offset: number): EntryContext | undefined {
  const cur = lineAt(text, offset);
  // The column of the entry's keys: after a `- ` on this line, else this line's indentation.
  const dash = /^(\s*)-\s+/.exec(cur.text);
  let keyCol = dash ? dash[0].length : cur.indent;
  let dashLine: Line | undefined = dash ? cur : undefined;
  if (!dashLine) {
    if (!cur.text.trim()) keyCol = offset - cur.start;
    for (let l = previousLine(text, cur); l; l = previousLine(text, l)) {
      if (!l.text.trim() || l.text.trimStart().startsWith('#')) continue;
      const m = /^(\s*)-\s+/.exec(l.text);
      if (m && m[0].length === keyCol) {
        dashLine = l;
        break;
      }
      if (l.indent < keyCol && !(m && m[0].length === keyCol)) {
        if (l.text.trim() === '-' && l.indent < keyCol) dashLine = l;
        break;
      }
    }
  }
  if (!dashLine) return undefined;
  // The key that owns the sequence: the nearest line above the dash with a smaller indentation,
  // or equal indentation for sequences written flush with their key.
  let owner: string | undefined;
  for (let l = previousLine(text, dashLine); l; l = previousLine(text, l)) {
    if (!l.text.trim() || l.text.trimStart().startsWith('#')) continue;
    if (/^\s*-/.test(l.text) && l.indent === dashLine.indent) continue;
    if (l.indent <= dashLine.indent) {
      const m = /([A-Za-z]+)\s*:\s*(#.*)?$/.exec(l.text);
      owner = m?.[1];
      break;
    }
  }
  if (owner !== 'parentRefs' && owner !== 'backendRefs') return undefined;
  const siblings = new Map<string, string>();
  const collect = (l: Line, col: number): void => {
    const m = /^([A-Za-z]+)\s*:\s*(.*)$/.exec(l.text.slice(col));
    if (m) siblings.set(m[1]!, m[2]!.replace(/\s+#.*$/, '').trim().replace(/^["']|["']$/g, ''));
  };
  const dashCol = /^(\s*)-\s+/.exec(dashLine.text)?.[0].length ?? dashLine.indent + 2;
  collect(dashLine, dashCol);
  for (let l = nextLine(text, dashLine); l; l = nextLine(text, l)) {
    if (!l.text.trim()) continue;
    if (l.indent < dashCol) break;
    if (l.indent === dashCol) collect(l, dashCol);
  }
  return { list: owner, siblings };
}

/** Completion entries at `offset`. */
export function getCompletions(ws: Workspace, path: string, text: string, offset: number): CompletionEntry[] {
  const ctx = entryContext(text, offset);
  if (!ctx) return [];
  const cur = lineAt(text, offset);
  const before = text.slice(cur.start, offset);
  const obj = objectAt(ws, path, offset);
  const routeNs = obj?.namespace || ws.options.defaultNamespace;
  const keyMatch = /^(\s*(?:-\s+)?)([A-Za-z]+)\s*:\s*(["']?)([^"'#]*)$/.exec(before);
  const out: CompletionEntry[] = [];
  if (!keyMatch) {
    // At a key position: offer the snippet and the keys.
    const word = /[A-Za-z]*$/.exec(before)![0];
    const replace = { start: offset - word.length, end: offset };
    if (!/^\s*(-\s+)?[A-Za-z]*$/.test(before)) return [];
    const indent = ' '.repeat(before.length - word.length);
    const svcNames = [...ws.services()].filter((s) => s.namespace === (ctx.siblings.get('namespace') || routeNs)).map((s) => s.name);
    const choice = svcNames.length ? `\${1|${svcNames.map((n) => n.replace(/[,|$}\\]/g, '')).join(',')}|}` : '${1:name}';
    const nl = `\n${indent}`;
    out.push({
      label: ctx.list === 'parentRefs' ? 'Service parentRef (group: "", kind: Service)' : 'Service backendRef',
      kind: 'snippet',
      snippet: true,
      insertText: ctx.list === 'parentRefs' ? `group: ""${nl}kind: Service${nl}name: ${choice}${nl}port: \${2:80}` : `kind: Service${nl}name: ${choice}${nl}port: \${2:80}`,
      replace,
      sortText: '0',
    });
    const keys = ctx.list === 'parentRefs' ? ['group', 'kind', 'name', 'namespace', 'port', 'sectionName'] : ['group', 'kind', 'name', 'namespace', 'port', 'weight'];
    for (const k of keys) if (!ctx.siblings.has(k)) out.push({ label: k, kind: 'key', insertText: `${k}: `, replace, sortText: `1${k}` });
    return out;
  }
  const key = keyMatch[2]!;
  const typed = keyMatch[4]!;
  const replace = { start: offset - typed.length, end: offset };
  const ns = ctx.siblings.get('namespace') || routeNs;
  const svcName = ctx.siblings.get('name');
  const svc = svcName ? ws.service(ns, svcName) : undefined;
  switch (key) {
    case 'name': {
      for (const s of ws.services()) {
        if (s.namespace !== ns) continue;
        out.push({ label: s.name, kind: 'service', insertText: s.name, detail: `Service ${s.namespace}/${s.name}`, replace });
      }
      // Services of other namespaces also complete, with their namespace in the detail.
      for (const s of ws.services()) {
        if (s.namespace === ns) continue;
        out.push({ label: s.name, kind: 'service', insertText: s.name, detail: `Service ${s.namespace}/${s.name} (set namespace: ${s.namespace})`, replace, sortText: `z${s.name}` });
      }
      break;
    }
    case 'namespace': {
      const seen = new Set<string>();
      for (const s of ws.services()) seen.add(s.namespace);
      for (const o of ws.objects()) if (o.kind === 'Namespace') seen.add(o.name);
      for (const n of [...seen].sort()) out.push({ label: n, kind: 'namespace', insertText: n, replace });
      break;
    }
    case 'port':
      for (const p of svc?.ports ?? []) {
        if (p.port === undefined) continue;
        out.push({ label: String(p.port.value), kind: 'port', insertText: String(p.port.value), detail: p.name ? `port ${p.name.value}` : 'port', replace });
      }
      break;
    case 'sectionName':
      if (ctx.list !== 'parentRefs') break;
      for (const p of svc?.ports ?? []) {
        if (!p.name) continue;
        out.push({ label: p.name.value, kind: 'port', insertText: p.name.value, detail: `port ${String(p.port?.value)}`, replace });
      }
      break;
    case 'group':
      out.push({ label: '""', kind: 'value', insertText: keyMatch[3] ? '' : '""', detail: 'the core API group (Service)', replace });
      break;
    case 'kind':
      out.push({ label: 'Service', kind: 'value', insertText: 'Service', replace });
      if (ctx.list === 'parentRefs') out.push({ label: 'Gateway', kind: 'value', insertText: 'Gateway', replace });
      break;
  }
  return out;
}
