/** Building text edits that fit the surrounding YAML (indentation, flow or block style). */
import { lineTextAt } from '../text';
import type { Span } from '../text';
import type { TextEdit } from './types';

/** The column of an offset (characters since the start of its line). */
export function columnOf(text: string, offset: number): number {
  let s = offset;
  while (s > 0 && text[s - 1] !== '\n' && text[s - 1] !== '\r') s--;
  return offset - s;
}

/** The line ending the file uses. */
export function eolOf(text: string): string {
  const i = text.indexOf('\n');
  return i > 0 && text[i - 1] === '\r' ? '\r\n' : '\n';
}

/** Adds `key: value` as the first key of the map that starts at `entry.start`. */
export function insertKey(file: string, text: string, entry: Span, key: string, value: string): TextEdit {
  if (text[entry.start] === '{') {
    let at = entry.start + 1;
    while (text[at] === ' ') at++;
    const empty = text[at] === '}';
    return { file, span: { start: at, end: at }, newText: `${key}: ${value}${empty ? '' : ', '}` };
  }
  const indent = ' '.repeat(columnOf(text, entry.start));
  return { file, span: { start: entry.start, end: entry.start }, newText: `${key}: ${value}${eolOf(text)}${indent}` };
}

/** Replaces a value. */
export function replaceValue(file: string, span: Span, newText: string): TextEdit {
  return { file, span, newText };
}

/** Removes whole lines covering `span` (for block pairs), or the span itself inside a flow map. */
export function removeLines(file: string, text: string, span: Span): TextEdit {
  const line = lineTextAt(text, span.start);
  let start = span.start;
  while (start > 0 && text[start - 1] !== '\n' && text[start - 1] !== '\r') start--;
  if (line.trimStart().startsWith('{') || line.includes('{')) {
    let end = span.end;
    while (text[end] === ',' || text[end] === ' ') end++;
    return { file, span: { start: span.start, end }, newText: '' };
  }
  let end = span.end;
  while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
  if (text[end] === '\r') end++;
  if (text[end] === '\n') end++;
  return { file, span: { start, end }, newText: '' };
}
