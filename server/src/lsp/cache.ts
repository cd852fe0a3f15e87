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
import type { Diagnostic } from 'vscode-languageserver/node';
import type { ExtractedFile } from '../core/model/extract';

declare const GAMMA_LENS_VERSION: string;

/** Bumped whenever the stored shape changes. */
const FORMAT = 3;
export const CACHE_FILE = 'gamma-lens-extractions.v1.bin';
/** The file ends with the header's length and this mark. */
const MARK = 0x31434c47; // "GLC1"

export interface CacheEntry {
  readonly size: number;
  readonly mtimeMs: number;
  readonly extracted: ExtractedFile;
}

/**
 * The diagnostics published for a folder whose files all came from disk as cached: a start that finds
 * exactly these files unchanged, with the same settings, publishes them instead of analysing again.
 */
export interface FolderDiagnostics {
  /** The folder's settings, as compared by the indexer. */
  readonly key: string;
  /** Every file of the folder. */
  readonly paths: readonly string[];
  /** The non-empty diagnostic lists, by file. */
  readonly diagnostics: ReadonlyMap<string, Diagnostic[]>;
}

/**
 * The file: each extraction serialized on its own (read only when its file is unchanged), then the
 * header (v8.serialize of `Header`), its length (uint32) and MARK (uint32).
 */
interface Header {
  readonly format: number;
  readonly engine: string;
  /** [path, size, mtimeMs, offset, length] of each extraction's bytes. */
  readonly index: Array<[string, number, number, number, number]>;
  /** folder root -> its diagnostics */
  readonly published: Map<string, FolderDiagnostics>;
}

/** Identifies the engine build (by content: a rebuild of the same sources keeps the cache). */
function engineId(): string {
  const version = typeof GAMMA_LENS_VERSION === 'string' ? GAMMA_LENS_VERSION : 'dev';
  try {
    const bytes = fs.readFileSync(__filename);
    let h = 0x811c9dc5;
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
    return `${version}:${bytes.length}:${(h >>> 0).toString(16)}`;
  } catch {
    return version;
  }
}

export class ExtractionCache {
  private constructor(
    readonly file: string,
    private readonly bytes: Buffer,
    private readonly entries: Map<string, [number, number, number, number]>,
    private readonly published: Map<string, FolderDiagnostics>,
    /** Why an existing cache file was not used, if it was not. */
    readonly discarded?: string,
  ) {}

  /** The cache in `dir` (empty when there is none or it cannot be used); undefined without a folder. */
  static open(dir: string | undefined): ExtractionCache | undefined {
    if (!dir) return undefined;
    const file = path.join(dir, CACHE_FILE);
    const none = (why?: string): ExtractionCache => new ExtractionCache(file, Buffer.alloc(0), new Map(), new Map(), why);
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch {
      return none();
    }
    try {
      if (bytes.length < 8 || bytes.readUInt32LE(bytes.length - 4) !== MARK) return none('corrupt');
      const headerLength = bytes.readUInt32LE(bytes.length - 8);
      if (headerLength > bytes.length - 8) return none('corrupt');
      const header = v8.deserialize(bytes.subarray(bytes.length - 8 - headerLength, bytes.length - 8)) as Header;
      if (!header || typeof header !== 'object' || header.format !== FORMAT) return none('another format');
      if (header.engine !== engineId()) return none('another engine build');
      if (!Array.isArray(header.index) || !(header.published instanceof Map)) return none('corrupt');
      const entries = new Map<string, [number, number, number, number]>();
      const end = bytes.length - 8 - headerLength;
      for (const e of header.index) {
        if (!Array.isArray(e) || typeof e[0] !== 'string' || !(e[3] >= 0 && e[4] >= 0 && e[3] + e[4] <= end)) return none('corrupt');
        entries.set(e[0], [e[1], e[2], e[3], e[4]]);
      }
      return new ExtractionCache(file, bytes, entries, header.published);
    } catch {
      return none('corrupt');
    }
  }

  /** Entries not taken (yet). */
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
    let ex: ExtractedFile;
    try {
      ex = v8.deserialize(this.bytes.subarray(e[2], e[2] + e[3])) as ExtractedFile;
    } catch {
      return undefined;
    }
    if (!ex || typeof ex !== 'object' || ex.path !== file || !Array.isArray(ex.objects)) return undefined;
    // One path string shared by the file's objects, as a fresh extraction has.
    for (const o of ex.objects) (o as { file: string }).file = file;
    return ex;
  }

  /** The diagnostics stored for the folder at `root`, if any (see `FolderDiagnostics`). */
  diagnostics(root: string): FolderDiagnostics | undefined {
    const d = this.published.get(root);
    return d && typeof d.key === 'string' && Array.isArray(d.paths) && d.diagnostics instanceof Map ? d : undefined;
  }

  /**
   * Replaces the cache file with `entries` (written to a temporary file, then renamed), one
   * extraction at a time: no buffer of the whole cache is ever held. `pause` is awaited after every
   * few megabytes, so that a large cache does not hold up requests.
   */
  static async write(file: string, entries: Iterable<[string, CacheEntry]>, published: ReadonlyMap<string, FolderDiagnostics> = new Map(), pause?: () => Promise<void>): Promise<void> {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // One name: a write cut short by the end of the process is overwritten by the next one.
    const tmp = `${file}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    try {
      const index: Header['index'] = [];
      let offset = 0;
      let chunks: Buffer[] = [];
      let pending = 0;
      let sincePause = 0;
      const flush = (): void => {
        if (chunks.length) fs.writeSync(fd, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
        chunks = [];
        pending = 0;
      };
      for (const [p, e] of entries) {
        const bytes = v8.serialize(e.extracted);
        index.push([p, e.size, e.mtimeMs, offset, bytes.length]);
        offset += bytes.length;
        chunks.push(bytes);
        pending += bytes.length;
        sincePause += bytes.length;
        if (pending > 1 << 20) flush();
        if (pause && sincePause > 8 << 20) {
          sincePause = 0;
          await pause();
        }
      }
      const header: Header = { format: FORMAT, engine: engineId(), index, published: new Map(published) };
      const h = v8.serialize(header);
      const trailer = Buffer.alloc(8);
      trailer.writeUInt32LE(h.length, 0);
      trailer.writeUInt32LE(MARK, 4);
      chunks.push(h, trailer);
      flush();
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
