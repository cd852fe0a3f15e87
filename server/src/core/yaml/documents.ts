/**
 * Splitting a YAML stream into `---` documents and parsing each with the `yaml` package.
 *
 * We split on document markers ourselves (as kubectl reads streams) so that a broken document can
 * never hide the valid ones around it, and so that documents of kinds the engine ignores can be
 * skipped after a cheap look at their top-level `kind:` line, without building a syntax tree.
 */
import { parseDocument } from 'yaml';
import type { Document } from 'yaml';
import type { Span } from '../text';
import { detach } from './access';
import { parseFast } from './fast';

/** One `---` document of a file: where it is and, when it was parsed, its syntax tree. */
export interface DocumentChunk {
  /** Zero-based position of the document in the file. */
  readonly index: number;
  /** Offsets of the whole document in the file, including its `---` line. */
  readonly span: Span;
}

/** A document that was parsed. Node ranges in `doc` are relative to `base`. */
export interface ParsedDocument extends DocumentChunk {
  readonly base: number;
  readonly doc: Document.Parsed;
}

/** Why a document or file was not read. */
export type SkipReason = 'invalid-yaml' | 'templated' | 'binary' | 'too-large' | 'not-utf8' | 'too-deep' | 'unreadable';

export interface ReadProblem {
  readonly reason: SkipReason;
  readonly span: Span;
  readonly message: string;
}

const DOC_START = /^---(?:[ \t]|$)/;
const DOC_END = /^\.\.\.(?:[ \t]|$)/;

/**
 * Finds the documents of a YAML stream. A document starts at a `---` line (or at the start of the
 * stream) and ends where the next starts, or at a `...` line. Documents with no content (only
 * comments and blank lines) are left out.
 */
export function splitDocuments(text: string): DocumentChunk[] {
  const chunks: DocumentChunk[] = [];
  let start = 0;
  let pos = 0;
  let index = 0;
  const push = (end: number): void => {
    if (end > start && hasContent(text, start, end)) chunks.push({ index: index++, span: { start, end } });
  };
  // Without CRs, line ends are found natively; only lines starting with `-` or `.` can be markers,
  // so the scan jumps from one such line to the next.
  const lfOnly = text.indexOf('\r') === -1;
  let nextDash = -2;
  let nextDot = -2;
  while (pos <= text.length) {
    if (lfOnly && pos > 0) {
      // `pos` is a line start after the first line: skip to the next line starting with - or .
      if (nextDash !== -1 && nextDash < pos - 1) nextDash = text.indexOf('\n-', pos - 1);
      if (nextDot !== -1 && nextDot < pos - 1) nextDot = text.indexOf('\n.', pos - 1);
      const next = nextDash === -1 ? nextDot : nextDot === -1 ? nextDash : Math.min(nextDash, nextDot);
      if (next === -1) break;
      pos = next + 1;
    }
    let eol = lfOnly ? text.indexOf('\n', pos) : pos;
    if (eol === -1) eol = text.length;
    else if (!lfOnly) while (eol < text.length && text.charCodeAt(eol) !== 10 && text.charCodeAt(eol) !== 13) eol++;
    let lineStart = pos;
    if (pos === 0 && text.charCodeAt(0) === 0xfeff) lineStart = 1;
    const first = text.charCodeAt(lineStart);
    const line = first === 45 || first === 46 ? text.slice(lineStart, Math.min(eol, lineStart + 4)) : '';
    if (DOC_START.test(line) && pos !== start) {
      // Directives (`%YAML 1.2`) before a `---` belong to the document that the marker starts.
      const directivesOnly = hasContent(text, start, pos) && !hasContent(text, start, pos, true);
      if (!directivesOnly) {
        push(pos);
        start = pos;
      }
    } else if (DOC_END.test(line)) {
      let next = eol;
      if (text.charCodeAt(next) === 13) next++;
      if (text.charCodeAt(next) === 10) next++;
      push(next);
      start = next;
    }
    if (eol >= text.length) break;
    pos = eol + 1;
    if (text.charCodeAt(eol) === 13 && text.charCodeAt(pos) === 10) pos++;
  }
  push(text.length);
  return chunks;
}

/**
 * True when the range holds something besides blank lines, comments and document markers (and,
 * with `directivesAreEmpty`, directive lines such as `%YAML 1.2`).
 */
function hasContent(text: string, start: number, end: number, directivesAreEmpty = false): boolean {
  let lineStart = true;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      lineStart = true;
      continue;
    }
    if (c === 32 || c === 9 || c === 0xfeff) continue;
    if (c === 35 /* # */ || (directivesAreEmpty && lineStart && c === 37) /* % */) {
      while (i < end && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
      lineStart = true;
      continue;
    }
    if (lineStart && (text.startsWith('---', i) || text.startsWith('...', i))) {
      const after = text.charCodeAt(i + 3);
      if (Number.isNaN(after) || after === 32 || after === 9 || after === 10 || after === 13) {
        i += 2;
        lineStart = false;
        continue;
      }
    }
    return true;
  }
  return false;
}

const KIND_LINE = /^kind:[ \t]*(["']?)([A-Za-z][A-Za-z0-9]*)\1[ \t]*(?:#.*)?$/m;

/** The value of a document's top-level `kind:` line when it is written plainly, else undefined. */
export function peekKind(text: string, chunk: Span): string | undefined {
  const m = KIND_LINE.exec(text.slice(chunk.start, chunk.end));
  return m ? detach(m[2]!) : undefined;
}

/** True when the document holds template syntax (Helm, gomplate, ...) outside comments. */
export function looksTemplated(text: string, chunk: Span): boolean {
  let i = nextBraces(text, chunk.start);
  while (i !== -1 && i < chunk.end) {
    // A `{{` inside a comment does not make the document a template.
    let ls = i;
    while (ls > chunk.start && text.charCodeAt(ls - 1) !== 10 && text.charCodeAt(ls - 1) !== 13) ls--;
    const before = text.slice(ls, i);
    if (!/(^|\s)#/.test(before)) return true;
    i = text.indexOf('{{', i + 2);
  }
  return false;
}

/*
 * The first `{{` at or after an offset. Documents of one file are checked in order, and a search
 * from each document's start would run to the end of the file every time (quadratic in the number of
 * documents: seconds for a 5,000-document file); the last answer is reused while it still holds.
 */
let bracesText: string | undefined;
let bracesFrom = 0;
let bracesAt = -1;
function nextBraces(text: string, from: number): number {
  if (text === bracesText && from >= bracesFrom && (bracesAt === -1 || bracesAt >= from)) return bracesAt;
  bracesText = text;
  bracesFrom = from;
  bracesAt = text.indexOf('{{', from);
  return bracesAt;
}

/** Parses one document. Never throws: a parser failure becomes a problem. */
const MAX_FLOW_DEPTH = 512;

/** True when the text holds more than `max` opening brackets (else they cannot nest deeper). */
function manyBrackets(source: string, max: number): boolean {
  let n = 0;
  for (let i = source.indexOf('['); i !== -1 && n <= max; i = source.indexOf('[', i + 1)) n++;
  for (let i = source.indexOf('{'); i !== -1 && n <= max; i = source.indexOf('{', i + 1)) n++;
  return n > max;
}

/** True when flow brackets (`[`, `{`) nest deeper than `max`, outside quotes and comments. */
export function flowDepthExceeds(source: string, max: number): boolean {
  let depth = 0;
  let quote = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (quote) {
      if (c === quote) quote = 0;
      else if (c === 10 && quote === 34) continue;
      continue;
    }
    if (c === 34 /* " */ || (c === 39 /* ' */ && depth > 0)) quote = c;
    else if (c === 35 /* # */ && (i === 0 || source.charCodeAt(i - 1) <= 32)) {
      while (i < source.length && source.charCodeAt(i) !== 10) i++;
    } else if (c === 91 || c === 123) {
      if (++depth > max) return true;
    } else if (c === 93 || c === 125) {
      if (depth > 0) depth--;
    }
  }
  return false;
}

export function parseChunk(text: string, chunk: DocumentChunk): { parsed?: ParsedDocument; problem?: ReadProblem } {
  // The `yaml` package breaks lines only at LF and CRLF; YAML (and kubectl) also accept a lone CR.
  // Replacing it by LF keeps every offset, since both are one code unit.
  let source = text.slice(chunk.span.start, chunk.span.end);
  if (source.indexOf('\r') !== -1) source = source.replace(/\r(?!\n)/g, '\n');
  // The parsers recurse per level (`yaml` overflows near a thousand); a cheap look at bracket
  // depth reports hostile nesting at once instead of after seconds of parsing on every edit.
  if (manyBrackets(source, MAX_FLOW_DEPTH) && flowDepthExceeds(source, MAX_FLOW_DEPTH)) {
    return { problem: { reason: 'too-deep', span: chunk.span, message: `document ${chunk.index + 1} is nested too deeply to be read` } };
  }
  // The common plain subset is read by a fast scanner; anything else by `yaml` (see fast.ts).
  const fast = parseFast(source);
  if (fast) return { parsed: { ...chunk, base: chunk.span.start, doc: fast } };
  let doc: Document.Parsed;
  try {
    doc = parseDocument(source, {
      merge: true,
      uniqueKeys: false,
      strict: false,
      prettyErrors: false,
      keepSourceTokens: false,
    }) as Document.Parsed;
  } catch (err) {
    // The `yaml` composer recurses; absurdly deep nesting ends in a RangeError.
    return {
      problem: {
        reason: 'too-deep',
        span: chunk.span,
        message: `document ${chunk.index + 1} could not be read: ${err instanceof Error ? err.message : String(err)}`,
      },
    };
  }
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    // Errors found at the end of input (an unclosed bracket) point past the document; keep the
    // span on the document's last written character so it is reported where the document is.
    let last = chunk.span.end;
    while (last > chunk.span.start && /\s/.test(text.charAt(last - 1))) last--;
    const clamp = (o: number): number => Math.max(chunk.span.start, Math.min(o, Math.max(chunk.span.start, last - 1)));
    const at = clamp(chunk.span.start + (first.pos?.[0] ?? 0));
    const to = Math.max(at, Math.min(last, chunk.span.start + (first.pos?.[1] ?? 0)));
    // `yaml` catches the stack overflow of its recursive composer and reports it as a parse error.
    if (/call stack/i.test(first.message)) {
      return { problem: { reason: 'too-deep', span: chunk.span, message: `document ${chunk.index + 1} is nested too deeply to be read` } };
    }
    return {
      problem: {
        reason: 'invalid-yaml',
        span: { start: at, end: to },
        message: `document ${chunk.index + 1} is not valid YAML: ${first.message.split('\n')[0]}`,
      },
    };
  }
  return { parsed: { ...chunk, base: chunk.span.start, doc } };
}
