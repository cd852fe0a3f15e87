/** Loading the files named on the command line into a workspace snapshot. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Workspace } from '../core/index/snapshot';
import type { FileChange } from '../core/index/snapshot';
import type { EngineOptions } from '../core/options';
import { DEFAULT_MAX_FILE_SIZE, listYamlFiles, readTextFile, toPosix } from '../runtime';

export class IoError extends Error {}

export function loadWorkspace(paths: readonly string[], options: EngineOptions, maxFileSize = DEFAULT_MAX_FILE_SIZE): Workspace {
  const changes: FileChange[] = [];
  const seen = new Set<string>();
  for (const p of paths) {
    if (!fs.existsSync(p)) throw new IoError(`${p}: no such file or folder`);
    let files: string[];
    try {
      // Folders and links left out on purpose are listed with the skipped files, so nothing is ignored silently.
      files = listYamlFiles(p, {
        onSkip: (file, reason) => {
          if (seen.has(file)) return;
          seen.add(file);
          changes.push({ path: file, text: null, skipped: { reason: 'unreadable', span: { start: 0, end: 0 }, message: reason } });
        },
      });
    } catch (err) {
      throw new IoError(`${p}: ${(err as Error).message}`);
    }
    for (const f of files) {
      if (seen.has(f)) continue;
      seen.add(f);
      const r = readTextFile(f, maxFileSize);
      changes.push('skipped' in r ? { path: f, text: null, skipped: r.skipped } : { path: f, text: r.text });
    }
  }
  return Workspace.fromFiles(changes, options);
}

/** A path as printed: relative to the current folder, with forward slashes. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return toPosix(rel === '' ? '.' : rel);
}
