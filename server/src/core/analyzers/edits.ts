/** Building text edits that fit the surrounding YAML (indentation, flow or block style). */
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

/** The span without trailing whitespace and line breaks (block nodes end after their last line break). */
export function trimSpan(text: string, span: Span): Span {
  let end = span.end;
  while (end > span.start && /\s/.test(text[end - 1] ?? '')) end--;
  return end === span.end ? span : { start: span.start, end };
}

/** True when the node that starts at `start` is an item of a flow sequence or a flow map entry. */
function inFlow(text: string, start: number): boolean {
  let i = start - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t')) i--;
  return text[i] === '[' || text[i] === ',' || text[i] === '{';
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

/**
 * Removes a `key: value` pair whose key starts at `span.start` and whose value ends at `span.end`:
 * whole lines in block style, the entry and its separator inside a flow map.
 */
export function removeLines(file: string, text: string, span: Span): TextEdit {
  const s = trimSpan(text, span);
  if (inFlow(text, s.start)) {
    let end = s.end;
    while (text[end] === ' ') end++;
    if (text[end] === ',') {
      end++;
      while (text[end] === ' ') end++;
      return { file, span: { start: s.start, end }, newText: '' };
    }
    // The last entry of a flow map: remove the separator before it instead.
    let start = s.start;
    while (start > 0 && text[start - 1] === ' ') start--;
    if (text[start - 1] === ',') start--;
    return { file, span: { start, end: s.end }, newText: '' };
  }
  let start = s.start;
  while (start > 0 && text[start - 1] !== '\n' && text[start - 1] !== '\r') start--;
  let end = s.end;
  while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
  if (text[end] === '\r') end++;
  if (text[end] === '\n') end++;
  return { file, span: { start, end }, newText: '' };
}

/**
 * Appends an item to a sequence whose first and last items are given. `blockLines` is the item in
 * block style (first line goes after the dash, the others are relative to the item's content
 * column); `flowText` is the same item in flow style for `[a, b]` sequences.
 */
export function appendSeqItem(file: string, text: string, first: Span, last: Span, blockLines: readonly string[], flowText: string): TextEdit {
  const end = trimSpan(text, last).end;
  if (inFlow(text, first.start) && text[first.start - 1] !== '{') {
    return { file, span: { start: end, end }, newText: `, ${flowText}` };
  }
  const content = columnOf(text, first.start);
  let dash = first.start - 1;
  while (dash > 0 && text[dash] === ' ') dash--;
  const dashCol = text[dash] === '-' ? columnOf(text, dash) : Math.max(0, content - 2);
  const eol = eolOf(text);
  const body = blockLines.map((l, i) => (i === 0 ? `${' '.repeat(dashCol)}-${' '.repeat(Math.max(1, content - dashCol - 1))}${l}` : `${' '.repeat(content)}${l}`));
  return { file, span: { start: end, end }, newText: `${eol}${body.join(eol)}` };
}

/** Appends a new `---` document at the end of a file. */
export function appendDocument(file: string, text: string, lines: readonly string[]): TextEdit {
  const eol = eolOf(text);
  const lead = text.length === 0 ? '' : /\r?\n$/.test(text) ? '' : eol;
  const sep = text.trim().length === 0 ? '' : `---${eol}`;
  return { file, span: { start: text.length, end: text.length }, newText: `${lead}${sep}${lines.join(eol)}${eol}` };
}

/** Applies edits of one file to its text (edits must not overlap). */
export function applyEdits(text: string, edits: readonly Pick<TextEdit, 'span' | 'newText'>[]): string {
  const sorted = [...edits].sort((a, b) => b.span.start - a.span.start || b.span.end - a.span.end);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.span.start) + e.newText + out.slice(e.span.end);
  return out;
}
