/**
 * Reading values out of a parsed document with their spans. Follows aliases (a bounded number of
 * hops, so alias bombs cost nothing) and YAML 1.1 merge keys (`<<: *x`, `<<: [*a, *b]`) the way
 * kubectl accepts them: a key written in the map wins over merged ones, and earlier merge sources
 * win over later ones.
 */
import * as yaml from 'yaml';
import type { Document, Node, Pair, YAMLMap, YAMLSeq } from 'yaml';
import type { Span } from '../text';

// Bound once: in the CommonJS bundles each named-import call would go through an interop getter,
// 10-15% of the time spent indexing a workspace.
const { isAlias, isMap, isPair, isScalar, isSeq } = yaml;

/** A node inside a document, with the offset that turns its ranges into file offsets. */
export interface Ctx {
  readonly doc: Document.Parsed;
  readonly base: number;
  /**
   * The whole file text, when known. Block collections end after their last line break in the
   * `yaml` ranges; with the text, spans are trimmed so that an underline stays on its own lines.
   */
  readonly text?: string;
}

/**
 * A value read from YAML, with the span of the value and, when asked for (see scalarField), of its
 * key. The offsets are kept as numbers and the span objects made when read: the index of a large
 * workspace holds hundreds of thousands of fields, and a span object for each cost tens of
 * megabytes and much of the garbage collector's time while indexing. Serialises (JSON) as
 * `{value, span, keySpan?}`.
 */
export class Field<T> {
  constructor(
    readonly value: T,
    /** File offsets of the value (of the key when the value is empty). */
    readonly start: number,
    readonly end: number,
  ) {}

  get span(): Span {
    return { start: this.start, end: this.end };
  }

  get keySpan(): Span | undefined {
    return undefined;
  }

  /** The same field holding another value (a port number read from a string, say). */
  withValue<U>(value: U): Field<U> {
    return new Field(value, this.start, this.end);
  }

  toJSON(): { value: T; span: Span; keySpan?: Span } {
    const keySpan = this.keySpan;
    return keySpan ? { value: this.value, span: this.span, keySpan } : { value: this.value, span: this.span };
  }
}

/** A field that also knows where its key is (for findings reported on the key). */
export class KeyedField<T> extends Field<T> {
  constructor(
    value: T,
    start: number,
    end: number,
    readonly keyStart: number,
    readonly keyEnd: number,
  ) {
    super(value, start, end);
  }

  override get keySpan(): Span {
    return { start: this.keyStart, end: this.keyEnd };
  }

  override withValue<U>(value: U): Field<U> {
    return new KeyedField(value, this.start, this.end, this.keyStart, this.keyEnd);
  }
}

/** A field from a value and the spans it was read at. */
export function makeField<T>(value: T, span: Span, keySpan?: Span): Field<T> {
  return keySpan ? new KeyedField(value, span.start, span.end, keySpan.start, keySpan.end) : new Field(value, span.start, span.end);
}

const MAX_ALIAS_HOPS = 16;

/*
 * Strings kept in the index are detached from the file text. A value read from YAML is a substring
 * of the document, and V8 keeps substrings of 13 or more characters as views that hold the whole
 * file text alive: a few names would pin every file of the workspace in memory. Long strings are
 * copied (concatenation then slice makes V8 build a flat copy) and shared through a bounded pool,
 * since the same namespaces, names and API versions recur across thousands of documents.
 */
const POOL = new Map<string, string>();
const POOL_MAX = 1 << 16;
const SMALL: Array<string | undefined> = new Array<string | undefined>(4096).fill(undefined);

/** The same string, not tied to the text it was read from. */
export function detach(s: string): string {
  // Shorter substrings are copies already. Many are the same few words (`Service`, `http`, `/`,
  // `PathPrefix`, a Service's name in every ref to it): a small direct-mapped cache, indexed by a
  // few characters, shares them without hashing each one into a Map.
  const n = s.length;
  if (n < 13) {
    if (n === 0) return '';
    const slot = (n * 131 + s.charCodeAt(0) * 31 + s.charCodeAt(n - 1) * 7 + s.charCodeAt(n >> 1)) & (SMALL.length - 1);
    const seen = SMALL[slot];
    if (seen === s) return seen;
    SMALL[slot] = s;
    return s;
  }
  let v = POOL.get(s);
  if (v === undefined) {
    v = (' ' + s).slice(1);
    if (POOL.size >= POOL_MAX) POOL.clear();
    POOL.set(v, v);
  }
  return v;
}

/** Follows aliases to the node they name. Unresolvable aliases give undefined. */
export function deref(ctx: Ctx, node: unknown): Node | undefined {
  let n = node;
  for (let i = 0; i < MAX_ALIAS_HOPS && isAlias(n); i++) {
    try {
      n = n.resolve(ctx.doc);
    } catch {
      return undefined;
    }
  }
  if (isAlias(n)) return undefined;
  return (n ?? undefined) as Node | undefined;
}

export function spanOf(ctx: Ctx, node: unknown): Span | undefined {
  const start = rangeStartOf(node);
  if (start === undefined) return undefined;
  return { start: ctx.base + start, end: endOf(ctx, node, ctx.base + start) };
}

/** Where a node's range starts (relative to its document), if it has one. */
function rangeStartOf(node: unknown): number | undefined {
  const n = node as { rangeStart?: number; range?: [number, number, number] } | null | undefined;
  if (n === null || n === undefined) return undefined;
  // A node of the fast reader (fast.ts) keeps its range as numbers.
  if (n.rangeStart !== undefined) return n.rangeStart;
  return n.range?.[0];
}

/** The end offset (in the file) of `spanOf(node)`, whose start is `start`; computed without allocating. */
function endOf(ctx: Ctx, node: unknown, start: number): number {
  const n = node as { rangeEnd?: number; range?: [number, number, number] };
  let end = ctx.base + (n.rangeEnd !== undefined ? n.rangeEnd : n.range![1]);
  // A block collection's range runs on over trailing comments; it ends with its last item.
  if ((isMap(node) || isSeq(node)) && !node.flow && node.items.length > 0) {
    const last: unknown = node.items[node.items.length - 1];
    let inner: unknown = isPair(last) ? (last.value ?? last.key) : last;
    let innerStart = rangeStartOf(inner);
    if (innerStart === undefined && isPair(last)) {
      inner = last.key;
      innerStart = rangeStartOf(inner);
    }
    if (innerStart !== undefined) {
      const lastEnd = endOf(ctx, inner, ctx.base + innerStart);
      if (lastEnd > start && lastEnd <= end) end = lastEnd;
    }
  }
  const text = ctx.text;
  if (text !== undefined) {
    // Trailing line breaks and indentation belong to no value.
    for (;;) {
      const c = end > start ? text.charCodeAt(end - 1) : 0;
      if (c !== 32 && c !== 9 && c !== 13 && c !== 10) break;
      end--;
    }
  }
  return end;
}

/**
 * A YAML 1.1 merge key: a plain `<<`. With `merge: true` the `yaml` package gives it a symbol
 * value; a quoted `"<<"` is an ordinary key.
 */
function isMergeKeyNode(k: unknown): boolean {
  if (!isScalar(k)) return false;
  return typeof k.value === 'symbol' || (k.value === '<<' && (k as { type?: string }).type === 'PLAIN');
}

function keyName(ctx: Ctx, pair: Pair): string | undefined {
  const k = deref(ctx, pair.key);
  if (!isScalar(k) || k.value === null || k.value === undefined) return undefined;
  if (typeof k.value === 'symbol') return '<<';
  return String(k.value);
}

/** Finds the pair for `key` in a map, honouring merge keys. */
export function getPair(ctx: Ctx, map: unknown, key: string, depth = 0): Pair | undefined {
  const m = deref(ctx, map);
  if (!isMap(m) || depth > 8) return undefined;
  let own: Pair | undefined;
  let merges: unknown[] | undefined;
  for (const item of (m as YAMLMap).items) {
    if (!isPair(item)) continue;
    const k = item.key;
    if (isScalar(k)) {
      // The usual key, a plain scalar: compared without the general path below.
      const v = k.value;
      if (typeof v === 'symbol' || (v === '<<' && k.type === 'PLAIN')) (merges ??= []).push(item.value);
      else if (v === key || (v !== null && v !== undefined && typeof v !== 'string' && String(v) === key)) own = item;
      continue;
    }
    const name = keyName(ctx, item);
    if (isMergeKey(item)) (merges ??= []).push(item.value);
    else if (name === key) own = item; // the last duplicate wins, as with kubectl
  }
  if (own || !merges) return own;
  for (const source of merges) {
    const s = deref(ctx, source);
    const sources = isSeq(s) ? (s as YAMLSeq).items : [s];
    for (const src of sources) {
      const found = getPair(ctx, src, key, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

function isMergeKey(pair: Pair): boolean {
  return isMergeKeyNode(pair.key);
}

/** The value node for `key`, dereferenced. */
export function get(ctx: Ctx, map: unknown, key: string): Node | undefined {
  const pair = getPair(ctx, map, key);
  return pair ? deref(ctx, pair.value) : undefined;
}

export function getPath(ctx: Ctx, node: unknown, path: readonly string[]): Node | undefined {
  let n: unknown = node;
  for (const key of path) {
    n = get(ctx, n, key);
    if (n === undefined) return undefined;
  }
  return n as Node;
}

/** Every key of a map (own and merged) with its pair, own keys first. */
export function entries(ctx: Ctx, map: unknown, depth = 0): Array<[string, Pair]> {
  const m = deref(ctx, map);
  if (!isMap(m) || depth > 8) return [];
  const seen = new Map<string, Pair>();
  const merges: unknown[] = [];
  for (const item of (m as YAMLMap).items) {
    if (!isPair(item)) continue;
    const name = keyName(ctx, item);
    if (name === undefined) continue;
    if (name === '<<' && isMergeKey(item)) merges.push(item.value);
    else seen.set(name, item);
  }
  for (const source of merges) {
    const s = deref(ctx, source);
    for (const src of isSeq(s) ? (s as YAMLSeq).items : [s]) {
      for (const [k, p] of entries(ctx, src, depth + 1)) if (!seen.has(k)) seen.set(k, p);
    }
  }
  return [...seen];
}

/*
 * The key's span is kept only when asked for (`withKey`): the index holds hundreds of thousands of
 * fields, and only a few kinds of them are ever reported on their key (a Service's `name:`, a
 * parentRef's `group:` and `sectionName:`); every span object kept costs memory and garbage
 * collection time on a large workspace.
 */

/** A field whose value is a scalar. `null` values count as absent. */
export function scalarField(ctx: Ctx, map: unknown, key: string, withKey = false): Field<string | number | boolean> | undefined {
  const pair = getPair(ctx, map, key);
  if (!pair) return undefined;
  const v = deref(ctx, pair.value);
  if (!isScalar(v) || v.value === null || v.value === undefined) return undefined;
  const raw: unknown = v.value;
  let value: string | number | boolean;
  if (typeof raw === 'string') value = detach(raw);
  else if (typeof raw === 'number' || typeof raw === 'boolean') value = raw;
  else return undefined;
  return fieldAt(ctx, value, v, pair.key, withKey);
}

/**
 * A field for `value` at `node` (at `key` when the node has no position), with the key's span when
 * asked for; reads the offsets without making span objects.
 */
function fieldAt<T>(ctx: Ctx, value: T, node: unknown, key: unknown, withKey: boolean): Field<T> {
  let at = rangeStartOf(node);
  let where = node;
  if (at === undefined) {
    at = rangeStartOf(key)!;
    where = key;
  }
  const start = ctx.base + at;
  const end = endOf(ctx, where, start);
  if (!withKey) return new Field(value, start, end);
  const keyAt = rangeStartOf(key);
  if (keyAt === undefined) return new Field(value, start, end);
  const keyStart = ctx.base + keyAt;
  return new KeyedField(value, start, end, keyStart, endOf(ctx, key, keyStart));
}

/**
 * The value `scalarField` would give, without its spans: for values kept without a position (kinds,
 * protocols, match values). Allocates nothing besides the value.
 */
export function scalarValue(ctx: Ctx, map: unknown, key: string): string | number | boolean | undefined {
  const pair = getPair(ctx, map, key);
  if (!pair) return undefined;
  const v = deref(ctx, pair.value);
  if (!isScalar(v)) return undefined;
  const raw: unknown = v.value;
  if (typeof raw === 'string') return detach(raw);
  if (typeof raw === 'number' || typeof raw === 'boolean') return raw;
  return undefined;
}

/** The value `stringField` would give, without its spans. */
export function stringValue(ctx: Ctx, map: unknown, key: string): string | undefined {
  const v = scalarValue(ctx, map, key);
  return v === undefined || typeof v === 'string' ? v : String(v);
}

/** A field read as a string; numbers and booleans are turned into their text. */
export function stringField(ctx: Ctx, map: unknown, key: string, withKey = false): Field<string> | undefined {
  const f = scalarField(ctx, map, key, withKey);
  if (!f) return undefined;
  return typeof f.value === 'string' ? (f as Field<string>) : f.withValue(String(f.value));
}

/**
 * A field whose key is present, whatever its value: used where "present but empty" differs from
 * "absent" (for example `group: ""`, or `group:` with no value, which YAML reads as null).
 */
export function presentField(ctx: Ctx, map: unknown, key: string, withKey = false): Field<unknown> | undefined {
  const pair = getPair(ctx, map, key);
  if (!pair) return undefined;
  const v = deref(ctx, pair.value);
  const raw = isScalar(v) ? v.value : v === undefined ? null : v;
  const value = typeof raw === 'string' ? detach(raw) : raw;
  return fieldAt(ctx, value, v, pair.key, withKey);
}

/** Items of a sequence value, dereferenced; anything else gives an empty list. */
export function seqItems(ctx: Ctx, node: unknown): Node[] {
  const s = deref(ctx, node);
  if (!isSeq(s)) return [];
  const out: Node[] = [];
  for (const item of (s as YAMLSeq).items) {
    const d = deref(ctx, item);
    if (d !== undefined) out.push(d);
  }
  return out;
}

/** The span of a key/value pair from the start of its key to the end of its value. */
export function pairSpan(ctx: Ctx, map: unknown, key: string): Span | undefined {
  const pair = getPair(ctx, map, key);
  if (!pair) return undefined;
  const k = spanOf(ctx, pair.key);
  const v = spanOf(ctx, pair.value);
  if (!k) return v;
  return { start: k.start, end: v ? Math.max(v.end, k.end) : k.end };
}

export { isMap, isScalar, isSeq };
