/** Helpers for building workspaces in tests and asserting on the text under spans. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Workspace } from '../../server/src/core/index/snapshot';
import type { FileChange } from '../../server/src/core/index/snapshot';
import { DEFAULT_OPTIONS } from '../../server/src/core/options';
import type { EngineOptions } from '../../server/src/core/options';
import type { Span } from '../../server/src/core/text';
import { listYamlFiles, readTextFile } from '../../server/src/runtime';

/** The repository root (tests run from test/out/test/...). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
/** `../shared` beside the repository: fixtures and corpus, read-only. */
export const SHARED = path.resolve(REPO_ROOT, '..', 'shared');
export const FIXTURES = path.join(SHARED, 'fixtures');
export const CORPUS = path.join(SHARED, 'corpus');

/** Strips the common indentation of a template literal so YAML can be written inline. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''), '');
  const lines = raw.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join('\n').replace(/[ \t]+$/, '');
}

/** A workspace from inline files: `{ '/ws/a.yaml': '...' }`. */
export function workspace(files: Record<string, string>, options: Partial<EngineOptions> = {}): Workspace {
  const changes: FileChange[] = Object.entries(files).map(([p, text]) => ({ path: p, text }));
  return Workspace.fromFiles(changes, { ...DEFAULT_OPTIONS, ...options });
}

/** A workspace from folders and files on disk. */
export function workspaceFromDisk(paths: string[], options: Partial<EngineOptions> = {}): Workspace {
  const changes: FileChange[] = [];
  for (const p of paths) {
    for (const f of listYamlFiles(p)) {
      const r = readTextFile(f);
      changes.push('skipped' in r ? { path: f, text: null, skipped: r.skipped } : { path: f, text: r.text });
    }
  }
  return Workspace.fromFiles(changes, { ...DEFAULT_OPTIONS, ...options });
}

/** The text a span covers in a workspace file. */
export function textAt(ws: Workspace, file: string, span: Span): string {
  const f = ws.file(file);
  if (!f) throw new Error(`no file ${file}`);
  return f.text.slice(span.start, span.end);
}

/** Splits a `|` cursor marker out of a text. */
export function cursor(text: string): { text: string; offset: number } {
  const offset = text.indexOf('|');
  if (offset === -1) throw new Error('no | cursor marker');
  return { text: text.slice(0, offset) + text.slice(offset + 1), offset };
}

export function readShared(rel: string): string {
  return fs.readFileSync(path.join(SHARED, rel), 'utf8');
}
