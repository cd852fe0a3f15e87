import { GATEWAY_GROUP, isRoute } from '../model/types';
import type { K8sObject, RouteObject } from '../model/types';
import type { Span } from '../text';
import type { Analyzer, Finding, Fix } from './types';
import { finding } from './util';

type Status = 'deprecated' | 'experimental-only' | 'not-served';

/** Gateway API v1.6 (digest §1): versions of each route kind that are not plain standard-channel `v1`. */
const TABLE: Readonly<Record<string, Readonly<Record<string, { status: Status; note: string }>>>> = {
  HTTPRoute: {
    v1beta1: { status: 'deprecated', note: 'HTTPRoute v1beta1 is deprecated (still served by the standard CRDs); v1 is the storage version since v1.1.0' },
    v1alpha2: { status: 'not-served', note: 'HTTPRoute v1alpha2 is no longer served' },
  },
  GRPCRoute: {
    v1alpha2: { status: 'not-served', note: 'GRPCRoute v1alpha2 is no longer served: v1.1.0 moved GRPCRoute to v1 in the standard channel, and since v1.2.0 the CRDs serve v1 only' },
  },
  TLSRoute: {
    v1alpha2: { status: 'experimental-only', note: 'TLSRoute v1alpha2 is deprecated and served only by the experimental CRDs; TLSRoute is v1 in the standard channel since v1.5.0' },
    v1alpha3: { status: 'experimental-only', note: 'TLSRoute v1alpha3 is deprecated and served only by the experimental CRDs; TLSRoute is v1 in the standard channel since v1.5.0' },
  },
  TCPRoute: {
    v1alpha2: { status: 'experimental-only', note: 'TCPRoute v1alpha2 is deprecated and served only by the experimental CRDs; TCPRoute is v1 in the standard channel since v1.6.0' },
  },
  UDPRoute: {
    v1alpha2: { status: 'experimental-only', note: 'UDPRoute v1alpha2 is served only by the experimental CRDs; UDPRoute is v1 in the standard channel since v1.6.0' },
  },
};

/** The span of the object's `apiVersion` value (the first top-level `apiVersion:` line with that value). */
export function apiVersionSpan(text: string, o: K8sObject): Span | undefined {
  const body = text.slice(o.span.start, o.span.end);
  const re = /(^|[\n{,])[ \t]*(?:- )?apiVersion[ \t]*:[ \t]*(["']?)([^\s"',}#]+)\2/g;
  for (const m of body.matchAll(re)) {
    if (m[3] !== o.apiVersion) continue;
    const end = o.span.start + (m.index ?? 0) + m[0].length;
    return { start: end - m[3].length - 2 * (m[2] ? 1 : 0), end };
  }
  return undefined;
}

/** Whether moving to v1 keeps the object valid (v1 TCPRoute/TLSRoute allow exactly one rule; v1 TLSRoute needs hostnames). */
function v1Safe(route: RouteObject): boolean {
  if (route.kind === 'TCPRoute' || route.kind === 'TLSRoute' || route.kind === 'UDPRoute') {
    if (route.rules.length !== 1 || route.rules[0]!.defaulted) return false;
    if (route.kind === 'TLSRoute' && !(route.hostnames && route.hostnames.value.length > 0)) return false;
    if (route.kind === 'UDPRoute') return false;
  }
  return true;
}

export const apiVersionDeprecated: Analyzer = {
  code: 'api-version-deprecated',
  defaultSeverity: 'info',
  summary: 'an `apiVersion` that is deprecated, served only by the experimental CRDs, or no longer served, judged against Gateway API v1.6',
  reads: 'routes',
  analyze(ctx) {
    const out: Finding[] = [];
    for (const o of ctx.file.objects) {
      if (!isRoute(o) || o.group !== GATEWAY_GROUP) continue;
      const entry = TABLE[o.kind]?.[o.version];
      if (!entry) continue;
      const span = apiVersionSpan(ctx.file.text, o) ?? o.nameField?.span ?? o.span;
      const effect =
        entry.status === 'not-served'
          ? 'A cluster with current Gateway API CRDs rejects this object.'
          : entry.status === 'experimental-only'
            ? 'A cluster with only the standard-channel CRDs rejects this object.'
            : 'It still works, but will be removed.';
      const fixes: Fix[] = v1Safe(o)
        ? [{ title: `Change to ${GATEWAY_GROUP}/v1`, preferred: true, edits: [{ file: o.file, span, newText: `${GATEWAY_GROUP}/v1` }] }]
        : [];
      out.push(
        finding(this.code, this.defaultSeverity, o.file, span, `${entry.note} (Gateway API v1.6). ${effect} Use ${GATEWAY_GROUP}/v1${fixes.length || o.kind === 'UDPRoute' ? '' : ` (v1 ${o.kind} allows exactly one rule${o.kind === 'TLSRoute' ? ' and requires hostnames' : ''})`}.`, {
          data: { kind: o.kind, apiVersion: o.apiVersion, status: entry.status },
          fixes,
        }),
      );
    }
    return out;
  },
};
