/**
 * The extraction cache for warm starts: each file's slim extraction (`ExtractedFile`, plain data
 * with spans) keyed by absolute path, size and mtime, in one versioned file under the storage
 * folder the client gives (`initializationOptions.storagePath`, or `GAMMA_LENS_CACHE_DIR`). A
 * second start reuses the extractions of unchanged files instead of reading and parsing them.
 * Written once after the initial scan; a cache that is corrupt, of another format or of another
 * build of the engine is ignored (and replaced by the next write).
 *
 * The stored form is compact and quick to read back (100k documents: 23 MB of extractions, decoded
 * in ~0.2 s plus its garbage collection, where `v8.serialize` took 99-116 MB and ~0.8 s plus ~0.9 s
 * of garbage collection), and it is read a window at a time, never whole: values are uint32 tokens,
 * strings are indexes into one string table, objects name a shape (their list of keys) and are
 * rebuilt with the same keys in the same order and the same values as the extraction (see `Encoder`
 * and `Decoder`). Stored diagnostics are kept as the JSON that publishing them sends (7 MB at 100k
 * documents), which a warm start on stdio sends on as it is.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver/node';
import { sameItems } from '../core/model/extract';
import type { ExtractedFile } from '../core/model/extract';
import type { BackendRefNode } from '../core/model/types';
import { BackendRef, Filter, ParentRef, Rule, ServicePortNode } from '../core/model/nodes';
import { Field, KeyedField } from '../core/yaml/access';

declare const GAMMA_LENS_VERSION: string;

/**
 * The write runs in slices of this many milliseconds between pauses (GAMMA_LENS_BACKGROUND_SLICE_MS
 * overrides it; tests set 0 to pause after every file).
 */
const SLICE_MS = Number(process.env.GAMMA_LENS_BACKGROUND_SLICE_MS ?? 4);

/** Bumped whenever the stored shape changes. */
const FORMAT = 14;
export const CACHE_FILE = 'gamma-lens-extractions.v1.bin';
/** The file ends with the header's length and this mark. */
const MARK = 0x32434c47; // "GLC2"

export interface CacheEntry {
  readonly size: number;
  readonly mtimeMs: number;
  readonly extracted: ExtractedFile;
}

/**
 * A file's diagnostics as published: the list, or its JSON text as UTF-8 (as stored, and as a warm
 * start sends it on without decoding it; see `diagnosticsJson`).
 */
export type PublishedList = Diagnostic[] | Uint8Array;

/**
 * The diagnostics published for a folder whose files all came from disk as cached: a start that finds
 * exactly these files unchanged, with the same settings, publishes them instead of analysing again.
 */
export interface FolderDiagnostics {
  /** The folder's settings, as compared by the indexer. */
  readonly key: string;
  /** Every file of the folder. */
  readonly paths: readonly string[];
  /** The non-empty diagnostic lists, by file (read back from a cache: their JSON). */
  readonly diagnostics: ReadonlyMap<string, PublishedList>;
}

/** The JSON text (UTF-8) of a published list. */
export function diagnosticsJson(list: PublishedList): Uint8Array {
  return Array.isArray(list) ? Buffer.from(JSON.stringify(list), 'utf8') : list;
}

/** The diagnostics of a published list. */
export function diagnosticsOf(list: PublishedList): Diagnostic[] {
  return Array.isArray(list) ? list : (JSON.parse(Buffer.from(list.buffer, list.byteOffset, list.byteLength).toString('utf8')) as Diagnostic[]);
}

/*
 * The file: the tokens of every stored value (uint32, native byte order), then the stored diagnostic
 * lists (their JSON, UTF-8, one after the other), then the header (JSON of `Header`, UTF-8), its byte
 * length (uint32 LE) and MARK (uint32 LE).
 *
 * A token's low 3 bits are its tag, bit 3 marks an object or array that is referenced again later
 * in the same value, and the bits above are its payload:
 *   UINT   the integer payload (0 .. 2^28-1)
 *   STR    strings[payload]
 *   OBJ    an object of shapes[payload]; one value follows per key
 *   ARR    an array of payload elements, which follow
 *   REF    the object or array marked at token `payload` of this value (shared, as route.backendRefs
 *          with rules[].backendRefs)
 *   NUM    any other number: the next two tokens hold its float64 bits
 *   CONST  undefined, null, false, true, -1 (payload 0..4; -1 marks an absent field in a node's slots)
 *   FROZEN the object or array that follows is frozen (payload 0); the empty ones come back as one
 *          shared frozen [] and {}, as the extraction shares its empty values
 */
const UINT = 0;
const STR = 1;
const OBJ = 2;
const ARR = 3;
const REF = 4;
const NUM = 5;
const CONST = 6;
const FROZEN = 7;
const SHARED = 8;
const MAX_UINT = 1 << 28;
/**
 * CONST payloads past the plain constants: a rule's `backendRefs` taken from its route's; a route's
 * deferred rules; another deferred list (a Service's ports).
 */
const DERIVED = 5;
const LAZY_RULES = 6;
const LAZY_LIST = 7;
/** Stored keys of lists written deferred are marked: `#lazy.rules`, `#lazy.ports`. */
const LAZY_KEY = '#lazy.';

interface Header {
  readonly format: number;
  readonly engine: string;
  /** Number of tokens at the start of the file. */
  readonly tokens: number;
  /** Bytes of diagnostic lists after the tokens. */
  readonly lists: number;
  readonly strings: string[];
  readonly shapes: string[][];
  /** [path (string index), size, mtimeMs, first token, token count] of each file, flat. */
  readonly index: number[];
  /** [folder root, its key, first token, token count] of each folder's stored diagnostics (`StoredDiagnostics`). */
  readonly published: Array<[string, string, number, number]>;
}

/**
 * A folder's diagnostics as stored: [key, paths, files with diagnostics, [start, length] of each one's
 * list among the stored lists (flat), a hash of those lists' bytes]. The lists are kept as JSON, not as
 * tokens: a warm start sends them as they are (at 100k documents, 7 MB of diagnostics built and
 * serialised again took ~60 ms). Since they are not decoded, the hash (~3 ms for 7 MB) is what keeps a
 * damaged file from sending a client something that is not JSON.
 */
type StoredDiagnostics = [string, string[], string[], number[], string];

let engine: string | undefined;

/** Identifies the engine build (by content: a rebuild of the same sources keeps the cache). */
function engineId(): string {
  return (engine ??= computeEngineId());
}

function computeEngineId(): string {
  const version = typeof GAMMA_LENS_VERSION === 'string' ? GAMMA_LENS_VERSION : 'dev';
  try {
    const bytes = fs.readFileSync(__filename);
    return `${version}:${bytes.length}:${createHash('sha1').update(bytes).digest('hex').slice(0, 16)}`;
  } catch {
    return version;
  }
}

/**
 * Reads `length` bytes (all of `into` by default) at `position` of the file into `into`; what it
 * returns is the part of `into` read, and throws when the file ends before.
 */
function readAt(fd: number, into: Buffer, position: number, length = into.length): Buffer {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, into, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  if (done < length) throw new Error('the file ends early');
  return into.subarray(0, length);
}

const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);

/** Turns values into tokens, with one string table and one shape table for all of them. */
class Encoder {
  tokens = new Uint32Array(1 << 18);
  length = 0;
  readonly strings: string[] = [];
  readonly shapes: string[][] = [];
  private readonly stringIds = new Map<string, number>();
  private readonly shapeIds = new Map<string, number>();
  /** Objects and arrays of the value being encoded: their first token. */
  private seen = new Map<object, number>();
  /** The objects and arrays being encoded, outermost first. */
  private readonly open: object[] = [];
  private start = 0;

  string(s: string): number {
    let id = this.stringIds.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.stringIds.set(s, id);
      this.strings.push(s);
    }
    return id;
  }

  /** The id of the shape with these keys (in this order). */
  private shape(keys: string[]): number {
    // Most objects have the shape of the last object whose first key was the same (spans, fields):
    // compared key by key, without making the shape's name.
    const last = this.lastShape.get(keys[0]);
    if (last && last[0].length === keys.length && keys.every((k, i) => k === last[0][i])) return last[1];
    const name = keys.join('\u0000');
    let id = this.shapeIds.get(name);
    if (id === undefined) {
      id = this.shapes.length;
      this.shapeIds.set(name, id);
      this.shapes.push(keys);
    }
    this.lastShape.set(keys[0], [this.shapes[id]!, id]);
    return id;
  }

  private readonly lastShape = new Map<string | undefined, [string[], number]>();

  /** While a route's rules are written (deferred): the route's backendRefs, which its rules' lists are taken from. */
  private routeRefs: readonly unknown[] | undefined;
  /** True while a deferred list is written (none is deferred inside another). */
  private inDeferred = false;

  /**
   * Writes a list as a deferred value: a marker, its token count, then its tokens, which refer to
   * nothing outside them (its own scope of shared values). For a route's rules (`routeRefs` given),
   * each rule's `backendRefs` is a marker too: the decoder takes them from the route's list.
   */
  private deferredList(list: readonly unknown[], routeRefs?: readonly unknown[]): void {
    this.push((routeRefs ? LAZY_RULES : LAZY_LIST) * 16 + CONST);
    const countAt = this.length;
    this.push(UINT);
    const seen = this.seen;
    const start = this.start;
    this.seen = new Map();
    this.start = this.length;
    this.routeRefs = routeRefs;
    this.inDeferred = true;
    try {
      this.value(list);
    } finally {
      this.seen = seen;
      this.start = start;
      this.routeRefs = undefined;
      this.inDeferred = false;
    }
    const count = this.length - countAt - 1;
    if (count >= MAX_UINT) throw new Error('too large to store');
    this.tokens[countAt] = count * 16 + UINT;
  }

  /**
   * Appends the tokens of `value` (plain data: objects, arrays, strings, numbers, booleans, null,
   * undefined) and returns its first token; throws, leaving no tokens, for anything else (a cycle, a
   * Map, a class instance): such a value is not stored.
   */
  encode(value: unknown): number {
    this.start = this.length;
    try {
      this.value(value);
    } catch (err) {
      this.length = this.start;
      throw err;
    } finally {
      this.seen.clear();
      this.open.length = 0;
    }
    return this.start;
  }

  /** The tokens so far, handed out to be written; the next value starts a new buffer position 0 (the tables stay). */
  drain(): Uint32Array {
    const out = this.tokens.subarray(0, this.length);
    this.length = 0;
    return out;
  }

  /** A token with a payload that must fit (a value too large for it is not stored). */
  private token(payload: number, tag: number): void {
    if (payload >= MAX_UINT) throw new Error('too large to store');
    this.push(payload * 16 + tag);
  }

  private push(t: number): void {
    if (this.length === this.tokens.length) {
      const grown = new Uint32Array(this.tokens.length * 2);
      grown.set(this.tokens);
      this.tokens = grown;
    }
    this.tokens[this.length++] = t;
  }

  private value(v: unknown): void {
    switch (typeof v) {
      case 'number':
        if (v >>> 0 === v && v < MAX_UINT && (v !== 0 || 1 / v > 0)) this.push(v * 16 + UINT);
        else if (v === -1) this.push(4 * 16 + CONST);
        else {
          scratch[0] = v;
          this.push(NUM);
          this.push(scratchWords[0]!);
          this.push(scratchWords[1]!);
        }
        return;
      case 'string':
        this.token(this.string(v), STR);
        return;
      case 'boolean':
        this.push((v ? 3 : 2) * 16 + CONST);
        return;
      case 'undefined':
        this.push(CONST);
        return;
      case 'object':
        if (v === null) {
          this.push(16 + CONST);
          return;
        }
        break;
      default:
        throw new Error(`cannot store a ${typeof v}`);
    }
    const o = v as object;
    const at = this.seen.get(o);
    if (at !== undefined) {
      // Met again inside itself: a cycle (rare enough to look for only here).
      if (this.open.includes(o)) throw new Error('cannot store a cycle');
      // Shared: mark its first token so the decoder keeps it, and refer to it.
      this.tokens[at] = this.tokens[at]! | SHARED;
      this.token(at - this.start, REF);
      return;
    }
    if (Object.isFrozen(o)) this.push(FROZEN);
    this.seen.set(o, this.length);
    this.open.push(o);
    if (Array.isArray(o)) {
      if (Object.getPrototypeOf(o) !== Array.prototype) throw new Error('cannot store an array subclass');
      this.token(o.length, ARR);
      for (let i = 0; i < o.length; i++) this.value((o as unknown[])[i]);
    } else if (Object.getPrototypeOf(o) !== Object.prototype) {
      const stored = STORED_CLASSES.get(Object.getPrototypeOf(o) as object);
      if (!stored) throw new Error('cannot store a non-plain object');
      this.token(this.shape(stored.shape), OBJ);
      const derived = this.routeRefs !== undefined && stored === RULE_CLASS;
      for (const k of stored.keys) {
        if (derived && k === 'backendRefs') this.push(DERIVED * 16 + CONST);
        else this.value((o as Record<string, unknown>)[k]);
      }
    } else {
      const keys = Object.keys(o);
      const r = o as Record<string, unknown>;
      const lazy = this.inDeferred ? undefined : rulesDeferrable(r) ? 'rules' : portsDeferrable(r) ? 'ports' : undefined;
      this.token(this.shape(lazy ? keys.map((k) => (k === lazy ? LAZY_KEY + k : k)) : keys), OBJ);
      for (const k of keys) {
        if (k !== lazy) this.value(r[k]);
        else if (lazy === 'rules') this.deferredList(r.rules as unknown[], r.backendRefs as unknown[]);
        else this.deferredList(r[k] as unknown[]);
      }
    }
    this.open.pop();
  }
}

function offset(v: unknown): number {
  if (typeof v !== 'number') throw new Error('bad field');
  return v;
}

/** A field slot's offset, or -1 for an absent field. */
function slot(v: unknown): number {
  if (typeof v !== 'number' || !(v >= -1)) throw new Error('bad field slot');
  return v;
}

/**
 * The model's classes with offsets as numbers (fields, refs, rules, filters, ports: spans made when
 * read) are stored by their own keys, in their constructors' order, under shapes no plain object has
 * (`#field.value`, ...), and rebuilt by literals with their class's prototype (see LITERALS on why
 * literals). Each literal lists the keys; the stored shape is read off it.
 */
interface StoredClass {
  /** The instance's own keys, in order. */
  readonly keys: readonly string[];
  /** The stored shape: the keys marked with the class. */
  readonly shape: string[];
  readonly build: (n: () => unknown) => object;
}

const FIELD_PROTO: object = Field.prototype;
const KEYED_FIELD_PROTO: object = KeyedField.prototype;
const PORT_PROTO: object = ServicePortNode.prototype;
const PARENT_REF_PROTO: object = ParentRef.prototype;
const BACKEND_REF_PROTO: object = BackendRef.prototype;
const FILTER_PROTO: object = Filter.prototype;
const RULE_PROTO: object = Rule.prototype;

function storedClass(name: string, build: (n: () => unknown) => object): StoredClass {
  const keys = Object.keys(build(() => 0));
  return { keys, shape: keys.map((k) => `#${name}.${k}`), build };
}

const STORED_CLASSES = new Map<object, StoredClass>([
  [FIELD_PROTO, storedClass('field', (n) => ({ __proto__: FIELD_PROTO, value: n(), start: offset(n()), end: offset(n()) }))],
  [
    KEYED_FIELD_PROTO,
    storedClass('field', (n) => ({ __proto__: KEYED_FIELD_PROTO, value: n(), start: offset(n()), end: offset(n()), keyStart: offset(n()), keyEnd: offset(n()) })),
  ],
  [
    PORT_PROTO,
    storedClass('port', (n) => ({
      __proto__: PORT_PROTO,
      start: offset(n()),
      end: offset(n()),
      index: n(),
      protocol: n(),
      appProtocol: n(),
      portValue: n(),
      portStart: slot(n()),
      portEnd: slot(n()),
      nameValue: n(),
      nameStart: slot(n()),
      nameEnd: slot(n()),
      targetPortValue: n(),
      targetPortStart: slot(n()),
      targetPortEnd: slot(n()),
    })),
  ],
  [
    PARENT_REF_PROTO,
    storedClass('parentRef', (n) => ({
      __proto__: PARENT_REF_PROTO,
      groupValue: n(),
      groupStart: slot(n()),
      groupEnd: slot(n()),
      groupKeyStart: slot(n()),
      groupKeyEnd: slot(n()),
      kindValue: n(),
      kindStart: slot(n()),
      kindEnd: slot(n()),
      nameValue: n(),
      nameStart: slot(n()),
      nameEnd: slot(n()),
      namespaceValue: n(),
      namespaceStart: slot(n()),
      namespaceEnd: slot(n()),
      portValue: n(),
      portStart: slot(n()),
      portEnd: slot(n()),
      index: n(),
      start: offset(n()),
      end: offset(n()),
      sectionNameValue: n(),
      sectionNameStart: slot(n()),
      sectionNameEnd: slot(n()),
      sectionNameKeyStart: slot(n()),
      sectionNameKeyEnd: slot(n()),
    })),
  ],
  [
    BACKEND_REF_PROTO,
    storedClass('backendRef', (n) => ({
      __proto__: BACKEND_REF_PROTO,
      groupValue: n(),
      groupStart: slot(n()),
      groupEnd: slot(n()),
      groupKeyStart: slot(n()),
      groupKeyEnd: slot(n()),
      kindValue: n(),
      kindStart: slot(n()),
      kindEnd: slot(n()),
      nameValue: n(),
      nameStart: slot(n()),
      nameEnd: slot(n()),
      namespaceValue: n(),
      namespaceStart: slot(n()),
      namespaceEnd: slot(n()),
      portValue: n(),
      portStart: slot(n()),
      portEnd: slot(n()),
      start: offset(n()),
      end: offset(n()),
      ruleIndex: n(),
      index: n(),
      mirror: n(),
      weightValue: n(),
      weightStart: slot(n()),
      weightEnd: slot(n()),
    })),
  ],
  [FILTER_PROTO, storedClass('filter', (n) => ({ __proto__: FILTER_PROTO, type: n(), start: offset(n()), end: offset(n()), redirectStatus: n() }))],
  [
    RULE_PROTO,
    storedClass('rule', (n) => ({
      __proto__: RULE_PROTO,
      index: n(),
      start: offset(n()),
      end: offset(n()),
      name: n(),
      httpMatches: n(),
      grpcMatches: n(),
      filters: n(),
      backendRefs: n(),
      hasBackendRefsKey: n(),
      defaulted: n(),
    })),
  ],
]);

const RULE_CLASS = STORED_CLASSES.get(RULE_PROTO);

/** What a deferred rule's `backendRefs` decodes to, until its route's list replaces it. */
const DERIVED_REFS: readonly never[] = Object.freeze([]);

/**
 * The `backendRefs` of rule `index` of a route whose list is `routeRefs`, as the extractor makes
 * them: the rule's own refs (not its mirrors) in order; the route's list itself for the only rule
 * when they are all of it; the empty list when there are none.
 */
function ruleRefs(routeRefs: readonly BackendRefNode[], index: number, only: boolean): readonly BackendRefNode[] {
  const own = routeRefs.filter((b) => b.ruleIndex === index && !b.mirror);
  if (only && own.length === routeRefs.length) return routeRefs;
  return own.length ? own : EMPTY_ARRAY;
}

/**
 * True when a route's rules can be written deferred: each rule's `backendRefs` comes back the same
 * (the same refs, and the same list where it is shared) when taken from the route's list.
 */
function rulesDeferrable(o: Record<string, unknown>): boolean {
  const rules = o.rules;
  const refs = o.backendRefs;
  if (!Array.isArray(rules) || !Array.isArray(refs) || rules.length === 0 || Object.isFrozen(rules) || !Object.hasOwn(o, 'parentRefs') || Object.hasOwn(o, '__proto__')) return false;
  for (const r of rules) {
    if (!(r instanceof Rule) || Object.getPrototypeOf(r) !== RULE_PROTO) return false;
    const mine = r.backendRefs;
    const made = ruleRefs(refs as BackendRefNode[], r.index, rules.length === 1);
    if (made === refs) {
      if (mine !== refs) return false;
    } else if (mine.length === 0) {
      // An empty list comes back as the shared empty list, as a frozen one does when stored whole.
      if (!Object.isFrozen(mine)) return false;
    } else if (mine === refs || !sameItems(mine, made)) return false;
  }
  return true;
}

/**
 * True when a Service's ports can be written deferred: a list of the model's port nodes (which hold
 * nothing shared), as the extractor makes it.
 */
function portsDeferrable(o: Record<string, unknown>): boolean {
  const ports = o.ports;
  if (!Array.isArray(ports) || ports.length === 0 || Object.isFrozen(ports) || !Object.hasOwn(o, 'portsSpan') || Object.hasOwn(o, '__proto__')) return false;
  for (const p of ports) if (p === null || typeof p !== 'object' || Object.getPrototypeOf(p) !== PORT_PROTO) return false;
  return true;
}

/**
 * A deferred list as stored: the list it goes into, its tokens, and the object that holds it (a
 * route, whose backendRefs its rules take theirs from, or a Service).
 */
class PendingList {
  owner: { readonly file: string; readonly backendRefs?: readonly BackendRefNode[] } | undefined;
  constructor(
    readonly list: unknown[],
    readonly tokens: Uint32Array,
    readonly at: number,
    readonly count: number,
    /** A route's rules (their backendRefs are taken from the route's), else a list of port nodes. */
    readonly rules: boolean,
  ) {}
}

/** True when `keys` are the stored shape of one of the stored classes. */
function isStoredClassShape(keys: readonly string[]): boolean {
  for (const stored of STORED_CLASSES.values()) if (stored.shape.length === keys.length && stored.shape.every((k, i) => k === keys[i])) return true;
  return false;
}

/** The own keys, in order, that instances of a stored class must have (for tests). */
export function storedClassKeys(proto: object): readonly string[] | undefined {
  return STORED_CLASSES.get(proto)?.keys;
}

/**
 * Object literals for the most common shapes of the model (objects, refs, rules, ports, matches,
 * document summaries, ...), each called with the function that reads the next value. The Decoder
 * builds an object of such a shape by its literal and any other shape by a constructor per shape:
 * V8 sees from a literal's allocation site that its objects live on, and then allocates them where
 * long-lived objects go instead of copying each one out of the young generation, as it does for
 * objects made by `new` (a warm start's objects all live on). A shape the model no longer has is
 * simply not met; objects of a shape missing here come back the same, only a little slower.
 */
const LITERALS: ReadonlyArray<(n: () => unknown) => object> = [
  (n) => ({ kind: n(), file: n(), docIndex: n(), itemIndex: n(), span: n(), apiVersion: n(), group: n(), version: n(), name: n(), nameField: n(), metadataNamespace: n(), creationTimestamp: n(), labels: n(), disabledCodes: n(), namespace: n(), namespaceSource: n(), linkerdPolicy: n(), parentRefs: n(), parentRefsSpan: n(), hostnames: n(), rules: n(), backendRefs: n() }),
  (n) => ({ kind: n(), file: n(), docIndex: n(), itemIndex: n(), span: n(), apiVersion: n(), group: n(), version: n(), name: n(), nameField: n(), metadataNamespace: n(), creationTimestamp: n(), labels: n(), disabledCodes: n(), namespace: n(), namespaceSource: n(), type: n(), typeField: n(), clusterIP: n(), externalName: n(), ports: n(), portsSpan: n() }),
  (n) => ({ path: n(), objects: n(), problems: n(), suppressions: n() }),
  (n) => ({ span: n(), path: n(), method: n(), headers: n(), queryParams: n() }),
  (n) => ({ type: n(), value: n() }),
  (n) => ({ type: n(), name: n(), value: n() }),
  (n) => ({ kind: n(), file: n(), docIndex: n(), itemIndex: n(), span: n(), apiVersion: n(), group: n(), version: n(), name: n(), nameField: n(), metadataNamespace: n(), creationTimestamp: n(), labels: n(), disabledCodes: n(), namespace: n(), namespaceSource: n(), from: n(), to: n() }),
  (n) => ({ group: n(), kind: n(), namespace: n() }),
  (n) => ({ group: n(), kind: n(), name: n() }),
  (n) => ({ kind: n(), file: n(), docIndex: n(), itemIndex: n(), span: n(), apiVersion: n(), group: n(), version: n(), name: n(), nameField: n(), metadataNamespace: n(), creationTimestamp: n(), labels: n(), disabledCodes: n(), namespace: n(), namespaceSource: n() }),
  (n) => ({ span: n(), method: n(), headers: n() }),
  (n) => ({ type: n(), service: n(), method: n() }),
];

/** LITERALS by their keys (JSON of the key list, in order), found by building one object each. */
const LITERAL_BY_KEYS = new Map(LITERALS.map((build) => [JSON.stringify(Object.keys(build(() => undefined))), build]));

/** True when objects with exactly these keys, in this order, are built by an object literal. */
export function builtByLiteral(keys: readonly string[]): boolean {
  return LITERAL_BY_KEYS.has(JSON.stringify(keys));
}

const EMPTY_ARRAY: readonly never[] = Object.freeze([]);
const EMPTY_OBJECT: Readonly<Record<string, never>> = Object.freeze({});

/** Rebuilds values from tokens (throws on tokens that do not make a value). */
class Decoder {
  private tokens: Uint32Array = new Uint32Array(0);
  private p = 0;
  private end = 0;
  private start = 0;
  private shared: Map<number, unknown> | undefined;
  /** One function per shape: builds an object with its keys, in order, reading their values in turn. */
  private readonly build: Array<() => unknown>;
  /** The shapes without keys. */
  private readonly emptyShapes: ReadonlySet<number>;
  /** True while a deferred list is decoded; and while it is a route's rules. */
  private deferred = false;
  private derivable = false;

  constructor(
    private readonly strings: readonly string[],
    shapes: readonly (readonly string[])[],
  ) {
    const next = (): unknown => this.next();
    this.emptyShapes = new Set(shapes.flatMap((keys, id) => (keys.length ? [] : [id])));
    const is = (keys: readonly string[], ...names: string[]): boolean => keys.length === names.length && names.every((n, i) => keys[i] === n);
    this.build = shapes.map((keys): (() => unknown) => {
      // Fields and spans are most of the objects. Fields and the node classes are built by literals
      // too, with their class's prototype (STORED_CLASSES): setting the prototype costs less than
      // copying each object out of the young generation.
      for (const stored of STORED_CLASSES.values()) if (is(keys, ...stored.shape)) return () => stored.build(next);
      if (is(keys, 'start', 'end')) return () => ({ start: next(), end: next() });
      const lazyAt = keys.findIndex((k) => k.startsWith(LAZY_KEY));
      if (lazyAt >= 0) return this.deferringBuilder(keys, lazyAt);
      if (keys.length === 0) return () => ({});
      // A key `__proto__` would set the prototype: such shapes define their keys.
      if (keys.includes('__proto__')) {
        return () => {
          const o = {};
          for (const k of keys) Object.defineProperty(o, k, { value: next(), writable: true, enumerable: true, configurable: true });
          return o;
        };
      }
      const literal = LITERAL_BY_KEYS.get(JSON.stringify(keys));
      if (literal) return () => literal(next);
      // A constructor of its own per shape: V8 then sizes its objects for exactly these keys (as
      // an object literal has them) instead of growing them key by key. Its prototype is
      // Object.prototype, so its objects are plain objects.
      const Plain = function (this: Record<string, unknown>): void {} as unknown as new () => Record<string, unknown>;
      Plain.prototype = Object.prototype;
      return () => {
        const o = new Plain();
        for (let i = 0; i < keys.length; i++) o[keys[i]!] = next();
        return o;
      };
    });
  }

  /**
   * Builds objects with a list written deferred (a route's rules, a Service's ports), by the literal
   * of their keys when there is one: the list has its length but empty slots, and the object waits in
   * `waiting` until `fill` decodes the list into it.
   */
  private deferringBuilder(keys: readonly string[], lazyAt: number): () => unknown {
    const next = (): unknown => this.next();
    const named = keys.map((k, i) => (i === lazyAt ? k.slice(LAZY_KEY.length) : k));
    const literal = LITERAL_BY_KEYS.get(JSON.stringify(named));
    return () => {
      let o: Record<string, unknown>;
      const waiting = this.waiting.length;
      if (literal) o = literal(next) as Record<string, unknown>;
      else {
        o = {};
        for (const k of named) o[k] = next();
      }
      if (this.waiting.length !== waiting + 1) throw new Error('bad deferred list');
      this.waiting[waiting]!.owner = o as PendingList['owner'];
      return o;
    };
  }

  /** Objects whose deferred lists are still to be decoded, in the order they were met (see `fill`). */
  readonly waiting: PendingList[] = [];

  /** Fills the lists waiting from `from` on, and forgets them; returns how many could not be read. */
  fillFrom(from: number): number {
    let failed = 0;
    for (let i = from; i < this.waiting.length; i++) {
      try {
        this.fill(this.waiting[i]!);
      } catch {
        failed++;
      }
    }
    this.waiting.length = from;
    return failed;
  }

  /** Notes where a deferred list's tokens are (after its marker) and returns the list they will fill. */
  private defer(rules: boolean): unknown[] {
    if (this.p >= this.end) throw new Error('truncated');
    const head = this.tokens[this.p++]!;
    const count = head >>> 4;
    if ((head & 15) !== UINT || count === 0 || count > this.end - this.p) throw new Error('bad deferred value');
    const first = this.tokens[this.p]!;
    if ((first & 7) !== ARR) throw new Error('bad deferred value');
    // The window these tokens are in is not reused while a deferred value is in it (see `tokens`).
    const at = this.p;
    this.p += count;
    const list = new Array<unknown>(first >>> 4);
    this.waiting.push(new PendingList(list, this.tokens, at, count, rules));
    return list;
  }

  /**
   * Decodes a deferred list into its list: a route's rules, each with its `backendRefs` taken from the
   * route's list, or a Service's port nodes. Throws (leaving the list as it was) on tokens that do not
   * make such a list.
   */
  fill(pending: PendingList): void {
    const owner = pending.owner;
    if (!owner) throw new Error('deferred list without its object');
    const { tokens, p, end, start, shared, deferred, derivable } = this;
    this.deferred = true;
    this.derivable = pending.rules;
    try {
      const items = this.decode(pending.tokens, pending.at, pending.count);
      if (!Array.isArray(items) || items.length !== pending.list.length) throw new Error('bad list');
      if (pending.rules) {
        const routeRefs = owner.backendRefs;
        if (!Array.isArray(routeRefs)) throw new Error('deferred rules without a route');
        for (const r of items as unknown[]) {
          if (!(r instanceof Rule) || r.backendRefs !== DERIVED_REFS || typeof r.index !== 'number') throw new Error('bad rule');
          (r as { backendRefs: readonly BackendRefNode[] }).backendRefs = ruleRefs(routeRefs, r.index, items.length === 1);
        }
      } else {
        for (const x of items as unknown[]) if (x === null || typeof x !== 'object' || Object.getPrototypeOf(x) !== PORT_PROTO) throw new Error('bad port');
      }
      for (let i = 0; i < items.length; i++) pending.list[i] = items[i];
    } finally {
      this.tokens = tokens;
      this.p = p;
      this.end = end;
      this.start = start;
      this.shared = shared;
      this.deferred = deferred;
      this.derivable = derivable;
    }
  }

  /** The value of `tokens` [start, start + count). */
  decode(tokens: Uint32Array, start: number, count: number): unknown {
    if (start + count > tokens.length) throw new Error('out of range');
    this.tokens = tokens;
    this.p = this.start = start;
    this.end = start + count;
    this.shared = undefined;
    const v = this.next();
    if (this.p !== this.end) throw new Error('trailing tokens');
    return v;
  }

  private next(): unknown {
    if (this.p >= this.end) throw new Error('truncated');
    const at = this.p;
    const t = this.tokens[this.p++]!;
    const n = t >>> 4;
    let v: unknown;
    switch (t & 7) {
      case UINT:
        return n;
      case STR:
        if (n >= this.strings.length) throw new Error('bad string');
        return this.strings[n];
      case OBJ: {
        const build = this.build[n];
        if (!build) throw new Error('bad shape');
        v = build();
        break;
      }
      case ARR: {
        if (n > this.end - this.p) throw new Error('bad array');
        // Most lists have one to three items: array literals (see LITERALS).
        if (n <= 3) {
          v = n === 1 ? [this.next()] : n === 2 ? [this.next(), this.next()] : n === 3 ? [this.next(), this.next(), this.next()] : [];
          break;
        }
        const a = new Array<unknown>(n);
        for (let i = 0; i < n; i++) a[i] = this.next();
        v = a;
        break;
      }
      case REF:
        v = this.shared?.get(this.start + n);
        if (v === undefined) throw new Error('bad reference');
        return v;
      case NUM:
        if (this.p + 2 > this.end) throw new Error('truncated');
        scratchWords[0] = this.tokens[this.p++]!;
        scratchWords[1] = this.tokens[this.p++]!;
        return scratch[0];
      case CONST:
        if (n <= 4) return n === 0 ? undefined : n === 1 ? null : n === 4 ? -1 : n === 3;
        if (n === DERIVED && this.derivable) return DERIVED_REFS;
        if ((n === LAZY_RULES || n === LAZY_LIST) && !this.deferred) return this.defer(n === LAZY_RULES);
        throw new Error('bad constant');
      case FROZEN: {
        const head = this.p < this.end ? this.tokens[this.p]! : 0;
        const tag = head & 7;
        if (n !== 0 || (tag !== OBJ && tag !== ARR)) throw new Error('bad frozen value');
        if ((tag === ARR && head >>> 4 === 0) || (tag === OBJ && this.emptyShapes.has(head >>> 4))) {
          v = tag === ARR ? EMPTY_ARRAY : EMPTY_OBJECT;
          if (head & SHARED) (this.shared ??= new Map()).set(this.p, v);
          this.p++;
          return v;
        }
        // Frozen once built: a reference to it (registered by its own token) is the frozen object.
        return Object.freeze(this.next());
      }
      default:
        throw new Error('bad tag');
    }
    if (t & SHARED) (this.shared ??= new Map()).set(at, v);
    return v;
  }
}

/**
 * The routes' rules and the Services' ports taken from a cache opened with `deferLists`, still as
 * tokens. Such a list has its length but empty slots until it is filled: nothing may read rules or
 * ports before `fill` ran. A warm start's index needs neither, and they are ~45% of the objects a
 * cache holds: the indexer fills them after `ready`, a slice at a time, and at once before anything
 * reads them (an analysis, a request, writing the cache).
 */
export class DeferredLists {
  /** The first of the decoder's waiting lists not filled yet. */
  private next = 0;

  constructor(private readonly decoder: Decoder) {}

  /** Lists not filled yet. */
  get size(): number {
    return this.decoder.waiting.length - this.next;
  }

  /**
   * Fills lists until none are left, or until `deadline` (as `Date.now()`) has passed. Returns the
   * files with lists that could not be read (a damaged cache): those lists are left empty, and those
   * files must be read again.
   */
  fill(deadline = Infinity): string[] {
    const waiting = this.decoder.waiting;
    const failed: string[] = [];
    while (this.next < waiting.length) {
      const pending = waiting[this.next++]!;
      try {
        this.decoder.fill(pending);
      } catch {
        pending.list.length = 0;
        if (pending.owner && !failed.includes(pending.owner.file)) failed.push(pending.owner.file);
      }
      if ((this.next & 63) === 0 && Date.now() >= deadline) break;
    }
    if (this.next === waiting.length) {
      // The windows of tokens they were read from go with them.
      waiting.length = 0;
      this.next = 0;
    }
    return failed;
  }
}

/** Tokens read from the file at a time (8 MB): the cache is never held whole in memory. */
const WINDOW = 1 << 21;

export class ExtractionCache {
  /** Tokens [windowStart, windowStart + window.length) of the file. */
  private window: Uint32Array = new Uint32Array(0);
  private windowStart = 0;

  private constructor(
    readonly file: string,
    /** The index (Header.index) position of each file not taken yet. */
    private readonly entries: Map<string, number>,
    private readonly index: readonly number[],
    /** [key, first token, token count] of each folder's stored diagnostics. */
    private readonly published: ReadonlyMap<string, [string, number, number]>,
    private readonly decoder: Decoder | undefined,
    /** The open cache file (closed by `close`), its number of tokens and the bytes of lists after them. */
    private fd: number | undefined,
    private readonly tokenCount: number,
    private readonly listBytes: number,
    /** Why an existing cache file was not used, if it was not. */
    readonly discarded?: string,
    deferLists = false,
  ) {
    this.deferred = deferLists && decoder ? new DeferredLists(decoder) : undefined;
  }

  /**
   * The cache in `dir` (empty when there is none or it cannot be used); undefined without a folder.
   * Only its header is read here; the file stays open until `close`, and extractions are read as
   * they are taken, a window of tokens at a time.
   */
  static open(dir: string | undefined, options: { deferLists?: boolean } = {}): ExtractionCache | undefined {
    if (!dir) return undefined;
    const file = path.join(dir, CACHE_FILE);
    const none = (why?: string): ExtractionCache => new ExtractionCache(file, new Map(), [], new Map(), undefined, undefined, 0, 0, why);
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return none();
    }
    const discard = (why: string): ExtractionCache => {
      fs.closeSync(fd);
      return none(why);
    };
    try {
      const size = fs.fstatSync(fd).size;
      const trailer = size >= 8 ? readAt(fd, Buffer.alloc(8), size - 8) : undefined;
      if (!trailer || trailer.readUInt32LE(4) !== MARK) return discard(trailer?.readUInt32LE(4) === 0x31434c47 ? 'another format' : 'corrupt');
      const headerLength = trailer.readUInt32LE(0);
      if (headerLength > size - 8) return discard('corrupt');
      const header = JSON.parse(readAt(fd, Buffer.alloc(headerLength), size - 8 - headerLength).toString('utf8')) as Header;
      if (!header || typeof header !== 'object' || header.format !== FORMAT) return discard('another format');
      if (header.engine !== engineId()) return discard('another engine build');
      const { tokens: count, lists, strings, shapes, index, published } = header;
      if (!Array.isArray(strings) || !Array.isArray(shapes) || !Array.isArray(index) || !Array.isArray(published)) return discard('corrupt');
      if (!Number.isInteger(count) || !Number.isInteger(lists) || count < 0 || lists < 0 || count * 4 + lists !== size - 8 - headerLength) return discard('corrupt');
      if (!shapes.every((s) => Array.isArray(s) && s.every((k) => typeof k === 'string'))) return discard('corrupt');
      // A stored class's shape that none of this build's classes has: its objects would come back
      // without their class (a format change that was not marked as one).
      if (shapes.some((s) => s[0]?.startsWith('#') && !isStoredClassShape(s))) return discard('another format');
      const inRange = (start: unknown, n: unknown): boolean => typeof start === 'number' && typeof n === 'number' && start >= 0 && n >= 0 && start + n <= count;
      const entries = new Map<string, number>();
      for (let i = 0; i + 5 <= index.length; i += 5) {
        const p = strings[index[i]!];
        if (typeof p !== 'string' || !inRange(index[i + 3], index[i + 4])) return discard('corrupt');
        entries.set(p, i);
      }
      const folders = new Map<string, [string, number, number]>();
      for (const e of published) {
        if (!Array.isArray(e) || typeof e[0] !== 'string' || typeof e[1] !== 'string' || !inRange(e[2], e[3])) return discard('corrupt');
        folders.set(e[0], [e[1], e[2], e[3]]);
      }
      return new ExtractionCache(file, entries, index, folders, new Decoder(strings, shapes), fd, count, lists, undefined, options.deferLists);
    } catch {
      return discard('corrupt');
    }
  }

  /** Closes the file: nothing more can be taken. */
  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
    this.window = new Uint32Array(0);
  }

  /** The tokens [start, start + count) of the file: the window holding them, and where they start in it. */
  private tokens(start: number, count: number): [Uint32Array, number] {
    if (start >= this.windowStart && start + count <= this.windowStart + this.window.length) return [this.window, start - this.windowStart];
    if (this.fd === undefined) throw new Error('closed');
    // Entries are read in about the order they were written: the window moves forward.
    const n = Math.min(Math.max(count, WINDOW), this.tokenCount - start);
    // The window's buffer is reused when large enough (an unpooled buffer: aligned for the view),
    // unless deferred values still point into it.
    const reuse = this.window.byteOffset === 0 && this.window.buffer.byteLength >= n * 4 && this.decoder?.waiting.length === 0;
    const into = reuse ? Buffer.from(this.window.buffer, 0, n * 4) : Buffer.allocUnsafeSlow(n * 4);
    const bytes = readAt(this.fd, into, start * 4);
    this.window = new Uint32Array(bytes.buffer, bytes.byteOffset, n);
    this.windowStart = start;
    return [this.window, 0];
  }

  /** Entries not taken (yet). */
  get size(): number {
    return this.entries.size;
  }

  /** True when the cache holds `file` (not taken yet) with this size and mtime. */
  has(file: string, size: number, mtimeMs: number): boolean {
    return this.entryOf(file, size, mtimeMs) !== undefined;
  }

  /** The index position of `file`'s entry, when it is not taken and has this size and mtime. */
  private entryOf(file: string, size: number, mtimeMs: number): number | undefined {
    const i = this.entries.get(file);
    return i !== undefined && this.index[i + 1] === size && this.index[i + 2] === mtimeMs ? i : undefined;
  }

  /**
   * The cached extraction of `file` when its size and mtime are unchanged. It is handed over (the
   * snapshot resolves its objects in place), so each entry is given out once.
   */
  take(file: string, size: number, mtimeMs: number): ExtractedFile | undefined {
    const i = this.entryOf(file, size, mtimeMs);
    if (i === undefined) return undefined;
    this.entries.delete(file);
    const decoder = this.decoder!;
    const waiting = decoder.waiting.length;
    let ex: ExtractedFile | undefined;
    try {
      ex = decoder.decode(...this.tokens(this.index[i + 3]!, this.index[i + 4]!), this.index[i + 4]!) as ExtractedFile;
      if (!ex || typeof ex !== 'object' || ex.path !== file || !Array.isArray(ex.objects)) ex = undefined;
      // Without `deferLists`, the file's rules and ports are decoded now.
      else if (!this.deferred && decoder.fillFrom(waiting) > 0) ex = undefined;
    } catch {
      ex = undefined;
    }
    if (!ex) {
      decoder.waiting.length = waiting;
      return undefined;
    }
    // One path string shared by the file's objects, as a fresh extraction has.
    for (const o of ex.objects) (o as { file: string }).file = file;
    return ex;
  }

  /**
   * With `deferLists`: the rules and ports the extractions taken so far hold only as tokens (their
   * lists are empty slots until filled): see DeferredLists.
   */
  readonly deferred: DeferredLists | undefined;

  /** The key of the diagnostics stored for the folder at `root` (see `FolderDiagnostics`), read without them. */
  diagnosticsKey(root: string): string | undefined {
    return this.published.get(root)?.[0];
  }

  /** The diagnostics stored for the folder at `root`, if any (see `FolderDiagnostics`). */
  diagnostics(root: string): FolderDiagnostics | undefined {
    const where = this.published.get(root);
    if (!where) return undefined;
    let d: StoredDiagnostics;
    try {
      d = this.decoder!.decode(...this.tokens(where[1], where[2]), where[2]) as StoredDiagnostics;
    } catch {
      return undefined;
    }
    if (!Array.isArray(d) || typeof d[0] !== 'string' || !Array.isArray(d[1]) || !Array.isArray(d[2]) || !Array.isArray(d[3]) || d[3].length !== d[2].length * 2 || typeof d[4] !== 'string') return undefined;
    const [key, paths, files, at, hash] = d;
    // A folder's lists were written one after the other: one read for all of them.
    let from = this.listBytes;
    let to = 0;
    for (let i = 0; i < at.length; i += 2) {
      const start = at[i]!;
      const length = at[i + 1]!;
      if (!Number.isInteger(start) || !Number.isInteger(length) || start < 0 || length < 2 || start + length > this.listBytes) return undefined;
      from = Math.min(from, start);
      to = Math.max(to, start + length);
    }
    const diagnostics = new Map<string, Uint8Array>();
    if (files.length === 0) return { key, paths, diagnostics };
    let bytes: Buffer;
    try {
      if (this.fd === undefined) throw new Error('closed');
      bytes = readAt(this.fd, Buffer.allocUnsafeSlow(to - from), this.tokenCount * 4 + from);
    } catch {
      return undefined;
    }
    for (let i = 0; i < files.length; i++) diagnostics.set(files[i]!, bytes.subarray(at[i * 2]! - from, at[i * 2]! - from + at[i * 2 + 1]!));
    // The folder's lists lie back to back: their hash is that of the bytes read.
    if (createHash('sha1').update(bytes).digest('hex') !== hash) return undefined;
    return { key, paths, diagnostics };
  }

  /**
   * Replaces the cache file with `entries` (written to a temporary file, then renamed), one
   * extraction at a time: only the string and shape tables and about a megabyte of tokens are held.
   * `pause` is awaited every few milliseconds of work, so that a large cache does not hold up
   * requests. An entry that cannot be stored (not plain data) is left out.
   */
  static async write(file: string, entries: Iterable<[string, CacheEntry]>, published: ReadonlyMap<string, FolderDiagnostics> = new Map(), pause?: () => Promise<void>): Promise<void> {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // One name: a write cut short by the end of the process is overwritten by the next one.
    const tmp = `${file}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    try {
      const enc = new Encoder();
      const index: number[] = [];
      /** Tokens written so far. */
      let written = 0;
      const flush = (): void => {
        const t = enc.drain();
        if (t.length) fs.writeSync(fd, t);
        written += t.length;
      };
      const store = (value: unknown): [number, number] | undefined => {
        let start: number;
        try {
          start = enc.encode(value);
        } catch {
          return undefined;
        }
        const at: [number, number] = [written + start, enc.length - start];
        if (enc.length > 1 << 18) flush();
        return at;
      };
      let slice = Date.now();
      for (const [p, e] of entries) {
        const at = store(e.extracted);
        if (at) index.push(enc.string(p), e.size, e.mtimeMs, at[0], at[1]);
        if (pause && Date.now() - slice >= SLICE_MS) {
          await pause();
          slice = Date.now();
        }
      }
      const folders: Header['published'] = [];
      // The lists go after every token, in this order; each folder's refers to its own by offset.
      const lists: Uint8Array[] = [];
      let listBytes = 0;
      for (const [root, d] of published) {
        const at: number[] = [];
        const hash = createHash('sha1');
        for (const list of d.diagnostics.values()) {
          const json = diagnosticsJson(list);
          at.push(listBytes, json.byteLength);
          hash.update(json);
          lists.push(json);
          listBytes += json.byteLength;
          if (pause && Date.now() - slice >= SLICE_MS) {
            await pause();
            slice = Date.now();
          }
        }
        const stored: StoredDiagnostics = [d.key, [...d.paths], [...d.diagnostics.keys()], at, hash.digest('hex')];
        const where = store(stored);
        if (where) folders.push([root, d.key, where[0], where[1]]);
      }
      flush();
      for (const list of lists) fs.writeSync(fd, list);
      const header: Header = { format: FORMAT, engine: engineId(), tokens: written, lists: listBytes, strings: enc.strings, shapes: enc.shapes, index, published: folders };
      const h = Buffer.from(JSON.stringify(header), 'utf8');
      const trailer = Buffer.alloc(8);
      trailer.writeUInt32LE(h.length, 0);
      trailer.writeUInt32LE(MARK, 4);
      fs.writeSync(fd, h);
      fs.writeSync(fd, trailer);
      fs.closeSync(fd);
      fs.renameSync(tmp, file);
    } finally {
      try {
        fs.closeSync(fd);
      } catch {
        /* closed above */
      }
      fs.rmSync(tmp, { force: true });
    }
  }
}
