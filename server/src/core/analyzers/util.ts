/** Helpers shared by analyzers. */
import type { ServiceObject } from '../model/types';
import type { Fix, Finding, RelatedLocation, Severity } from './types';
import type { Span } from '../text';
import type { Workspace } from '../index/snapshot';

export function finding(
  code: string,
  severity: Severity,
  file: string,
  span: Span,
  message: string,
  extra: { related?: RelatedLocation[]; data?: Record<string, unknown>; fixes?: Fix[] } = {},
): Finding {
  return { code, severity, file, span, message, related: extra.related ?? [], data: extra.data, fixes: extra.fixes ?? [] };
}

/** Levenshtein distance, stopping early above `max`. */
export function editDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/** The candidates one edit away from `name` (or the closest within two edits for long names). */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = name.length > 6 ? 2 : 1;
  for (const c of candidates) {
    if (c === name) continue;
    const d = editDistance(name, c, bestD);
    if (d <= bestD && (best === undefined || d < bestD)) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

/** Quotes a YAML plain value only when needed. */
export function yamlScalar(value: string): string {
  return value === '' || /[:#{}[\],&*!|>'"%@`]|^\s|\s$|^(true|false|null|yes|no|on|off|~|\d+)$/i.test(value) ? JSON.stringify(value) : value;
}

/** The related location of a Service (its name), when it is in the workspace. */
export function serviceRelated(svc: ServiceObject | undefined, message?: string): RelatedLocation[] {
  return svc?.nameField ? [{ file: svc.file, span: svc.nameField.span, message: message ?? `Service ${svc.namespace}/${svc.name}` }] : [];
}

/** `to` relative to the folder of `from` (POSIX paths), for messages that name another file. */
export function relativeTo(from: string, to: string): string {
  const a = from.split('/').slice(0, -1);
  const b = to.split('/');
  let i = 0;
  while (i < a.length && i < b.length - 1 && a[i] === b[i]) i++;
  const up = a.length - i;
  const rest = b.slice(i).join('/');
  return up === 0 ? `./${rest}` : `${'../'.repeat(up)}${rest}`;
}

/** How many namespaces a hint names before it only counts the rest. */
const NAMESPACES_NAMED = 5;

function joinNamespaces(list: readonly string[]): string {
  if (list.length <= NAMESPACES_NAMED) return list.join(', ');
  return `${list.slice(0, NAMESPACES_NAMED).join(', ')} and ${list.length - NAMESPACES_NAMED} more`;
}

/**
 * The namespaces other than `except` holding a Service named `name`, sorted and joined with `, `
 * ('' when none), for "exists in namespace ..." hints; past five, the rest are counted ("and 115
 * more"): a common name can be in hundreds of namespaces, and a message is read in a hover. Built
 * once per snapshot and name, since many refs may miss the same name.
 */
export function otherNamespacesWithService(ws: Workspace, name: string, except: string): string {
  const sorted = ws.derived('analyzers:sortedNamespacesByName', () => new Map<string, { list: readonly string[]; joined: string; has: ReadonlySet<string> }>());
  let entry = sorted.get(name);
  if (!entry) {
    const list = [...(ws.serviceNamespacesByName().get(name) ?? [])].sort();
    sorted.set(name, (entry = { list, joined: joinNamespaces(list), has: new Set(list) }));
  }
  // `except` is usually the namespace where the Service was not found, so it is not in the list.
  return entry.has.has(except) ? joinNamespaces(entry.list.filter((ns) => ns !== except)) : entry.joined;
}
