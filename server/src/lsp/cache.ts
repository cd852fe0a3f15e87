/**
 * The extraction cache for warm starts: each file's slim extraction (`ExtractedFile`, plain data
 * with spans) keyed by absolute path, size and mtime, in one versioned file under the storage
 * folder the client gives (`initializationOptions.storagePath`, or `GAMMA_LENS_CACHE_DIR`). A
 * second start reuses the extractions of unchanged files instead of reading and parsing them.
 * Written once after the initial scan; a cache that is corrupt, of another format or of another
 * build of the engine is ignored (and replaced by the next write).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import type { ExtractedFile } from '../core/model/extract';

declare const GAMMA_LENS_VERSION: string;

/** Bumped whenever the stored shape changes. */
const FORMAT = 1;
export const CACHE_FILE = 'gamma-lens-extractions.v1.bin';

export interface CacheEntry {
  readonly size: number;
  readonly mtimeMs: number;
  readonly extracted: ExtractedFile;
}

interface Stored {
  readonly format: number;
  readonly engine: string;
  /** path -> [size, mtimeMs, extraction] */
  readonly entries: Map<string, [number, number, ExtractedFile]>;
}

/** Identifies the engine build: extractions of another build may differ, so they are not reused. */
function engineId(): string {
  const version = typeof GAMMA_LENS_VERSION === 'string' ? GAMMA_LENS_VERSION : 'dev';
  try {
    const st = fs.statSync(__filename);
    return `${version}:${st.size}:${Math.round(st.mtimeMs)}`;
  } catch {
    return version;
  }
}

export class ExtractionCache {
  private constructor(
    readonly file: string,
    private readonly entries: Map<string, [number, number, ExtractedFile]>,
    /** Why an existing cache file was not used, if it was not. */
    readonly discarded?: string,
  ) {}

  /** The cache in `dir` (empty when there is none or it cannot be used); undefined without a folder. */
  static open(dir: string | undefined): ExtractionCache | undefined {
    if (!dir) return undefined;
    const file = path.join(dir, CACHE_FILE);
    const engine = engineId();
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch {
      return new ExtractionCache(file, new Map());
    }
    try {
      const stored = v8.deserialize(bytes) as Stored;
      if (!stored || typeof stored !== 'object' || stored.format !== FORMAT) return new ExtractionCache(file, new Map(), 'another format');
      if (stored.engine !== engine) return new ExtractionCache(file, new Map(), 'another engine build');
      if (!(stored.entries instanceof Map)) return new ExtractionCache(file, new Map(), 'corrupt');
      return new ExtractionCache(file, stored.entries);
    } catch {
      return new ExtractionCache(file, new Map(), 'corrupt');
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * The cached extraction of `file` when its size and mtime are unchanged. It is handed over (the
   * snapshot resolves its objects in place), so each entry is given out once.
   */
  take(file: string, size: number, mtimeMs: number): ExtractedFile | undefined {
    const e = this.entries.get(file);
    if (!e || e[0] !== size || e[1] !== mtimeMs) return undefined;
    this.entries.delete(file);
    const ex = e[2];
    if (!ex || typeof ex !== 'object' || ex.path !== file || !Array.isArray(ex.objects)) return undefined;
    // One path string shared by the file's objects, as a fresh extraction has.
    for (const o of ex.objects) (o as { file: string }).file = file;
    return ex;
  }

  /** Replaces the cache file with `entries` (written to a temporary file, then renamed). */
  static write(file: string, entries: Iterable<[string, CacheEntry]>): void {
    const map = new Map<string, [number, number, ExtractedFile]>();
    for (const [p, e] of entries) map.set(p, [e.size, e.mtimeMs, e.extracted]);
    const stored: Stored = { format: FORMAT, engine: engineId(), entries: map };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(tmp, v8.serialize(stored));
      fs.renameSync(tmp, file);
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
}
