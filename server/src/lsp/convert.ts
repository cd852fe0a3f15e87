/**
 * The one place where core offsets become LSP positions and ranges, and file paths become URIs.
 * Core spans are UTF-16 offsets, which is what LSP characters count, so only lines are made here.
 */
import type { Location, Position, Range } from 'vscode-languageserver/node';
import { URI } from 'vscode-uri';
import type { IndexedFile, Workspace } from '../core/index/snapshot';
import type { Span } from '../core/text';
import { toPosix } from '../runtime';

/** A `file:` URI to the POSIX path the core uses; undefined for other schemes. */
export function uriToPath(uri: string): string | undefined {
  try {
    const u = URI.parse(uri);
    if (u.scheme !== 'file') return undefined;
    return toPosix(u.fsPath);
  } catch {
    return undefined;
  }
}

/** URIs the client used for open documents, so answers name files exactly as the client does. */
const clientUris = new Map<string, string>();

export function rememberUri(path: string, uri: string): void {
  clientUris.set(path, uri);
}

export function pathToUri(path: string): string {
  return clientUris.get(path) ?? URI.file(path).toString();
}

export function toRange(file: IndexedFile, span: Span): Range {
  const lines = file.lines();
  return { start: lines.positionAt(span.start), end: lines.positionAt(span.end) };
}

export function toOffset(file: IndexedFile, position: Position): number {
  return file.lines().offsetAt(position);
}

export function toSpan(file: IndexedFile, range: Range): Span {
  return { start: toOffset(file, range.start), end: toOffset(file, range.end) };
}

/** A location in a snapshot file, or undefined when the file is gone. */
export function toLocation(ws: Workspace, path: string, span: Span): Location | undefined {
  const file = ws.file(path);
  if (!file) return undefined;
  return { uri: pathToUri(path), range: toRange(file, span) };
}
