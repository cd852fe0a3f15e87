/**
 * File-system access for the CLI and the language server, kept out of the pure core. Reads only
 * below the given roots, never follows a link out of them, and never throws for a bad file: it
 * reports why the file was skipped instead.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ReadProblem } from './core/yaml/documents';

export const DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024;

/** Folders never indexed. */
export const SKIPPED_DIRS = new Set(['node_modules', '.git', '.hg', '.svn']);

export function isYamlPath(p: string): boolean {
  return /\.ya?ml$/i.test(p) || /(^|[\\/])Kustomization$/.test(p);
}

/** POSIX-style absolute path, the form the core uses for file identity. */
export function toPosix(p: string): string {
  return path.sep === '/' ? p : p.split(path.sep).join('/');
}

/**
 * `path.join(dir, name)` for a normalised `dir` and an entry name read from it (never `.`, `..` or a
 * name with a separator), without normalising the whole path again for every entry of a walk.
 */
function joinEntry(dir: string, name: string): string {
  if (dir === '.') return name;
  return dir.endsWith(path.sep) ? dir + name : dir + path.sep + name;
}

export interface WalkOptions {
  /** Called for each folder or file that is left out on purpose, with a reason. */
  readonly onSkip?: (file: string, reason: string) => void;
  /** Extra exclusion test on POSIX paths relative to the root. */
  readonly exclude?: (relative: string) => boolean;
  readonly maxDepth?: number;
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * True unless `file`, with every link resolved, lies outside `root` (also resolved). Files that do
 * not resolve (gone, dangling, a loop) count as inside: there is nothing to read from them anyway.
 */
export function resolvesInside(root: string, file: string): boolean {
  let realRoot: string;
  try {
    realRoot = fs.realpathSync(root);
  } catch {
    return false;
  }
  try {
    return inside(realRoot, fs.realpathSync(file));
  } catch {
    return true;
  }
}

/** Lists YAML files below `root` (or `root` itself when it is a file), sorted. */
export function listYamlFiles(root: string, options: WalkOptions = {}): string[] {
  const out: string[] = [];
  let realRoot: string;
  try {
    realRoot = fs.realpathSync(root);
  } catch {
    return out;
  }
  const st = safeStat(root);
  if (st?.isFile()) return [toPosix(path.resolve(root))];
  const visited = new Set<string>();
  const maxDepth = options.maxDepth ?? 64;
  // Paths are built from `root` as given (messages about folders show it so); listed files are absolute.
  const absolute = path.isAbsolute(root);
  const abs = (p: string): string => toPosix(absolute ? p : path.resolve(p));
  // `rel` is the folder's path relative to the root, with `/` (built as the walk goes down). `known`
  // is the folder's real path when the caller has it: a folder that is no link lies at its parent's
  // real path plus its name, which saves resolving every folder again component by component.
  // `known` is given for folders found by the walk, which checked that they lie inside the root.
  const walk = (dir: string, rel: string, depth: number, known?: string): void => {
    if (depth > maxDepth) {
      options.onSkip?.(toPosix(dir), 'folder nesting too deep');
      return;
    }
    let real: string;
    try {
      real = known ?? fs.realpathSync(dir);
    } catch {
      return;
    }
    if (visited.has(real) || (known === undefined && !inside(realRoot, real))) return;
    visited.add(real);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      // Gone since its parent was listed: as when resolving it fails, nothing to report.
      if (known !== undefined && (err as NodeJS.ErrnoException).code === 'ENOENT') return;
      options.onSkip?.(toPosix(dir), 'folder could not be read');
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // Entries' paths as `path.join` makes them, from the folder's path normalised once.
    const base = known === undefined ? path.normalize(dir) : dir;
    for (const e of entries) {
      const full = joinEntry(base, e.name);
      const relEntry = rel === '' ? e.name : `${rel}/${e.name}`;
      if (options.exclude?.(relEntry)) continue;
      if (e.isDirectory()) {
        if (SKIPPED_DIRS.has(e.name)) continue;
        walk(full, relEntry, depth + 1, joinEntry(real, e.name));
      } else if (e.isSymbolicLink()) {
        // Links are followed only while they stay inside the root.
        let target: string;
        try {
          target = fs.realpathSync(full);
        } catch {
          continue;
        }
        if (!inside(realRoot, target)) {
          options.onSkip?.(toPosix(full), 'link points outside the workspace');
          continue;
        }
        const ts = safeStat(target);
        if (ts?.isDirectory() && !SKIPPED_DIRS.has(e.name)) walk(full, relEntry, depth + 1, target);
        else if (ts?.isFile() && isYamlPath(e.name)) out.push(abs(full));
      } else if (e.isFile() && isYamlPath(e.name)) {
        out.push(abs(full));
      }
    }
  };
  walk(root, '', 0);
  return out;
}

function safeStat(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}

export type ReadResult = { readonly text: string; readonly size: number; readonly mtimeMs: number } | { readonly skipped: ReadProblem };

const NO_SPAN = { start: 0, end: 0 };

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes file bytes as UTF-8 text, or says why it is not text. */
export function decodeText(bytes: Uint8Array): { text: string } | { skipped: ReadProblem } {
  const probe = bytes.subarray(0, Math.min(bytes.length, 8192));
  if (probe.includes(0)) return { skipped: { reason: 'binary', span: NO_SPAN, message: 'binary file (contains NUL bytes)' } };
  // Node's own decoder is the fastest; it replaces invalid bytes with U+FFFD, so a text holding one
  // goes through the strict decoder, which tells a real U+FFFD from bytes that are not UTF-8. Both
  // drop a byte order mark.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (text.indexOf('\ufffd') === -1) return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
  try {
    return { text: UTF8.decode(bytes) };
  } catch {
    return { skipped: { reason: 'not-utf8', span: NO_SPAN, message: 'not UTF-8 text' } };
  }
}

/** Reads a file as text within the size cap. Never throws. */
export function readTextFile(file: string, maxFileSize = DEFAULT_MAX_FILE_SIZE): ReadResult {
  let fd: number | undefined;
  try {
    // One open: the size is checked on the open file, which is then read whole.
    fd = fs.openSync(file, 'r');
    const st = fs.fstatSync(fd);
    if (st.size > maxFileSize) {
      return { skipped: { reason: 'too-large', span: NO_SPAN, message: `file is ${st.size} bytes, over the size cap of ${maxFileSize} bytes` } };
    }
    const bytes = readAll(fd, st.size, maxFileSize);
    if (!bytes) {
      return { skipped: { reason: 'too-large', span: NO_SPAN, message: `file grew over the size cap of ${maxFileSize} bytes while it was read` } };
    }
    const decoded = decodeText(bytes);
    if ('skipped' in decoded) return decoded;
    return { text: decoded.text, size: st.size, mtimeMs: st.mtimeMs };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { skipped: { reason: 'unreadable', span: NO_SPAN, message: `could not be read${code ? ` (${code})` : ''}` } };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * The bytes of an open file: `size` of them as stat gave it, more if it grew since, or undefined
 * once it is found to hold more than `cap` bytes (it grew past the size cap after the stat). A file
 * under SCRATCH_BYTES is read into one buffer kept for reuse: its bytes are only valid until the
 * next read (the caller decodes them at once).
 */
function readAll(fd: number, size: number, cap: number): Buffer | undefined {
  let buf = size < SCRATCH_BYTES ? (scratch ??= Buffer.allocUnsafe(SCRATCH_BYTES)) : Buffer.allocUnsafe(Math.max(size, 1));
  let length = 0;
  for (;;) {
    if (length > cap) return undefined;
    // Full (as it is once `size` bytes are in): a small read tells the end of the file from growth,
    // without a bigger buffer for files that did not grow.
    const probe = length === buf.length;
    const n = probe ? fs.readSync(fd, PROBE, 0, PROBE.length, null) : fs.readSync(fd, buf, length, (length < size ? size : buf.length) - length, null);
    if (n === 0) break;
    if (probe) {
      const bigger = Buffer.allocUnsafe(Math.max(buf.length * 2, length + n));
      buf.copy(bigger, 0, 0, length);
      PROBE.copy(bigger, length, 0, n);
      buf = bigger;
    }
    length += n;
  }
  return buf.subarray(0, length);
}

const SCRATCH_BYTES = 1 << 20;
let scratch: Buffer | undefined;
const PROBE = Buffer.allocUnsafe(4096);

/** Parses sizes such as `10485760`, `10MB`, `512k`. */
export function parseSize(v: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*$/i.exec(v);
  if (!m) return undefined;
  const mult = { '': 1, k: 1024, m: 1024 * 1024, g: 1024 * 1024 * 1024 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.round(Number(m[1]) * mult);
}
