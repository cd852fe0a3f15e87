/**
 * A fast reader for the plain subset of YAML that Kubernetes manifests are written in: block maps
 * and sequences, plain and quoted one-line scalars, one-line flow collections, comments and
 * document markers. It builds the same node classes as the `yaml` package (`YAMLMap`, `YAMLSeq`,
 * `Pair`, `Scalar`) with the same `range`s for everything the engine reads, about ten times
 * faster than `yaml`'s lexer, parser and composer.
 *
 * Anchors (`&name` before a value) and aliases (`*name`) are read as `yaml` reads them; `access.ts`
 * resolves aliases through the document as usual.
 *
 * Correctness first: whenever the input leaves the subset (tags, merge keys, anchors on keys,
 * block scalars, multi-line scalars or flow collections, complex keys, directives, tabs, anything
 * surprising), `parseFast` gives up and returns undefined, and the caller uses `yaml` itself.
 * A test runs both over the whole test corpus and requires identical extracted objects.
 */
import { Alias, Document, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';

type Range = [number, number, number];
type Node = Scalar | YAMLMap | YAMLSeq | Alias;

/** Thrown (and caught in `parseFast`) when the input leaves the subset. */
class Bail {}
const BAIL = new Bail();

const SPACE = 32;
const LF = 10;
const CR = 13;
const HASH = 35;
const COLON = 58;
const DASH = 45;
const DQUOTE = 34;
const SQUOTE = 39;
const COMMA = 44;
const LBRACKET = 91;
const RBRACKET = 93;
const LBRACE = 123;
const RBRACE = 125;

let template: Document | undefined;

/** A parsed document around `contents`; shares the schema and options of one template document. */
function makeDocument(contents: Node, length: number): Document.Parsed {
  template ??= new Document(null, { merge: true, uniqueKeys: false, strict: false, prettyErrors: false, keepSourceTokens: false });
  const doc = Object.create(template) as Document.Parsed & { range: Range };
  doc.contents = contents as Document.Parsed['contents'];
  doc.errors = [];
  doc.warnings = [];
  doc.commentBefore = null;
  doc.comment = null;
  doc.range = [0, length, length];
  return doc;
}

/**
 * Reads one document (the text of one `---` chunk, offsets relative to it). Gives undefined when
 * the text is outside the subset this reader handles; then use `yaml.parseDocument`.
 */
export function parseFast(source: string): Document.Parsed | undefined {
  if (!fastParser.enabled) return undefined;
  // Tabs (indentation or separation), a byte order mark and directives: leave them to `yaml`.
  if (source.indexOf('\t') !== -1 || source.charCodeAt(0) === 0xfeff) return undefined;
  try {
    const root = new Reader(source).document();
    return root ? makeDocument(root, source.length) : undefined;
  } catch {
    // BAIL, or a RangeError from absurd nesting: `yaml` reads it (and reports what is wrong).
    return undefined;
  }
}

/** Switch for tests and benchmarks: with `enabled: false` every document goes to `yaml`. */
export const fastParser = { enabled: true };

const NULL_RE = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL_RE = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const OCT_RE = /^0o[0-7]+$/;
const INT_RE = /^[-+]?[0-9]+$/;
const HEX_RE = /^0x[0-9a-fA-F]+$/;
const NAN_RE = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const EXP_RE = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT_RE = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** The value of a plain scalar under the YAML 1.2 core schema, exactly as `yaml` resolves it. */
export function resolvePlain(s: string): string | number | boolean | null {
  const c = s.charCodeAt(0);
  // Only these first characters can start a null, boolean or number.
  const maybe =
    (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 || c === 126 || c === 116 || c === 84 || c === 102 || c === 70 || c === 110 || c === 78;
  if (!maybe) return s;
  // Letters start only nulls and booleans, all at most five characters long (`false`).
  const letter = c === 116 || c === 84 || c === 102 || c === 70 || c === 110 || c === 78;
  if (letter && s.length > 5) return s;
  if (NULL_RE.test(s)) return null;
  if (BOOL_RE.test(s)) return c === 116 || c === 84;
  if (letter) return s;
  if (OCT_RE.test(s)) return parseInt(s.substring(2), 8);
  if (INT_RE.test(s)) return parseInt(s, 10);
  if (HEX_RE.test(s)) return parseInt(s.substring(2), 16);
  if (NAN_RE.test(s)) return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (EXP_RE.test(s) || FLOAT_RE.test(s)) return parseFloat(s);
  return s;
}

/*
 * Node construction. The `yaml` constructors define the node-type symbol on every instance with
 * Object.defineProperty, which made up half of this reader's time. These prototypes carry it once
 * (identity checks such as `isScalar` read it through the prototype chain; `instanceof` holds), and
 * each node gets the own fields its constructor would set.
 */
const NODE_TYPE = Symbol.for('yaml.node.type');
function proto<T extends object>(base: T, type: string): T {
  return Object.create(base, { [NODE_TYPE]: { value: Symbol.for(type) }, schema: { value: undefined, writable: true, configurable: true } }) as T;
}
const SCALAR_PROTO = proto(Scalar.prototype, 'yaml.scalar');
const MAP_PROTO = proto(YAMLMap.prototype, 'yaml.map');
const SEQ_PROTO = proto(YAMLSeq.prototype, 'yaml.seq');
const PAIR_PROTO = proto(Pair.prototype, 'yaml.pair');

/**
 * A node of this reader keeps its range as two numbers (`rangeStart`, `rangeEnd`) rather than the
 * `[start, end, nodeEnd]` array of `yaml` nodes: two allocations fewer per node. `range` is still
 * there for code that reads it, built on demand (`spanOf` reads the numbers directly).
 */
interface FastRange {
  rangeStart: number;
  rangeEnd: number;
}
for (const p of [SCALAR_PROTO, MAP_PROTO, SEQ_PROTO]) {
  Object.defineProperty(p, 'range', {
    get(this: FastRange): Range {
      return [this.rangeStart, this.rangeEnd, this.rangeEnd];
    },
    set(this: FastRange, value: Range | undefined) {
      Object.defineProperty(this, 'range', { value, writable: true, enumerable: true, configurable: true });
    },
    configurable: true,
  });
}

/** Where a node read here (or an alias) ends. */
function nodeEnd(node: Node): number {
  const end = (node as Partial<FastRange>).rangeEnd;
  return end !== undefined ? end : node.range![1];
}

function setRange(node: YAMLMap | YAMLSeq, start: number, end: number): void {
  (node as unknown as FastRange).rangeStart = start;
  (node as unknown as FastRange).rangeEnd = end;
}

// Constructors over those prototypes: `new` with a fixed field order gives every node of a kind one
// hidden class, cheaper to build and to read than `Object.create` plus assignments.
type Ctor<T, A extends unknown[]> = new (...args: A) => T;
function withProto<T, A extends unknown[]>(f: (this: T, ...args: A) => void, prototype: object): Ctor<T, A> {
  (f as unknown as { prototype: object }).prototype = prototype;
  return f as unknown as Ctor<T, A>;
}
const FastScalar = withProto(function (this: Scalar & FastRange, value: unknown, type: Scalar.Type, start: number, end: number) {
  this.value = value;
  this.type = type;
  this.rangeStart = start;
  this.rangeEnd = end;
}, SCALAR_PROTO);
const FastMap = withProto(function (this: YAMLMap & FastRange) {
  this.items = [];
  this.rangeStart = 0;
  this.rangeEnd = 0;
}, MAP_PROTO);
const FastSeq = withProto(function (this: YAMLSeq & FastRange) {
  this.items = [];
  this.rangeStart = 0;
  this.rangeEnd = 0;
}, SEQ_PROTO);
const FastPair = withProto(function (this: Pair<Node, Node>, key: Node, value: Node) {
  this.key = key;
  this.value = value;
}, PAIR_PROTO);

function scalar(value: unknown, type: Scalar.Type, start: number, end: number): Scalar {
  return new FastScalar(value, type, start, end);
}

function newMap(): YAMLMap {
  return new FastMap();
}

function newSeq(): YAMLSeq {
  return new FastSeq();
}

function newPair(key: Node, value: Node): Pair<Node, Node> {
  return new FastPair(key, value);
}

const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  '\t': '\t',
};

class Reader {
  private pos = 0;
  private readonly len: number;
  /** The last content line found by `nextContent`: its first character and column. */
  private contentPos = -1;
  private contentCol = -1;

  constructor(private readonly src: string) {
    this.len = src.length;
  }

  document(): Node | undefined {
    const col = this.nextContent(true);
    if (col < 0) return undefined;
    const c = this.src.charCodeAt(this.pos);
    // A root scalar or flow collection is of no use to the engine; `yaml` reads those.
    if (!(c === DASH && this.isBlank(this.pos + 1)) && !this.lineIsKey(this.pos)) throw BAIL;
    const root = this.blockNode(col, -1);
    if (this.nextContent(false) >= 0) throw BAIL;
    return root;
  }

  // ---- lines

  /** True at a space, a line break or the end of the text. */
  private isBlank(i: number): boolean {
    if (i >= this.len) return true;
    const c = this.src.charCodeAt(i);
    return c === SPACE || c === LF || c === CR;
  }

  private isEol(i: number): boolean {
    if (i >= this.len) return true;
    const c = this.src.charCodeAt(i);
    return c === LF || (c === CR && this.src.charCodeAt(i + 1) === LF);
  }

  /** Moves past the current line's break (to the start of the next line, or the end). */
  private nextLine(): void {
    const nl = this.src.indexOf('\n', this.pos);
    this.pos = nl === -1 ? this.len : nl + 1;
  }

  /**
   * From the start of a line, skips blank and comment lines. Leaves `pos` at the first character
   * of the next content line and returns its column, or -1 at the end of the document.
   */
  private nextContent(atStart: boolean): number {
    // Called again at a content line it already found (pos is then not at a line start).
    if (this.pos === this.contentPos) return this.contentCol;
    const src = this.src;
    for (;;) {
      if (this.pos >= this.len) return -1;
      const lineStart = this.pos;
      let i = lineStart;
      while (i < this.len && src.charCodeAt(i) === SPACE) i++;
      if (this.isEol(i) || src.charCodeAt(i) === HASH) {
        this.pos = i;
        this.nextLine();
        continue;
      }
      const col = i - lineStart;
      if (col === 0) {
        const c = src.charCodeAt(i);
        if (c === 37 /* % directive */) throw BAIL;
        if ((c === DASH && src.startsWith('---', i)) || (c === 46 && src.startsWith('...', i))) {
          // `---word` would be a plain scalar, and a second `---` another document: leave to `yaml`.
          if (!this.isBlank(i + 3) || (c === DASH && !atStart)) throw BAIL;
          this.pos = i + 3;
          this.endOfLine();
          if (c === 46) {
            // `...` ends the document: only comments may follow.
            if (this.nextContent(false) >= 0) throw BAIL;
            return -1;
          }
          atStart = false;
          continue;
        }
      }
      this.pos = i;
      this.contentPos = i;
      this.contentCol = col;
      return col;
    }
  }

  /** After a value: spaces, then an optional comment, then the line break. Else not our subset. */
  private endOfLine(): number {
    const src = this.src;
    let i = this.pos;
    while (i < this.len && src.charCodeAt(i) === SPACE) i++;
    const c = src.charCodeAt(i);
    if (c === HASH) {
      if (i === this.pos && i > 0 && !this.isBlank(i - 1)) throw BAIL;
    } else if (!this.isEol(i)) throw BAIL;
    this.pos = i;
    this.nextLine();
    return this.pos;
  }

  // ---- block nodes

  /** A block node whose first line starts at `pos` (column `col`), inside a parent at `parentIndent`. */
  private blockNode(col: number, parentIndent: number): Node {
    const c = this.src.charCodeAt(this.pos);
    if (c === DASH && this.isBlank(this.pos + 1)) return this.blockSeq(col);
    if (this.lineIsKey(this.pos)) return this.blockMap(col);
    // A scalar or flow collection on a line of its own.
    const node = this.inlineValue();
    this.endOfLine();
    this.afterInline(parentIndent);
    return node;
  }

  /**
   * After a one-line value: a more indented content line would continue it. Leaves `pos` at the
   * next content line, where the caller's `nextContent` finds it without scanning again.
   */
  private afterInline(parentIndent: number): void {
    if (this.nextContent(false) > parentIndent) throw BAIL;
  }

  /** True when the line at `i` starts with an implicit key (`key:` then a space or line end). */
  private lineIsKey(i: number): boolean {
    const src = this.src;
    const c = src.charCodeAt(i);
    if (c === DQUOTE || c === SQUOTE) {
      const close = this.quotedEnd(i);
      let j = close;
      while (j < this.len && src.charCodeAt(j) === SPACE) j++;
      return src.charCodeAt(j) === COLON && this.isBlank(j + 1);
    }
    if (!this.plainStart(i, false)) return false;
    return this.plainEnd(i, false);
  }

  private blockMap(indent: number): YAMLMap {
    const src = this.src;
    const map = newMap();
    const start = this.pos;
    let end = start;
    for (;;) {
      const key = this.key();
      // `pos` is just after the `:`.
      const value = this.mapValue(indent);
      map.items.push(newPair(key, value));
      end = nodeEnd(value);
      const col = this.nextContent(false);
      if (col < indent) break;
      if (col > indent) throw BAIL;
      if (src.charCodeAt(this.pos) === DASH && this.isBlank(this.pos + 1)) throw BAIL;
    }
    setRange(map, start, end);
    return map;
  }

  /** A key on its line; leaves `pos` after the `:` that follows it. */
  private key(): Scalar {
    const src = this.src;
    const start = this.pos;
    const c = src.charCodeAt(start);
    let key: Scalar;
    if (c === DQUOTE || c === SQUOTE) {
      key = this.quoted(true);
      while (src.charCodeAt(this.pos) === SPACE) this.pos++;
    } else {
      if (c === 63 /* ? */ || c === 60 /* < (merge key) */ || !this.plainStart(start, false)) throw BAIL;
      if (!this.plainEnd(start, false)) throw BAIL;
      const end = this.plainEndAt;
      key = scalar(resolvePlain(src.slice(start, end)), 'PLAIN', start, end);
      this.pos = this.plainStopAt;
    }
    if (src.charCodeAt(this.pos) !== COLON || !this.isBlank(this.pos + 1)) throw BAIL;
    this.pos++;
    return key;
  }

  /** The value after `key:` in a block map at `indent`. Leaves `pos` at the start of a line. */
  private mapValue(indent: number): Node {
    const src = this.src;
    while (src.charCodeAt(this.pos) === SPACE) this.pos++;
    const anchor = this.anchor(false);
    const emptyAt = this.pos;
    if (!this.isEol(this.pos) && src.charCodeAt(this.pos) !== HASH) {
      if (src.charCodeAt(this.pos) === DASH && this.isBlank(this.pos + 1)) throw BAIL;
      if (anchor !== undefined && this.lineIsKey(this.pos)) throw BAIL;
      const node = this.inlineValue();
      this.endOfLine();
      this.afterInline(indent);
      return withAnchor(node, anchor);
    }
    this.endOfLine();
    const save = this.pos;
    const col = this.nextContent(false);
    if (col > indent) return withAnchor(this.blockNode(col, indent), anchor);
    if (col === indent && col >= 0 && src.charCodeAt(this.pos) === DASH && this.isBlank(this.pos + 1)) return withAnchor(this.blockSeq(col), anchor);
    // An anchored empty value: rare; leave it to `yaml`.
    if (anchor !== undefined) throw BAIL;
    this.pos = save;
    return scalar(null, 'PLAIN', emptyAt, emptyAt);
  }

  /** Reads `&name` and the spaces after it, if `pos` is at one. */
  private anchor(flow: boolean): string | undefined {
    if (this.src.charCodeAt(this.pos) !== 38 /* & */) return undefined;
    const name = this.name(flow);
    while (this.src.charCodeAt(this.pos) === SPACE) this.pos++;
    return name;
  }

  /** The name after `&` or `*` at `pos`; leaves `pos` after it. Unusual names: bail. */
  private name(flow: boolean): string {
    const src = this.src;
    const start = this.pos + 1;
    let i = start;
    for (; i < this.len; i++) {
      const c = src.charCodeAt(i);
      const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === DASH || c === 46 || c === 47;
      if (!ok) break;
    }
    if (i === start) throw BAIL;
    const c = src.charCodeAt(i);
    if (!this.isBlank(i) && !(flow && (c === COMMA || c === RBRACKET || c === RBRACE))) throw BAIL;
    this.pos = i;
    return src.slice(start, i);
  }

  private blockSeq(indent: number): YAMLSeq {
    const src = this.src;
    const seq = newSeq();
    const start = this.pos;
    let end = start;
    for (;;) {
      // `pos` is at the `-`.
      this.pos++;
      while (src.charCodeAt(this.pos) === SPACE) this.pos++;
      const anchor = this.anchor(false);
      let item: Node;
      if (this.isEol(this.pos) || src.charCodeAt(this.pos) === HASH) {
        const emptyAt = this.pos;
        this.endOfLine();
        const save = this.pos;
        const col = this.nextContent(false);
        if (col > indent) item = this.blockNode(col, indent);
        else {
          if (anchor !== undefined) throw BAIL;
          this.pos = save;
          item = scalar(null, 'PLAIN', emptyAt, emptyAt);
        }
      } else {
        // `- &a key: v` anchors the key, `- &a - x` a nested sequence: leave those to `yaml`.
        if (anchor !== undefined && (this.lineIsKey(this.pos) || (src.charCodeAt(this.pos) === DASH && this.isBlank(this.pos + 1)))) throw BAIL;
        const col = this.pos - this.lineStartOf(this.pos);
        item = this.blockNode(col, indent);
      }
      seq.items.push(withAnchor(item, anchor));
      end = nodeEnd(item);
      const col = this.nextContent(false);
      if (col < indent) break;
      if (col > indent) throw BAIL;
      if (!(src.charCodeAt(this.pos) === DASH && this.isBlank(this.pos + 1))) break;
    }
    setRange(seq, start, end);
    return seq;
  }

  private lineStartOf(i: number): number {
    return this.src.lastIndexOf('\n', i - 1) + 1;
  }

  // ---- scalars and flow collections

  /** A value written on the current line: a quoted or plain scalar or a flow collection. */
  private inlineValue(): Node {
    const src = this.src;
    const c = src.charCodeAt(this.pos);
    if (c === DQUOTE || c === SQUOTE) return this.quoted(false);
    if (c === LBRACKET || c === LBRACE) return this.flow();
    if (c === 42 /* * */) return this.alias(false);
    const start = this.pos;
    if (!this.plainStart(start, false)) throw BAIL;
    if (this.plainEnd(start, false)) throw BAIL;
    const end = this.plainEndAt;
    this.pos = this.plainStopAt;
    return scalar(resolvePlain(src.slice(start, end)), 'PLAIN', start, end);
  }

  /** True when a plain scalar may start at `i`. */
  private plainStart(i: number, flow: boolean): boolean {
    const src = this.src;
    const c = src.charCodeAt(i);
    switch (c) {
      case COMMA:
      case LBRACKET:
      case RBRACKET:
      case LBRACE:
      case RBRACE:
      case HASH:
      case 38: // &
      case 42: // *
      case 33: // !
      case 124: // |
      case 62: // >
      case SQUOTE:
      case DQUOTE:
      case 37: // %
      case 64: // @
      case 96: // `
        return false;
      case DASH:
      case 63: // ?
      case COLON: {
        if (this.isBlank(i + 1)) return false;
        const n = src.charCodeAt(i + 1);
        return !(flow && (n === COMMA || n === LBRACKET || n === RBRACKET || n === LBRACE || n === RBRACE));
      }
      default:
        return !this.isBlank(i);
    }
  }

  /** Results of the last `plainEnd`: after the scalar's last non-space character, and where scanning stopped. */
  private plainEndAt = 0;
  private plainStopAt = 0;

  /**
   * Scans a plain scalar from `start` on one line (setting `plainEndAt` and `plainStopAt`). True
   * when it stopped at a `:` indicator (so the scalar is a key).
   */
  private plainEnd(start: number, flow: boolean): boolean {
    const src = this.src;
    let i = start;
    let end = start;
    for (; i < this.len; i++) {
      const c = src.charCodeAt(i);
      if (c === LF || c === CR) break;
      if (c === SPACE) continue;
      if (c === HASH && src.charCodeAt(i - 1) === SPACE) break;
      if (c === COLON) {
        const n = src.charCodeAt(i + 1);
        if (this.isBlank(i + 1) || (flow && (n === COMMA || n === LBRACKET || n === RBRACKET || n === LBRACE || n === RBRACE))) {
          this.plainEndAt = end;
          this.plainStopAt = i;
          return true;
        }
      }
      if (flow && (c === COMMA || c === LBRACKET || c === RBRACKET || c === LBRACE || c === RBRACE)) break;
      end = i + 1;
    }
    this.plainEndAt = end;
    this.plainStopAt = i;
    return false;
  }

  /** Where the quoted scalar starting at `i` ends (after its closing quote). Multi-line: bail. */
  private quotedEnd(i: number): number {
    const src = this.src;
    const q = src.charCodeAt(i);
    for (let j = i + 1; j < this.len; j++) {
      const c = src.charCodeAt(j);
      if (c === LF || c === CR) throw BAIL;
      if (q === DQUOTE && c === 92 /* \ */) {
        j++;
        if (this.isEol(j)) throw BAIL;
        continue;
      }
      if (c === q) {
        if (q === SQUOTE && src.charCodeAt(j + 1) === SQUOTE) {
          j++;
          continue;
        }
        return j + 1;
      }
    }
    throw BAIL;
  }

  private quoted(_atKey: boolean): Scalar {
    const src = this.src;
    const start = this.pos;
    const end = this.quotedEnd(start);
    const raw = src.slice(start + 1, end - 1);
    let value: string;
    let type: Scalar.Type;
    if (src.charCodeAt(start) === SQUOTE) {
      type = 'QUOTE_SINGLE';
      value = raw.indexOf("'") === -1 ? raw : raw.replace(/''/g, "'");
    } else {
      type = 'QUOTE_DOUBLE';
      value = raw.indexOf('\\') === -1 ? raw : unescape(raw);
    }
    this.pos = end;
    return scalar(value, type, start, end);
  }

  /** A flow collection that opens and closes on the current line. */
  private flow(): YAMLMap | YAMLSeq {
    const src = this.src;
    const start = this.pos;
    const isMap = src.charCodeAt(start) === LBRACE;
    const close = isMap ? RBRACE : RBRACKET;
    const coll = isMap ? newMap() : newSeq();
    coll.flow = true;
    this.pos++;
    let first = true;
    for (;;) {
      this.skipFlowSpace();
      let c = src.charCodeAt(this.pos);
      if (c === close) break;
      if (!first) {
        if (c !== COMMA) throw BAIL;
        this.pos++;
        this.skipFlowSpace();
        c = src.charCodeAt(this.pos);
        // A trailing comma: leave the edge cases to `yaml`.
        if (c === close || c === COMMA) throw BAIL;
      }
      first = false;
      const item = this.flowScalarOrCollection();
      this.skipFlowSpace();
      const afterColon = src.charCodeAt(this.pos) === COLON;
      if (isMap) {
        if (!afterColon || !(src.charCodeAt(this.pos + 1) === SPACE)) throw BAIL;
        this.pos++;
        this.skipFlowSpace();
        const v = src.charCodeAt(this.pos);
        if (v === COMMA || v === close) throw BAIL;
        const value = this.flowScalarOrCollection();
        if (!(item instanceof Scalar) || item.anchor !== undefined) throw BAIL;
        (coll as YAMLMap).items.push(newPair(item, value));
      } else {
        if (afterColon) throw BAIL;
        (coll as YAMLSeq).items.push(item);
      }
    }
    this.pos++;
    setRange(coll, start, this.pos);
    return coll;
  }

  private alias(flow: boolean): Alias {
    const start = this.pos;
    const a = new Alias(this.name(flow));
    a.range = [start, this.pos, this.pos];
    return a;
  }

  private skipFlowSpace(): void {
    while (this.src.charCodeAt(this.pos) === SPACE) this.pos++;
    if (this.isEol(this.pos) || this.src.charCodeAt(this.pos) === HASH) throw BAIL;
  }

  private flowScalarOrCollection(): Node {
    const src = this.src;
    const anchor = this.anchor(true);
    if (anchor !== undefined) {
      const n = src.charCodeAt(this.pos);
      if (n === COMMA || n === RBRACKET || n === RBRACE || n === 42 || this.isEol(this.pos)) throw BAIL;
      return withAnchor(this.flowScalarOrCollection(), anchor);
    }
    const c = src.charCodeAt(this.pos);
    if (c === DQUOTE || c === SQUOTE) return this.quoted(false);
    if (c === LBRACKET || c === LBRACE) return this.flow();
    if (c === 42 /* * */) {
      const a = this.alias(true);
      while (src.charCodeAt(this.pos) === SPACE) this.pos++;
      return a;
    }
    const start = this.pos;
    if (!this.plainStart(start, true)) throw BAIL;
    this.plainEnd(start, true);
    const end = this.plainEndAt;
    if (end === start) throw BAIL;
    let stop = end;
    while (src.charCodeAt(stop) === SPACE) stop++;
    this.pos = stop;
    return scalar(resolvePlain(src.slice(start, end)), 'PLAIN', start, end);
  }
}

function withAnchor(node: Node, anchor: string | undefined): Node {
  if (anchor === undefined) return node;
  // An alias cannot carry an anchor (`&a *b`); `yaml` reports that.
  if (node instanceof Alias) throw BAIL;
  node.anchor = anchor;
  return node;
}

/** Decodes the escapes of a one-line double-quoted scalar; unknown escapes: bail. */
function unescape(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const e = raw[++i];
    if (e === undefined) throw BAIL;
    const simple = ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    const digits = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (digits === 0) throw BAIL;
    const hex = raw.slice(i + 1, i + 1 + digits);
    if (hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex)) throw BAIL;
    const code = parseInt(hex, 16);
    if (code > 0x10ffff) throw BAIL;
    out += String.fromCodePoint(code);
    i += digits;
  }
  return out;
}
