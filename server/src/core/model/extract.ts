/**
 * Turning one file's text into slim objects. Never throws: whatever cannot be read becomes a
 * problem, and the documents around it are still read.
 */
import {
  deref,
  detach,
  entries,
  get,
  isMap,
  makeField,
  isScalar,
  presentField,
  scalarField,
  scalarValue,
  seqItems,
  spanOf,
  stringField,
  stringValue,
} from '../yaml/access';
import type { Ctx, Field } from '../yaml/access';
import { looksTemplated, parseChunk, peekKind, splitDocuments } from '../yaml/documents';
import type { ReadProblem } from '../yaml/documents';
import type { Span } from '../text';
import { BackendRef, Filter, ParentRef, Rule, ServicePortNode } from './nodes';
import {
  ENGINE_KINDS,
  GATEWAY_GROUP,
  LINKERD_POLICY_GROUP,
  MULTICLUSTER_GROUP,
  ROUTE_KINDS,
} from './types';
import type {
  BackendRefNode,
  GatewayListener,
  GrpcMatch,
  HeaderMatch,
  HttpMatch,
  K8sObject,
  ObjectBase,
  ParentRefNode,
  ReferenceGrantFrom,
  ReferenceGrantTo,
  RouteFilter,
  RouteKind,
  RouteRule,
  ServicePort,
} from './types';

/** A `# gamma-lens-disable...` comment. */
export interface Suppression {
  /** `next-line`: the line after the comment; `document`: the whole `---` document. */
  readonly scope: 'next-line' | 'document';
  /** The range it silences. */
  readonly span: Span;
  /** Codes, or `*` for all. */
  readonly codes: readonly string[];
}

/** One document as listed for outlines, whether or not it was parsed in full. */
export interface DocumentSummary {
  readonly index: number;
  readonly span: Span;
  readonly kind?: string;
  readonly name?: string;
  readonly namespace?: string;
}

/**
 * What one file yields before namespaces are resolved. Its documents are not listed here (an index
 * of 100k documents would keep a summary and a span for each, for outlines of the few files open):
 * `summarizeDocuments` lists them from the text and these objects.
 */
export interface ExtractedFile {
  readonly path: string;
  readonly objects: readonly K8sObject[];
  readonly problems: readonly ReadProblem[];
  readonly suppressions: readonly Suppression[];
}

export interface ExtractOptions {
  /** Parse every document, not only the kinds the engine reads (for open editors' outlines). */
  readonly parseAll?: boolean;
}

/*
 * Shared empty values: most objects have no labels, no disabled codes, no filters or header matches,
 * and most files no problems; one frozen instance each instead of ~160k small objects at 100k
 * documents (kept for the whole session, each one more for the garbage collector to trace).
 */
const NONE: readonly never[] = Object.freeze([]);

/**
 * A list built by pushing, as kept in the index: an exact-size copy (V8 gives a pushed-to array room
 * for 17 items, 152 bytes for one or two refs, tens of megabytes over a large workspace), or the
 * shared empty list.
 */
function fit<T>(list: T[]): readonly T[] {
  return list.length === 0 ? NONE : list.slice();
}

/** True when both lists hold the same items (by identity) in the same order. */
export function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});
/** Where a node without a position of its own is placed. */
const NOWHERE: Span = Object.freeze({ start: 0, end: 0 });

/** True for a kustomization file name (`kustomization.yaml`, `.yml`, `Kustomization`). */
export function isKustomizationPath(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base === 'kustomization.yaml' || base === 'kustomization.yml' || base === 'Kustomization';
}

export function extractFile(path: string, text: string, options: ExtractOptions = {}): ExtractedFile {
  const objects: K8sObject[] = [];
  const problems: ReadProblem[] = [];
  const kustomization = isKustomizationPath(path);
  let chunks;
  try {
    chunks = splitDocuments(text);
  } catch (err) {
    problems.push({ reason: 'unreadable', span: { start: 0, end: 0 }, message: String(err) });
    return { path, objects, problems, suppressions: [] };
  }
  for (const chunk of chunks) {
    if (looksTemplated(text, chunk.span)) {
      problems.push({
        reason: 'templated',
        span: chunk.span,
        message: `document ${chunk.index + 1} contains template syntax ({{ ... }}) and was not read`,
      });
      continue;
    }
    const peeked = peekKind(text, chunk.span);
    if (!options.parseAll && !kustomization && peeked !== undefined && !ENGINE_KINDS.has(peeked) && !peeked.endsWith('List')) continue;
    const { parsed, problem } = parseChunk(text, chunk);
    if (!parsed) {
      if (problem) problems.push(problem);
      continue;
    }
    const ctx: Ctx = { doc: parsed.doc, base: parsed.base, text };
    const before = objects.length;
    try {
      const root = deref(ctx, parsed.doc.contents);
      if (kustomization && isMap(root)) {
        const k = readKustomization(ctx, root, path, chunk.index, chunk.span);
        if (k) objects.push(k);
      } else if (isMap(root)) {
        const kind = stringValue(ctx, root, 'kind');
        if (kind !== undefined && kind.endsWith('List') && get(ctx, root, 'items') !== undefined) {
          seqItems(ctx, get(ctx, root, 'items')).forEach((item, i) => {
            const o = readObject(ctx, item, path, chunk.index, i, spanOf(ctx, item) ?? chunk.span);
            if (o) objects.push(o);
          });
        } else {
          const o = readObject(ctx, root, path, chunk.index, 0, chunk.span);
          if (o) objects.push(o);
        }
      }
    } catch (err) {
      // A bug in one reader must not lose the rest of the file.
      objects.length = before;
      problems.push({
        reason: 'unreadable',
        span: chunk.span,
        message: `document ${chunk.index + 1} could not be read: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  }
  return { path, objects: fit(objects), problems: fit(problems), suppressions: findSuppressions(text, chunks) };
}

/**
 * The documents of a file, as an outline lists them: each `---` document with the kind, name and
 * namespace of its first object when it was read, else the kind written in it (skipped kinds,
 * templated or invalid documents). `objects` are the file's extracted objects, in document order.
 */
export function summarizeDocuments(text: string, objects: readonly K8sObject[]): DocumentSummary[] {
  let chunks;
  try {
    chunks = splitDocuments(text);
  } catch {
    return [];
  }
  const out: DocumentSummary[] = [];
  let at = 0;
  for (const chunk of chunks) {
    while (at < objects.length && objects[at]!.docIndex < chunk.index) at++;
    const first = at < objects.length && objects[at]!.docIndex === chunk.index ? objects[at] : undefined;
    out.push({
      index: chunk.index,
      span: chunk.span,
      kind: first?.kind ?? peekKind(text, chunk.span),
      name: first?.name,
      namespace: first?.metadataNamespace?.value,
    });
  }
  return out;
}

const DISABLE_RE = /#\s*gamma-lens-disable(-next-line)?(?:[ \t]+([A-Za-z0-9*,\- \t]+))?/g;

function findSuppressions(text: string, documents: readonly { readonly span: Span }[]): readonly Suppression[] {
  if (!text.includes('gamma-lens-disable')) return NONE;
  const out: Suppression[] = [];
  for (const m of text.matchAll(DISABLE_RE)) {
    const at = m.index ?? 0;
    const codes = (m[2] ?? '*')
      .split(/[,\s]+/)
      .map((c) => detach(c.trim()))
      .filter((c) => c.length > 0);
    if (m[1]) {
      let s = at;
      while (s < text.length && text[s] !== '\n' && text[s] !== '\r') s++;
      if (text[s] === '\r' && text[s + 1] === '\n') s++;
      s++;
      let e = s;
      while (e < text.length && text[e] !== '\n' && text[e] !== '\r') e++;
      out.push({ scope: 'next-line', span: { start: s, end: e }, codes: codes.length ? codes : ['*'] });
    } else {
      const doc = documents.find((d) => d.span.start <= at && at < d.span.end);
      const docSpan = doc?.span ?? enclosingDocument(text, at);
      out.push({ scope: 'document', span: docSpan, codes: codes.length ? codes : ['*'] });
    }
  }
  return out;
}

function enclosingDocument(text: string, at: number): Span {
  const chunk = splitDocuments(text).find((c) => c.span.start <= at && at < c.span.end);
  return chunk?.span ?? { start: 0, end: text.length };
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf('/');
  // Shared strings (the same few API versions recur): not a copy of `v1` and a view into the
  // apiVersion for every object.
  return slash === -1 ? { group: '', version: apiVersion } : { group: detach(apiVersion.slice(0, slash)), version: detach(apiVersion.slice(slash + 1)) };
}

function readBase(ctx: Ctx, node: unknown, file: string, docIndex: number, itemIndex: number, span: Span): (ObjectBase & { kind: string }) | undefined {
  const kind = stringValue(ctx, node, 'kind');
  const apiVersion = stringValue(ctx, node, 'apiVersion');
  if (!kind || !apiVersion) return undefined;
  const metadata = get(ctx, node, 'metadata');
  const nameField = isMap(metadata) ? stringField(ctx, metadata, 'name', true) : undefined;
  if (!nameField || nameField.value === '') return undefined;
  const ns = isMap(metadata) ? stringField(ctx, metadata, 'namespace') : undefined;
  let labels: Record<string, string> | undefined;
  for (const [k, pair] of entries(ctx, get(ctx, metadata, 'labels'))) {
    const v = deref(ctx, pair.value);
    if (isScalar(v) && v.value !== null) (labels ??= {})[detach(k)] = detach(String(v.value));
  }
  const disable = stringValue(ctx, get(ctx, metadata, 'annotations'), 'gamma-lens.io/disable');
  const created = scalarValue(ctx, metadata, 'creationTimestamp');
  const { group, version } = splitApiVersion(apiVersion);
  return {
    kind,
    file,
    docIndex,
    itemIndex,
    span,
    apiVersion,
    group,
    version,
    name: nameField.value,
    nameField,
    metadataNamespace: ns && ns.value !== '' ? ns : undefined,
    creationTimestamp: created === undefined ? undefined : String(created),
    labels: labels ?? NO_LABELS,
    disabledCodes: disable ? disable.split(',').map((c) => c.trim()).filter(Boolean) : NONE,
    // Placeholders: the snapshot resolves the namespace.
    namespace: '',
    namespaceSource: 'default' as ObjectBase['namespaceSource'],
  };
}

type Base = NonNullable<ReturnType<typeof readBase>>;

/**
 * The object of a kind: the base (with the namespace placeholders that the snapshot replaces with
 * the resolved namespace) and the kind's fields, in place (no copy: extraction is hot).
 */
function finish<T>(base: Base, fields: T): Base & T {
  return Object.assign(base, fields);
}

function readObject(ctx: Ctx, node: unknown, file: string, docIndex: number, itemIndex: number, span: Span): K8sObject | undefined {
  const base = readBase(ctx, node, file, docIndex, itemIndex, span);
  if (!base) return undefined;
  const spec = get(ctx, node, 'spec');
  const coreGroup = base.group === '';
  switch (base.kind) {
    case 'Service':
      if (!coreGroup) break;
      return readService(ctx, spec, base);
    case 'ServiceImport':
      if (base.group !== MULTICLUSTER_GROUP) break;
      return finish(base, { kind: 'ServiceImport', ports: readServicePorts(ctx, get(ctx, spec, 'ports')) });
    case 'Namespace':
      if (!coreGroup) break;
      return finish(base, { kind: 'Namespace', namespaceSource: 'cluster' });
    case 'Gateway':
      if (base.group !== GATEWAY_GROUP) break;
      return finish(base, {
        kind: 'Gateway',
        gatewayClassName: stringValue(ctx, spec, 'gatewayClassName'),
        listeners: seqItems(ctx, get(ctx, spec, 'listeners')).map(
          (l): GatewayListener => ({
            name: stringValue(ctx, l, 'name'),
            port: intValue(scalarValue(ctx, l, 'port')),
            protocol: stringValue(ctx, l, 'protocol'),
            hostname: stringValue(ctx, l, 'hostname'),
          }),
        ),
      });
    case 'GatewayClass':
      if (base.group !== GATEWAY_GROUP) break;
      return finish(base, { kind: 'GatewayClass', namespaceSource: 'cluster', controllerName: stringValue(ctx, spec, 'controllerName') });
    case 'ReferenceGrant':
      if (base.group !== GATEWAY_GROUP) break;
      return finish(base, {
        kind: 'ReferenceGrant',
        from: seqItems(ctx, get(ctx, spec, 'from')).map(
          (f): ReferenceGrantFrom => ({
            group: stringValue(ctx, f, 'group') ?? '',
            kind: stringValue(ctx, f, 'kind') ?? '',
            namespace: stringValue(ctx, f, 'namespace') ?? '',
          }),
        ),
        to: seqItems(ctx, get(ctx, spec, 'to')).map(
          (t): ReferenceGrantTo => ({
            group: stringValue(ctx, t, 'group') ?? '',
            kind: stringValue(ctx, t, 'kind') ?? '',
            name: stringValue(ctx, t, 'name'),
          }),
        ),
      });
    default:
      if ((ROUTE_KINDS as readonly string[]).includes(base.kind)) {
        const linkerdPolicy = base.group === LINKERD_POLICY_GROUP;
        if (base.group === GATEWAY_GROUP || (linkerdPolicy && base.kind === 'HTTPRoute')) {
          return readRoute(ctx, spec, base, base.kind as RouteKind, linkerdPolicy);
        }
      }
  }
  return finish(base, { other: true });
}

function readService(ctx: Ctx, spec: unknown, base: Base): K8sObject {
  const typeField = stringField(ctx, spec, 'type');
  return finish(base, {
    kind: 'Service',
    type: typeField?.value ?? 'ClusterIP',
    typeField,
    clusterIP: stringField(ctx, spec, 'clusterIP'),
    externalName: stringValue(ctx, spec, 'externalName'),
    ports: readServicePorts(ctx, get(ctx, spec, 'ports')),
    portsSpan: spanOf(ctx, get(ctx, spec, 'ports')),
  });
}

function readServicePorts(ctx: Ctx, ports: unknown): ServicePort[] {
  return seqItems(ctx, ports).map((p, index): ServicePort => {
    const port = scalarField(ctx, p, 'port');
    const target = scalarField(ctx, p, 'targetPort');
    const portValue = intValue(port?.value);
    const at = spanOf(ctx, p) ?? NOWHERE;
    return new ServicePortNode(
      at.start,
      at.end,
      index,
      port && portValue !== undefined ? port.withValue(portValue) : undefined,
      stringField(ctx, p, 'name'),
      target ? target.withValue(typeof target.value === 'number' ? target.value : String(target.value)) : undefined,
      stringValue(ctx, p, 'protocol'),
      stringValue(ctx, p, 'appProtocol'),
    );
  });
}

/** An integer from a YAML scalar; strings of digits count (kubectl would reject them, analyzers say so). */
export function intValue(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^[0-9]+$/.test(v)) return Number(v);
  return undefined;
}

function groupField(ctx: Ctx, node: unknown): Field<string | null> | undefined {
  const f = presentField(ctx, node, 'group', true);
  if (!f) return undefined;
  const v = f.value;
  return f.withValue(v === null || v === undefined ? null : typeof v === 'object' ? null : String(v));
}

function readRoute(ctx: Ctx, spec: unknown, base: Base, kind: RouteKind, linkerdPolicy: boolean): K8sObject {
  const parentRefsNode = get(ctx, spec, 'parentRefs');
  const parentRefs = seqItems(ctx, parentRefsNode)
    .map((p, index): ParentRefNode | undefined => {
      if (!isMap(p)) return undefined;
      const at = spanOf(ctx, p) ?? base.span;
      return new ParentRef(
        index,
        at.start,
        at.end,
        groupField(ctx, p),
        stringField(ctx, p, 'kind'),
        stringField(ctx, p, 'name'),
        stringField(ctx, p, 'namespace'),
        presentField(ctx, p, 'port'),
        stringField(ctx, p, 'sectionName', true),
      );
    })
    .filter((p): p is ParentRefNode => p !== undefined);
  const hostnamesNode = get(ctx, spec, 'hostnames');
  const hostnameValues = seqItems(ctx, hostnamesNode)
    .filter(isScalar)
    .map((s) => detach(String(s.value)));
  const hostnamesPair = spanOf(ctx, hostnamesNode);
  const rulesNode = get(ctx, spec, 'rules');
  const backendRefs: BackendRefNode[] = [];
  let rules: RouteRule[] = seqItems(ctx, rulesNode).map((r, index) => readRule(ctx, r, index, kind, backendRefs));
  const rulesAbsent = rulesNode === undefined || (isScalar(rulesNode) && rulesNode.value === null);
  if (rules.length === 0 && rulesAbsent) {
    // The CRD defaults a missing `rules` (`rules: null` is the same in JSON) to one rule that
    // matches everything and has no backends.
    const at = spanOf(ctx, spec) ?? base.span;
    rules = [new Rule(0, at.start, at.end, undefined, undefined, undefined, NONE, NONE, false, true)];
  }
  return finish(base, {
    kind,
    linkerdPolicy,
    parentRefs: fit(parentRefs),
    parentRefsSpan: spanOf(ctx, parentRefsNode),
    hostnames: hostnamesNode !== undefined && hostnamesPair ? makeField<readonly string[]>(hostnameValues, hostnamesPair, spanOf(ctx, getKey(ctx, spec, 'hostnames'))) : undefined,
    rules,
    // One rule without mirrors (most routes): the route's list is the rule's, shared.
    backendRefs: rules.length === 1 && sameItems(rules[0]!.backendRefs, backendRefs) ? rules[0]!.backendRefs : fit(backendRefs),
  });
}

function getKey(ctx: Ctx, map: unknown, key: string): unknown {
  const m = deref(ctx, map);
  if (!isMap(m)) return undefined;
  for (const item of m.items) {
    const k = deref(ctx, item.key);
    if (isScalar(k) && k.value === key) return item.key;
  }
  return undefined;
}

function readBackendRef(ctx: Ctx, b: unknown, ruleIndex: number, index: number, mirror: boolean): BackendRefNode {
  const at = spanOf(ctx, b) ?? NOWHERE;
  return new BackendRef(
    at.start,
    at.end,
    ruleIndex,
    index,
    mirror,
    groupField(ctx, b),
    stringField(ctx, b, 'kind'),
    stringField(ctx, b, 'name'),
    stringField(ctx, b, 'namespace'),
    presentField(ctx, b, 'port'),
    presentField(ctx, b, 'weight'),
  );
}

function readRule(ctx: Ctx, r: unknown, index: number, kind: RouteKind, allBackends: BackendRefNode[]): RouteRule {
  const filters: RouteFilter[] = [];
  const mirrors: BackendRefNode[] = [];
  for (const f of seqItems(ctx, get(ctx, r, 'filters'))) {
    const type = stringValue(ctx, f, 'type') ?? '';
    const status = intValue(scalarValue(ctx, get(ctx, f, 'requestRedirect'), 'statusCode'));
    const at = spanOf(ctx, f) ?? NOWHERE;
    filters.push(new Filter(type, at.start, at.end, type === 'RequestRedirect' ? (status ?? 302) : undefined));
    if (type === 'RequestMirror') {
      const b = get(ctx, get(ctx, f, 'requestMirror'), 'backendRef');
      if (isMap(b)) mirrors.push(readBackendRef(ctx, b, index, mirrors.length, true));
    }
  }
  const backendRefsNode = get(ctx, r, 'backendRefs');
  const backendRefs = seqItems(ctx, backendRefsNode)
    .filter((b) => isMap(b))
    .map((b, i) => readBackendRef(ctx, b, index, i, false));
  allBackends.push(...backendRefs, ...mirrors);
  const matchesNode = get(ctx, r, 'matches');
  const matchItems = seqItems(ctx, matchesNode);
  const hasMatches = matchesNode !== undefined && matchItems.length > 0;
  const at = spanOf(ctx, r) ?? NOWHERE;
  return new Rule(
    index,
    at.start,
    at.end,
    stringValue(ctx, r, 'name'),
    kind === 'HTTPRoute' && hasMatches ? matchItems.map((m) => readHttpMatch(ctx, m)) : undefined,
    kind === 'GRPCRoute' && hasMatches ? matchItems.map((m) => readGrpcMatch(ctx, m)) : undefined,
    fit(filters),
    backendRefs.length ? backendRefs : NONE,
    backendRefsNode !== undefined,
    false,
  );
}

function readHeaderMatches(ctx: Ctx, node: unknown): readonly HeaderMatch[] {
  const items = seqItems(ctx, node);
  if (items.length === 0) return NONE;
  return items.map((h) => ({
    type: stringValue(ctx, h, 'type') ?? 'Exact',
    name: stringValue(ctx, h, 'name') ?? '',
    value: stringValue(ctx, h, 'value') ?? '',
  }));
}

function readHttpMatch(ctx: Ctx, m: unknown): HttpMatch {
  const path = get(ctx, m, 'path');
  return {
    span: spanOf(ctx, m),
    // The CRD defaults `path` to PathPrefix `/`, and a path's `type` to PathPrefix.
    path: {
      type: stringValue(ctx, path, 'type') ?? 'PathPrefix',
      value: stringValue(ctx, path, 'value') ?? '/',
    },
    method: stringValue(ctx, m, 'method'),
    headers: readHeaderMatches(ctx, get(ctx, m, 'headers')),
    queryParams: readHeaderMatches(ctx, get(ctx, m, 'queryParams')),
  };
}

function readGrpcMatch(ctx: Ctx, m: unknown): GrpcMatch {
  const method = get(ctx, m, 'method');
  return {
    span: spanOf(ctx, m),
    method: method === undefined ? undefined : {
      type: stringValue(ctx, method, 'type') ?? 'Exact',
      service: stringValue(ctx, method, 'service'),
      method: stringValue(ctx, method, 'method'),
    },
    headers: readHeaderMatches(ctx, get(ctx, m, 'headers')),
  };
}

function readKustomization(ctx: Ctx, root: unknown, file: string, docIndex: number, span: Span): K8sObject | undefined {
  const setNamespace = stringValue(ctx, root, 'namespace');
  const resources = [
    ...seqItems(ctx, get(ctx, root, 'resources')),
    ...seqItems(ctx, get(ctx, root, 'bases')),
    ...seqItems(ctx, get(ctx, root, 'components')),
  ]
    .filter(isScalar)
    .map((s) => detach(String(s.value)));
  return {
    kind: 'Kustomization',
    file,
    docIndex,
    itemIndex: 0,
    span,
    apiVersion: stringValue(ctx, root, 'apiVersion') ?? 'kustomize.config.k8s.io/v1beta1',
    group: 'kustomize.config.k8s.io',
    version: 'v1beta1',
    name: file,
    namespace: '',
    namespaceSource: 'cluster',
    labels: {},
    disabledCodes: [],
    setNamespace,
    resources,
  };
}
