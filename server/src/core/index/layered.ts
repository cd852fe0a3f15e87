/**
 * A map for immutable snapshots that share structure: `fork()` gives a new map whose changes are
 * kept in a layer over this one, so deriving a snapshot costs O(changes) instead of copying every
 * entry (a 100k-document workspace has ~60k index keys). After a number of layers, a fork starts
 * from a flat copy again, so lookups stay within a few Map probes. Iteration order is exactly that of
 * a `Map` that received the same operations (a layer replays its log onto a copy when iterated).
 */
const DELETED: unique symbol = Symbol('deleted');
const MAX_DEPTH = 32;

export class LayeredMap<K, V> implements ReadonlyMap<K, V> {
  /** The contents of a root map (no parent). */
  private readonly flat: Map<K, V> | undefined;
  /** A layered map's contents as a Map, built for iteration; dropped when the map changes. */
  private cache: Map<K, V> | undefined;
  /** This layer's latest value per key (DELETED for a removal). */
  private readonly last = new Map<K, V | typeof DELETED>();
  /** This layer's operations in order, replayed over the parent to rebuild Map order. */
  private readonly log: Array<[K, V | typeof DELETED]> = [];
  private count: number;
  private frozen = false;

  private constructor(
    private readonly parent: LayeredMap<K, V> | undefined,
    private readonly depth: number,
    flat: Map<K, V> | undefined,
    /** Started empty: every value was put into this map itself (see `ownsValues`). */
    private readonly fresh = false,
  ) {
    this.flat = flat;
    this.count = flat ? flat.size : (parent?.size ?? 0);
  }

  static empty<K, V>(): LayeredMap<K, V> {
    return new LayeredMap<K, V>(undefined, 0, new Map(), true);
  }

  /** A new map starting with this one's contents. This map must not be changed afterwards. */
  fork(): LayeredMap<K, V> {
    this.frozen = true;
    if (this.count === 0) return LayeredMap.empty();
    // Flatten when lookups would walk many layers, or when the layers hold many changes compared
    // with the flat map below them (as while a workspace is read in batches): amortised O(1).
    let ops = 0;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    let m: LayeredMap<K, V> | undefined = this;
    for (; m && !m.flat && !m.cache; m = m.parent) ops += m.log.length;
    const base = m ? m.size : 0;
    if (this.depth >= MAX_DEPTH || ops > 1024 + base / 2) return new LayeredMap<K, V>(undefined, 0, new Map(this.materialize()));
    return new LayeredMap<K, V>(this, this.depth + 1, undefined);
  }

  /**
   * A root map with the same contents (one Map probe per lookup), independent of this one: for a map
   * built in many layers (a workspace read in batches) that is read much more than it changes.
   */
  flattened(): LayeredMap<K, V> {
    return new LayeredMap<K, V>(undefined, 0, new Map(this.materialize()));
  }

  /** True for a root map: lookups are one Map probe. */
  get isFlat(): boolean {
    return this.flat !== undefined;
  }

  /** True once a map was forked from this one (it can no longer change). */
  get isFrozen(): boolean {
    return this.frozen;
  }

  /**
   * True for a map that started empty and that no map was forked from: no other map can hand out
   * its values, so whoever put them in (and keeps them to itself) may change them in place. A map
   * copied from another (`flattened`, a flattening `fork`) or layered over one shares values with it.
   */
  get ownsValues(): boolean {
    return this.fresh && !this.frozen;
  }

  get size(): number {
    return this.count;
  }

  get(key: K): V | undefined {
    if (this.flat) return this.flat.get(key);
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    for (let m: LayeredMap<K, V> | undefined = this; m; m = m.parent) {
      if (m.flat) return m.flat.get(key);
      if (m.cache) return m.cache.get(key);
      const v = m.last.get(key);
      if (v !== undefined) return v === DELETED ? undefined : v;
    }
    return undefined;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  set(key: K, value: V): this {
    this.writable();
    if (this.flat) {
      // One probe: the Map's size tells whether the key is new.
      this.flat.set(key, value);
      this.count = this.flat.size;
      return this;
    }
    if (!this.has(key)) this.count++;
    this.cache = undefined;
    this.last.set(key, value);
    this.log.push([key, value]);
    return this;
  }

  delete(key: K): boolean {
    this.writable();
    if (this.flat) {
      const had = this.flat.delete(key);
      this.count = this.flat.size;
      return had;
    }
    if (!this.has(key)) return false;
    this.count--;
    this.cache = undefined;
    this.last.set(key, DELETED);
    this.log.push([key, DELETED]);
    return true;
  }

  private writable(): void {
    if (this.frozen) throw new Error('LayeredMap: a forked map cannot change');
  }

  /** The contents as a Map in insertion order (computed once per layer). */
  private materialize(): Map<K, V> {
    if (this.flat) return this.flat;
    if (this.cache) return this.cache;
    // One copy of the nearest flat map below, then every layer's operations, oldest first.
    const chain: Array<LayeredMap<K, V>> = [];
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    let m: LayeredMap<K, V> | undefined = this;
    for (; m && !m.flat && !m.cache; m = m.parent) chain.push(m);
    const out = new Map(m ? (m.flat ?? m.cache) : undefined);
    for (let i = chain.length - 1; i >= 0; i--) {
      for (const [k, v] of chain[i]!.log) {
        if (v === DELETED) out.delete(k);
        else out.set(k, v);
      }
    }
    this.cache = out;
    return out;
  }

  entries(): MapIterator<[K, V]> {
    return this.materialize().entries();
  }

  keys(): MapIterator<K> {
    return this.materialize().keys();
  }

  values(): MapIterator<V> {
    return this.materialize().values();
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  forEach(fn: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.materialize()) fn.call(thisArg, v, k, this);
  }
}
