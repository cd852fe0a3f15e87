/**
 * Offsets, spans and line/column conversion. The core works in offsets (UTF-16 code units, which is
 * what JavaScript string indices are and what LSP positions count); lines are made only here.
 */

/** A half-open range of offsets `[start, end)` into one file's text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export function span(start: number, end: number): Span {
  return { start, end };
}

/** A zero-based line and UTF-16 character, as LSP uses them. */
export interface Position {
  readonly line: number;
  readonly character: number;
}

/**
 * Where each line of `text` starts (LF, CRLF and lone CR end a line), followed by the text's length:
 * what a LineIndex needs to turn offsets into positions without the text (see LineIndex.fromStarts).
 * A typed array, so that the index of a large workspace keeps it outside the garbage-collected heap.
 */
export function lineStarts(text: string): Uint32Array {
  const starts = [0];
  if (text.indexOf('\r') === -1) {
    // LF only (the usual case): line breaks are found natively.
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  } else {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 /* \n */) {
        starts.push(i + 1);
      } else if (c === 13 /* \r */) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
  }
  starts.push(text.length);
  return Uint32Array.from(starts);
}

/** Maps offsets to lines and back for one text. Handles LF, CRLF and lone CR line endings. */
export class LineIndex {
  /** Line starts, then the text's length (as `lineStarts` gives them). */
  private readonly starts: ArrayLike<number>;
  private textValue: string | undefined;
  private readonly readText: (() => string) | undefined;

  constructor(source: string | { readonly starts: Uint32Array; readonly readText: () => string }) {
    if (typeof source === 'string') {
      this.starts = lineStarts(source);
      this.textValue = source;
      this.readText = undefined;
    } else {
      this.starts = source.starts;
      this.textValue = undefined;
      this.readText = source.readText;
    }
  }

  /**
   * A line index from the `lineStarts` of a text, reading the text (`offsetAt` needs it) only when
   * asked: positions of findings in files that are not kept in memory cost no read.
   */
  static fromStarts(starts: Uint32Array, readText: () => string): LineIndex {
    return new LineIndex({ starts, readText });
  }

  private get text(): string {
    return (this.textValue ??= this.readText!());
  }

  private get length(): number {
    return this.starts[this.starts.length - 1]!;
  }

  get lineCount(): number {
    return this.starts.length - 1;
  }

  positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.length));
    let lo = 0;
    let hi = this.starts.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - (this.starts[lo] ?? 0) };
  }

  offsetAt(position: Position): number {
    const length = this.length;
    const lines = this.starts.length - 1;
    if (position.line < 0) return 0;
    if (position.line >= lines) return length;
    const start = this.starts[position.line] ?? 0;
    const next = position.line + 1 < lines ? (this.starts[position.line + 1] ?? length) : length;
    // Never step past the line's own end-of-line characters.
    let lineEnd = next;
    if (lineEnd > start) {
      const text = this.text;
      while (lineEnd > start && (text.charCodeAt(lineEnd - 1) === 10 || text.charCodeAt(lineEnd - 1) === 13)) lineEnd--;
    }
    return Math.min(start + Math.max(0, position.character), lineEnd);
  }

  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line, this.starts.length - 2))] ?? 0;
  }
}

/** The text of a line (without its line ending) that contains `offset`. */
export function lineTextAt(text: string, offset: number): string {
  let s = offset;
  while (s > 0 && text[s - 1] !== '\n' && text[s - 1] !== '\r') s--;
  let e = offset;
  while (e < text.length && text[e] !== '\n' && text[e] !== '\r') e++;
  return text.slice(s, e);
}
