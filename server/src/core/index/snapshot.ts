/**
 * The immutable workspace snapshot. Applying file changes yields a new snapshot that shares
 * everything the change did not touch; lookups by kind/namespace/name and by target Service are
 * indexed. Binding results are computed lazily per Service and carried over to the next snapshot
 * for every Service the change cannot affect.
 */
import { extractFile, isKustomizationPath, summarizeDocuments } from '../model/extract';
import type { DocumentSummary, ExtractedFile, Suppression } from '../model/extract';
import { refTarget } from '../model/nodes';
import { isRoute, isService } from '../model/types';
import type {
  BackendRefNode,
  K8sObject,
  KustomizationObject,
  NamespaceSource,
  ParentRefNode,
  RouteObject,
  ServiceObject,
} from '../model/types';
import { DEFAULT_OPTIONS } from '../options';
import type { EngineOptions } from '../options';
import { LineIndex } from '../text';
import type { ReadProblem } from '../yaml/documents';
import { LayeredMap } from './layered';
import { dirname, kustomizeNamespace, resolveNamespace } from './namespaces';

/** A parentRef or backendRef of a route that names a Service (by kind, whatever the group). */
export interface ServiceReference {
  readonly route: RouteObject;
  readonly type: 'parent' | 'backend';
  readonly parentRef?: ParentRefNode;
  readonly backendRef?: BackendRefNode;
  /** `namespace/name` of the Service it names. */
  readonly target: string;
}

/** One file as indexed. */
export interface IndexedFile {
  readonly path: string;
  readonly text: string;
  /** Editor version when the text came from an open buffer. */
  readonly version?: number;
  readonly objects: readonly K8sObject[];
  readonly problems: readonly ReadProblem[];
  /** Every `---` document, for outlines: listed from the text when read (which may read the file). */
  readonly documents: readonly DocumentSummary[];
  readonly suppressions: readonly Suppression[];
  /** Why the whole file was skipped (binary, too large, ...), when it was. */
  readonly skipped?: ReadProblem;
  lines(): LineIndex;
}

export interface FileChange {
  readonly path: string;
  /** New text; `null` removes the file. */
  readonly text: string | null;
  readonly version?: number;
  /** Marks a file that was not read (binary, too large): kept for reporting, with no objects. */
  readonly skipped?: ReadProblem;
  /**
   * The file's extraction, ready (from a cache of an earlier run): used instead of parsing `text`.
   * The snapshot takes it over (its objects are resolved in place), so it must not be shared.
   */
  readonly extracted?: ExtractedFile;
  /**
   * Reads the text on demand instead of keeping `text` (which is then ignored unless `null`): for
   * files whose text is needed only for positions and edits. It must return the text that was
   * extracted, and is called at most once per indexed file.
   */
  readonly readText?: () => string;
  /**
   * With `readText`: the text's `lineStarts`, so that positions (of the findings published for a
   * file nobody has open, say) are computed without reading the text again.
   */
  readonly lineStarts?: Uint32Array;
}

/*
 * Index keys are made once per distinct (kind,) namespace and name and then reused. A key made anew
 * for every lookup is a fresh concatenation that the map must flatten and hash each time: at 100k
 * documents that was most of the time spent resolving refs. The names come from the index (shared
 * strings whose hashes V8 keeps), so finding the made key costs two or three cheap probes. Bounded:
 * the caches start over past KEYS_MAX keys (refs may name any number of missing Services).
 */
const SERVICE_KEYS = new Map<string, Map<string, string>>();
const OBJECT_KEYS = new Map<string, Map<string, Map<string, string>>>();
const KEYS_MAX = 1 << 18;
let keyCount = 0;

function inner<K, V>(map: Map<K, Map<string, V>>, k: K): Map<string, V> {
  let m = map.get(k);
  if (m === undefined) map.set(k, (m = new Map()));
  return m;
}

/** Remembers a key made for `name`, starting the caches over when they hold too many. */
function remember(byName: Map<string, string>, name: string, key: string): string {
  if (++keyCount > KEYS_MAX) {
    SERVICE_KEYS.clear();
    OBJECT_KEYS.clear();
    keyCount = 0;
  }
  byName.set(name, key);
  return key;
}

// Keys are joined rather than concatenated: `join` makes one flat string, where `+` or a template
// makes a tree of partial strings that the map keeps (about 150 bytes a key instead of about 60).
function joinedObjectKey(kind: string, namespace: string, name: string): string {
  return [kind, namespace, name].join('/');
}

export function serviceKey(namespace: string, name: string): string {
  const byName = inner(SERVICE_KEYS, namespace);
  return byName.get(name) ?? remember(byName, name, [namespace, name].join('/'));
}

function objectKey(kind: string, namespace: string, name: string): string {
  const byName = inner(inner(OBJECT_KEYS, kind), namespace);
  return byName.get(name) ?? remember(byName, name, joinedObjectKey(kind, namespace, name));
}

function compareObjects(a: K8sObject, b: K8sObject): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.docIndex - b.docIndex || a.itemIndex - b.itemIndex;
}

/**
 * One indexed file. Its text is given, or read on first use through the reader the change gave
 * (FileChange.readText), and then may be let go again (`releaseText`).
 */
class SnapshotFile implements IndexedFile {
  private textValue: string | undefined;
  private lineIndex: LineIndex | undefined;

  constructor(
    extracted: ExtractedFile,
    source: string | (() => string),
    readonly version: number | undefined,
    readonly objects: readonly K8sObject[],
    readonly skipped?: ReadProblem,
    /** The `lineStarts` of a text read on demand. */
    readonly starts?: Uint32Array,
  ) {
    this.path = extracted.path;
    this.problems = extracted.problems;
    this.suppressions = extracted.suppressions;
    if (typeof source === 'string') this.textValue = source;
    else this.read = source;
  }

  readonly path: string;
  readonly problems: readonly ReadProblem[];
  readonly suppressions: readonly Suppression[];
  private readonly read: (() => string) | undefined;

  get text(): string {
    return (this.textValue ??= this.read!());
  }

  /** Listed from the text when asked (outlines of open files), not kept. */
  get documents(): readonly DocumentSummary[] {
    return this.skipped ? [] : summarizeDocuments(this.text, this.objects);
  }

  lines(): LineIndex {
    return (this.lineIndex ??= this.textValue === undefined && this.starts ? LineIndex.fromStarts(this.starts, () => this.text) : new LineIndex(this.text));
  }

  /** The text, or its reader while it has not been read: what a copy of this file starts from. */
  source(): string | (() => string) {
    return this.textValue ?? this.read ?? '';
  }

  /** Forgets a text that was read on demand, and its line index; a given text stays. */
  release(): void {
    if (!this.read) return;
    this.textValue = undefined;
    this.lineIndex = undefined;
  }
}

function sourceOf(file: IndexedFile): string | (() => string) {
  return file instanceof SnapshotFile ? file.source() : file.text;
}

/**
 * Forgets the text of a file that was read on demand (FileChange.readText) and its line index: the
 * next use reads it again. For files whose findings were published and that nobody has open, so
 * that the texts read to publish diagnostics do not stay in memory. Files whose text was given are
 * left as they are.
 */
export function releaseText(file: IndexedFile): void {
  if (file instanceof SnapshotFile) file.release();
}

function makeFile(extracted: ExtractedFile, source: string | (() => string), version: number | undefined, objects: K8sObject[], skipped?: ReadProblem, starts?: Uint32Array): IndexedFile {
  return new SnapshotFile(extracted, source, version, objects, skipped, typeof source === 'function' ? starts : undefined);
}

function startsOf(file: IndexedFile): Uint32Array | undefined {
  return file instanceof SnapshotFile ? file.starts : undefined;
}

/** The references of a route that name a Service (by kind), in order. */
function forEachReference(route: RouteObject, each: (r: ServiceReference) => void): void {
  const parents = route.parentRefs;
  for (let i = 0; i < parents.length; i++) {
    const p = parents[i]!;
    const t = refTarget(p);
    if (t.kind !== 'Service' || t.name === undefined) continue;
    each({ route, type: 'parent', parentRef: p, target: serviceKey(t.namespace || route.namespace, t.name) });
  }
  const backends = route.backendRefs;
  for (let i = 0; i < backends.length; i++) {
    const b = backends[i]!;
    const t = refTarget(b);
    if ((t.kind ?? 'Service') !== 'Service' || t.name === undefined) continue;
    each({ route, type: 'backend', backendRef: b, target: serviceKey(t.namespace ?? route.namespace, t.name) });
  }
}

function referencesOf(route: RouteObject): ServiceReference[] {
  const out: ServiceReference[] = [];
  forEachReference(route, (r) => out.push(r));
  return out;
}

/**
 * A new list of `list`'s items and `item`, of exactly that size: a spread (`[...list, item]`) gives
 * even a one-item list room for 17, which over a large workspace's index lists is megabytes.
 */
function appended<T>(list: readonly T[] | undefined, item: T): T[] {
  return list === undefined || list.length === 0 ? [item] : list.concat([item]);
}

/** Memoised per-snapshot results, keyed by whatever the producer chooses. */
export type Memo = Map<string, unknown>;

export class Workspace {
  private constructor(
    readonly options: EngineOptions,
    // Layered maps: a snapshot shares the previous one's entries and holds only its changes.
    private readonly fileMap: LayeredMap<string, IndexedFile>,
    private readonly extracted: LayeredMap<string, ExtractedFile>,
    private readonly byKey: LayeredMap<string, readonly K8sObject[]>,
    private readonly refsByTarget: LayeredMap<string, readonly ServiceReference[]>,
    private readonly kustomizationsByDir: LayeredMap<string, KustomizationObject>,
    /** Results computed per Service key (bindings), by Service key then memo key; see `memo`. */
    private readonly serviceMemo: LayeredMap<string, Map<string, unknown>>,
    private readonly objectCount: number,
    /** Service names per namespace and namespaces per Service name, in `services()` order. */
    private readonly namesByNamespace: LayeredMap<string, readonly string[]>,
    private readonly namespacesByName: LayeredMap<string, readonly string[]>,
  ) {}

  private readonly derivedCache = new Map<string, unknown>();

  static empty(options: EngineOptions = DEFAULT_OPTIONS): Workspace {
    return new Workspace(options, LayeredMap.empty(), LayeredMap.empty(), LayeredMap.empty(), LayeredMap.empty(), LayeredMap.empty(), LayeredMap.empty(), 0, LayeredMap.empty(), LayeredMap.empty());
  }

  /** Builds a snapshot from many files at once. */
  static fromFiles(files: Iterable<FileChange>, options: EngineOptions = DEFAULT_OPTIONS): Workspace {
    return Workspace.empty(options).withFiles(files);
  }

  get fileCount(): number {
    return this.fileMap.size;
  }

  get resourceCount(): number {
    return this.objectCount;
  }

  files(): IterableIterator<IndexedFile> {
    return this.fileMap.values();
  }

  file(path: string): IndexedFile | undefined {
    return this.fileMap.get(path);
  }

  /** Every definition of `kind/namespace/name`, ordered by file path and position. */
  lookup(kind: string, namespace: string, name: string): readonly K8sObject[] {
    return this.byKey.get(objectKey(kind, namespace, name)) ?? [];
  }

  /** The Service used for `namespace/name`: the first definition by file path. */
  service(namespace: string, name: string): ServiceObject | undefined {
    const found = this.lookup('Service', namespace, name)[0];
    return found && isService(found) ? found : undefined;
  }

  /** Every route parentRef and backendRef that names `namespace/name` as a Service. */
  referencesTo(namespace: string, name: string): readonly ServiceReference[] {
    return this.refsByTarget.get(serviceKey(namespace, name)) ?? [];
  }

  *objects(): IterableIterator<K8sObject> {
    for (const f of this.fileMap.values()) yield* f.objects;
  }

  *services(): IterableIterator<ServiceObject> {
    for (const [key, objs] of this.byKey) {
      if (!key.startsWith('Service/')) continue;
      const first = objs[0];
      if (first && isService(first)) yield first;
    }
  }

  *routes(): IterableIterator<RouteObject> {
    for (const f of this.fileMap.values()) for (const o of f.objects) if (isRoute(o)) yield o;
  }

  /** Memoised computation for one Service key, dropped when a change may affect that Service. */
  memo<T>(key: string, compute: () => T): T {
    const svc = key.slice(key.indexOf(':') + 1);
    let entries = this.serviceMemo.get(svc);
    if (entries?.has(key)) return entries.get(key) as T;
    // A snapshot that a newer one was derived from keeps its other results per snapshot.
    if (!entries && this.serviceMemo.isFrozen) return this.derived(`memo:${key}`, compute);
    const value = compute();
    // Entries carried over from the previous snapshot are shared with it; valid in both, since the
    // change between them could not affect this Service.
    if (!entries) {
      entries = new Map();
      this.serviceMemo.set(svc, entries);
    }
    entries.set(key, value);
    return value;
  }

  /**
   * A value derived from the whole snapshot (for example a name index), computed once per snapshot
   * and never carried over to the next one.
   */
  derived<T>(key: string, compute: () => T): T {
    if (this.derivedCache.has(key)) return this.derivedCache.get(key) as T;
    const value = compute();
    this.derivedCache.set(key, value);
    return value;
  }

  /** Service names by namespace, for "did you mean" and completion. */
  serviceNamesByNamespace(): ReadonlyMap<string, readonly string[]> {
    // Kept up to date by withFiles (recomputing it per snapshot cost O(Services) per edit).
    return this.namesByNamespace;
  }

  /** Namespaces holding a Service of each name, for "exists in namespace ..." hints. */
  serviceNamespacesByName(): ReadonlyMap<string, readonly string[]> {
    return this.namespacesByName;
  }

  /** A snapshot with other options: everything is re-resolved (namespaces may change). */
  withOptions(options: EngineOptions): Workspace {
    const changes: FileChange[] = [];
    // Texts not read yet stay unread: the new files read them through the old ones.
    for (const f of this.fileMap.values()) {
      const source = f.skipped ? null : sourceOf(f);
      changes.push({ path: f.path, text: typeof source === 'function' ? '' : source, readText: typeof source === 'function' ? source : undefined, lineStarts: startsOf(f), version: f.version, skipped: f.skipped });
    }
    let ws = Workspace.empty(options);
    ws = ws.withExtracted(changes.map((c) => ({ change: c, extracted: this.extracted.get(c.path) })));
    return ws;
  }

  /**
   * Applies changes and returns the new snapshot; this one is left as it was. A change may carry its
   * extraction (`FileChange.extracted`, e.g. from a cache) and a lazy text (`FileChange.readText`).
   */
  withFiles(changes: Iterable<FileChange>): Workspace {
    return this.withExtracted(Workspace.listOf(changes));
  }

  /**
   * Like `withFiles`, but takes this snapshot's indexes over and changes them in place, unless a
   * snapshot was already derived from it: for building a workspace in many batches (an initial
   * scan), where each batch's layers would otherwise pile up and every lookup walk them. This
   * snapshot must not be used afterwards.
   */
  withFilesInPlace(changes: Iterable<FileChange>): Workspace {
    return this.withExtracted(Workspace.listOf(changes), true);
  }

  private static listOf(changes: Iterable<FileChange>): Array<{ change: FileChange; extracted?: ExtractedFile }> {
    const list: Array<{ change: FileChange; extracted?: ExtractedFile }> = [];
    for (const change of changes) list.push({ change });
    return list;
  }

  /**
   * The same snapshot with its indexes flattened, so lookups do not walk the layers left by many
   * `withFiles` batches (as after an initial scan). This one is left as it was, except when it was
   * built in place (`withFilesInPlace`): it is then returned itself, with the lists its batches
   * appended to cut to their size.
   */
  compacted(): Workspace {
    const maps = [this.fileMap, this.extracted, this.byKey, this.refsByTarget, this.kustomizationsByDir, this.serviceMemo, this.namesByNamespace, this.namespacesByName];
    // Built in place: nothing to flatten.
    if (maps.every((m) => m.isFlat)) {
      for (const m of [this.refsByTarget, this.namesByNamespace, this.namespacesByName] as Array<LayeredMap<string, readonly unknown[]>>) {
        if (!m.ownsValues) continue;
        for (const [key, list] of m) if (list.length > 1) m.set(key, list.slice());
      }
      return this;
    }
    return new Workspace(
      this.options,
      this.fileMap.flattened(),
      this.extracted.flattened(),
      this.byKey.flattened(),
      this.refsByTarget.flattened(),
      this.kustomizationsByDir.flattened(),
      this.serviceMemo.flattened(),
      this.objectCount,
      this.namesByNamespace.flattened(),
      this.namespacesByName.flattened(),
    );
  }

  /**
   * Keys of Services whose memoised results depend on these objects; a Namespace (its waypoint
   * label decides how routes bind in istio-ambient) affects every Service in it: `namespaces`.
   */
  private static affectedKeys(objects: readonly K8sObject[], into: Set<string>, namespaces: Set<string>): void {
    for (const o of objects) {
      if (o.kind === 'Service') into.add(serviceKey(o.namespace, o.name));
      else if (isRoute(o)) for (const r of referencesOf(o)) into.add(r.target);
      else if (o.kind === 'Namespace') namespaces.add(o.name);
    }
  }

  private withExtracted(list: Array<{ change: FileChange; extracted?: ExtractedFile }>, inPlace = false): Workspace {
    const own = <K, V>(m: LayeredMap<K, V>): LayeredMap<K, V> => (inPlace && !m.isFrozen ? m : m.fork());
    const files = own(this.fileMap);
    const extracted = own(this.extracted);
    const byKey = own(this.byKey);
    const refs = own(this.refsByTarget);
    const kustomizations = own(this.kustomizationsByDir);
    const namesByNs = own(this.namesByNamespace);
    const nsByName = own(this.namespacesByName);
    // The name indexes hold the Service keys that `services()` yields: those whose first object is
    // a Service. A key is appended when it starts to qualify and removed when it stops.
    // Lists made by this call belong to no older snapshot: append to them in place (a copy per item
    // was quadratic for a Service named by many routes, or a namespace of many Services, in one batch).
    // So do all the lists of a map that only in-place batches ever changed (an initial scan): those
    // are cut to their size by `compacted` once the scan is done.
    const owned = new Map<readonly unknown[], () => void>();
    const appendOwned = <T>(map: LayeredMap<string, readonly T[]>, key: string, item: T): void => {
      const list = map.get(key);
      if (inPlace && map.ownsValues) {
        if (list) (list as T[]).push(item);
        else map.set(key, [item]);
      } else if (list && owned.has(list)) (list as T[]).push(item);
      else {
        const copy = appended(list, item);
        // Pushing gives a list room for 17 items; kept lists are trimmed to their size at the end.
        owned.set(copy, () => {
          if (copy.length > 1 && map.get(key) === copy) map.set(key, copy.slice());
        });
        map.set(key, copy);
      }
    };
    const serviceKeyChanged = (ns: string, name: string, before: readonly K8sObject[] | undefined, after: readonly K8sObject[] | undefined): void => {
      const was = before !== undefined && before.length > 0 && isService(before[0]!);
      const now = after !== undefined && after.length > 0 && isService(after[0]!);
      if (was === now) return;
      if (now) {
        appendOwned(namesByNs, ns, name);
        appendOwned(nsByName, name, ns);
        return;
      }
      const names = (namesByNs.get(ns) ?? []).filter((n) => n !== name);
      if (names.length) namesByNs.set(ns, names);
      else namesByNs.delete(ns);
      const spaces = (nsByName.get(name) ?? []).filter((n) => n !== ns);
      if (spaces.length) nsByName.set(name, spaces);
      else nsByName.delete(name);
    };
    // An initial scan: nearly every key is new, so the key caches would only be filled, not used.
    const scan = inPlace && byKey.ownsValues;
    const affected = new Set<string>();
    const affectedNamespaces = new Set<string>();
    // Memoised results to drop: none to look for while nothing is memoised (an initial scan).
    const tracked = this.serviceMemo.size > 0;
    let objectCount = this.objectCount;
    let kustomizationsChanged = false;

    const removeObjects = (file: IndexedFile): void => {
      if (tracked) Workspace.affectedKeys(file.objects, affected, affectedNamespaces);
      objectCount -= file.objects.length;
      for (const o of file.objects) {
        const key = objectKey(o.kind, o.namespace, o.name);
        const before = byKey.get(key);
        const bucket = before?.filter((x) => x !== o);
        if (bucket && bucket.length) byKey.set(key, bucket);
        else byKey.delete(key);
        if (o.kind === 'Service') serviceKeyChanged(o.namespace, o.name, before, bucket);
        if (isRoute(o)) {
          for (const r of referencesOf(o)) {
            const b = refs.get(r.target)?.filter((x) => x.route !== o);
            if (b && b.length) refs.set(r.target, b);
            else refs.delete(r.target);
          }
        }
      }
    };
    const addObjects = (objects: readonly K8sObject[]): void => {
      if (tracked) Workspace.affectedKeys(objects, affected, affectedNamespaces);
      objectCount += objects.length;
      for (let i = 0; i < objects.length; i++) {
        const o = objects[i]!;
        const key = scan ? joinedObjectKey(o.kind, o.namespace, o.name) : objectKey(o.kind, o.namespace, o.name);
        const before = byKey.get(key);
        const bucket = appended(before, o);
        if (bucket.length > 1) bucket.sort(compareObjects);
        byKey.set(key, bucket);
        if (o.kind === 'Service') serviceKeyChanged(o.namespace, o.name, before, bucket);
        else if (isRoute(o)) forEachReference(o, (r) => appendOwned(refs, r.target, r));
      }
    };

    // First pass: extract and register kustomizations, so that namespaces resolve against the new set.
    const pending: Array<{ change: FileChange; ex?: ExtractedFile; fresh?: boolean }> = [];
    for (const { change, extracted: pre } of list) {
      const old = files.get(change.path);
      if (old && isKustomizationPath(change.path)) {
        kustomizations.delete(dirname(change.path));
        kustomizationsChanged = true;
      }
      if (change.text === null) {
        if (old) {
          removeObjects(old);
          files.delete(change.path);
          extracted.delete(change.path);
        }
        if (change.skipped) files.set(change.path, makeFile({ path: change.path, objects: [], problems: [], suppressions: [] }, '', undefined, [], change.skipped));
        continue;
      }
      const given = pre ?? change.extracted;
      const ex = given ?? extractFile(change.path, change.text);
      if (isKustomizationPath(change.path)) {
        const k = ex.objects.find((o): o is KustomizationObject => o.kind === 'Kustomization');
        if (k) kustomizations.set(dirname(change.path), k);
        kustomizationsChanged = true;
      }
      // Extractions made here or handed over with the change belong to no other snapshot.
      pending.push({ change, ex, fresh: pre === undefined });
    }

    const resolve = (ex: ExtractedFile): K8sObject[] => {
      const kns = kustomizeNamespace(ex.path, kustomizations);
      return ex.objects.map((o) => ({ ...o, ...resolveNamespace(o, kns, this.options.defaultNamespace) }) as K8sObject);
    };

    for (const { change, ex, fresh } of pending) {
      if (!ex) continue;
      const old = files.get(change.path);
      if (old) removeObjects(old);
      let objects: K8sObject[];
      if (fresh) {
        // Objects extracted here belong to no other snapshot: resolve them in place instead of
        // copying each one. Resolution reads only kind and metadata.namespace, so re-resolving them
        // later (another kustomization, other options) works from these objects as well.
        const kns = kustomizeNamespace(ex.path, kustomizations);
        for (const o of ex.objects) {
          const r = resolveNamespace(o, kns, this.options.defaultNamespace);
          const m = o as { namespace: string; namespaceSource: NamespaceSource };
          m.namespace = r.namespace;
          m.namespaceSource = r.namespaceSource;
        }
        objects = ex.objects as K8sObject[];
      } else objects = resolve(ex);
      files.set(change.path, makeFile(ex, change.readText ?? change.text ?? '', change.version, objects, undefined, change.lineStarts));
      extracted.set(change.path, ex);
      addObjects(objects);
    }

    // A changed kustomization may move objects of other files to another namespace.
    if (kustomizationsChanged && this.fileMap.size > 0) {
      const changed = new Set(pending.map((p) => p.change.path));
      for (const [path, file] of files) {
        if (changed.has(path) || file.objects.length === 0) continue;
        const ex = extracted.get(path);
        if (!ex) continue;
        const objects = resolve(ex);
        if (objects.every((o, i) => o.namespace === file.objects[i]?.namespace)) continue;
        removeObjects(file);
        files.set(path, makeFile(ex, sourceOf(file), file.version, objects, undefined, startsOf(file)));
        addObjects(objects);
      }
    }

    for (const trim of owned.values()) trim();

    let memo: LayeredMap<string, Map<string, unknown>>;
    if (this.fileMap.size === 0) memo = LayeredMap.empty();
    else {
      memo = own(this.serviceMemo);
      for (const svc of affected) memo.delete(svc);
      for (const ns of affectedNamespaces) {
        for (const name of this.namesByNamespace.get(ns) ?? []) memo.delete(serviceKey(ns, name));
        for (const name of namesByNs.get(ns) ?? []) memo.delete(serviceKey(ns, name));
      }
    }
    return new Workspace(this.options, files, extracted, byKey, refs, kustomizations, memo, objectCount, namesByNs, nsByName);
  }
}
