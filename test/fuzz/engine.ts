/**
 * Property-based fuzzing of the engine (issue 7): random edits (insertions of YAML metacharacters,
 * deletions, duplicated and swapped lines, changed indentation) applied to every fixture file, then
 * extract + analyse + bindingsReport + explain + editor features on the edited workspace.
 *
 * Properties: nothing throws (except the documented `ExplainError`), every span a feature returns lies
 * inside the file it names, and after the edit is undone (the original text put back into the edited
 * snapshot) every result equals the result on the original snapshot.
 *
 * Used by `test/unit/robustness-fuzz.test.ts` (a short budget in `npm test`) and by `npm run fuzz`
 * (`test/fuzz/run.ts`, `FUZZ_RUNS=100000`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { analyzeFile } from '../../server/src/core/analyzers/index';
import type { Finding } from '../../server/src/core/analyzers/index';
import { ExplainError, explain } from '../../server/src/core/bindings/explain';
import { bindingsReport } from '../../server/src/core/bindings/report';
import {
  documentSymbols,
  findDefinition,
  findReferences,
  getCodeLenses,
  getCompletions,
  getHover,
  routeGeneratorActions,
} from '../../server/src/core/features/index';
import { Workspace } from '../../server/src/core/index/snapshot';
import { extractFile } from '../../server/src/core/model/extract';
import { DEFAULT_OPTIONS } from '../../server/src/core/options';
import type { Span } from '../../server/src/core/text';
import { toPosix } from '../../server/src/runtime';
import { FIXTURES, REPO_ROOT } from '../support/workspace';

/** One fuzz target: a file and the workspace (its folder's files) it lives in. */
export interface Target {
  /** Path relative to the repository's parent folder, for messages and regression fixtures. */
  readonly label: string;
  readonly path: string;
  readonly text: string;
  readonly ws: Workspace;
}

function walk(dir: string, out: string[]): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) walk(full, out);
    else if (e.isFile() && /\.ya?ml(\.golden)?$/.test(e.name)) out.push(full);
  }
}

/** Every YAML fixture file of `/work/shared/fixtures` and `examples/`, each in the workspace of its folder. */
export function loadTargets(): Target[] {
  const files: string[] = [];
  walk(FIXTURES, files);
  walk(path.join(REPO_ROOT, 'examples'), files);
  const byDir = new Map<string, string[]>();
  for (const f of files) {
    const d = path.dirname(f);
    byDir.set(d, [...(byDir.get(d) ?? []), f]);
  }
  const targets: Target[] = [];
  for (const [, list] of byDir) {
    // `.golden` files are YAML too; index them under a .yaml name so they are read like any other.
    const changes = list.map((f) => ({ path: toPosix(f).replace(/\.golden$/, '.yaml'), text: fs.readFileSync(f, 'utf8') }));
    const ws = Workspace.fromFiles(changes, DEFAULT_OPTIONS);
    for (const c of changes) targets.push({ label: path.relative(path.dirname(REPO_ROOT), c.path), path: c.path, text: c.text, ws });
  }
  return targets;
}

// ---- Edits ----------------------------------------------------------------------------------

/** Fragments that break YAML in interesting ways. */
export const FRAGMENTS = [
  ':', ': ', '- ', '-', '{', '}', '[', ']', ',', '"', "'", '&a ', '*a', '*missing', '<<: ', '<<: *a', '---\n', '...\n', '\t', '\n', '\r\n', '\r', ' ', '  ',
  '#', ' # gamma-lens-disable', '# gamma-lens-disable-next-line *\n', '|', '|-\n', '>', '!!str ', '!!binary ', '!custom ', '%YAML 1.2\n', '? ', '@', '`',
  '{{ .Values.x }}', '{{- end }}', '\uFEFF', '😀', '\u0000', '\u2028', 'é', 'null', '~', '""', '0x1F', '1e400', '-1', '99999999999999999999', 'true',
  'kind: Service\n', 'kind: List\nitems:\n', 'group: ""', 'group: core', 'kind: Service', 'parentRefs: {}', 'rules: null', 'metadata: []', 'spec: 5', 'port: "eighty"',
  'sectionName: http', 'namespace: other', 'matches: "x"', 'weight: -1', 'backendRefs:\n- name: x\n  port: 80\n', 'name: [a]',
];

export type Edit =
  | { readonly op: 'insert'; readonly at: number; readonly text: string }
  | { readonly op: 'delete'; readonly at: number; readonly length: number }
  | { readonly op: 'duplicateLine'; readonly line: number }
  | { readonly op: 'swapLines'; readonly line: number; readonly other: number }
  | { readonly op: 'indent'; readonly line: number; readonly indent: string };

export const editArb: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 6 }), fc.constantFrom(...FRAGMENTS).chain((a) => fc.constantFrom(...FRAGMENTS).map((b) => a + b))) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('duplicateLine' as const), line: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('swapLines' as const), line: fc.nat(), other: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('indent' as const), line: fc.nat(), indent: fc.constantFrom('', ' ', '  ', '    ', '\t', ' \t', '        ') }) },
);

export const editsArb = fc.array(editArb, { minLength: 1, maxLength: 6 });

/** Applies edits in order; positions are taken modulo the current text length or line count. */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  let t = text;
  for (const e of edits) {
    switch (e.op) {
      case 'insert': {
        const at = e.at % (t.length + 1);
        t = t.slice(0, at) + e.text + t.slice(at);
        break;
      }
      case 'delete': {
        if (!t.length) break;
        const at = e.at % t.length;
        t = t.slice(0, at) + t.slice(at + e.length);
        break;
      }
      default: {
        const lines = t.split('\n');
        const i = e.line % lines.length;
        if (e.op === 'duplicateLine') lines.splice(i, 0, lines[i]!);
        else if (e.op === 'swapLines') {
          const j = e.other % lines.length;
          [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        } else lines[i] = e.indent + lines[i]!.replace(/^[ \t]*/, '');
        t = lines.join('\n');
      }
    }
  }
  return t;
}

// ---- Checks ---------------------------------------------------------------------------------

export class PropertyError extends Error {}

function checkSpan(ws: Workspace, file: string, span: Span | undefined, what: string): void {
  if (!span) return;
  const f = ws.file(file);
  if (!f) throw new PropertyError(`${what}: names ${file}, which is not in the workspace`);
  const ok = Number.isInteger(span.start) && Number.isInteger(span.end) && span.start >= 0 && span.start <= span.end && span.end <= f.text.length;
  if (!ok) throw new PropertyError(`${what}: span ${JSON.stringify(span)} is outside ${file} (length ${f.text.length})`);
}

function checkFinding(ws: Workspace, f: Finding): void {
  checkSpan(ws, f.file, f.span, `finding ${f.code}`);
  for (const r of f.related) checkSpan(ws, r.file, r.span, `related of ${f.code}`);
  for (const fix of f.fixes) for (const e of fix.edits) checkSpan(ws, e.file, e.span, `fix of ${f.code}`);
}

/** Offsets probed by hover etc.: spread over the file, and the same for a text and its undo. */
export function probeOffsets(length: number, seeds: readonly number[]): number[] {
  return seeds.map((s) => (length === 0 ? 0 : s % (length + 1)));
}

/**
 * Everything the engine and editor features compute for `file` in `ws`, after checking every span.
 * The result is plain data, compared between the original and the undone snapshot.
 */
export function engineResults(ws: Workspace, file: string, offsets: readonly number[]): unknown {
  const f = ws.file(file);
  if (!f) throw new PropertyError(`${file} missing from the snapshot`);
  const findings = analyzeFile(ws, file, { onError: (code, _file, err) => { throw new PropertyError(`analyzer ${code} threw: ${(err as Error)?.stack ?? String(err)}`); } });
  for (const x of findings) checkFinding(ws, x);
  const report = bindingsReport(ws);
  const explained: unknown[] = [];
  const services = [...ws.services()].filter((s) => s.file === file).slice(0, 2);
  const anyService = [...ws.services()][0];
  if (!services.length && anyService) services.push(anyService);
  for (const s of services) {
    const port = s.ports.find((p) => p.port)?.port?.value;
    const froms = new Set([s.namespace, 'default', ...[...ws.routes()].slice(0, 3).map((r) => r.namespace)]);
    for (const from of froms) {
      for (const p of [port, undefined]) {
        try {
          const r = explain(ws, { service: { namespace: s.namespace, name: s.name }, port: p, from, path: '/', method: 'GET' });
          for (const st of r.steps) if (st.file) checkSpan(ws, st.file, st.span, 'explain step');
          for (const c of r.candidates) checkSpan(ws, c.file, c.span, 'explain candidate');
          explained.push(r);
        } catch (err) {
          if (!(err instanceof ExplainError)) throw err;
          explained.push({ error: err.message });
        }
      }
    }
  }
  const lenses = getCodeLenses(ws, file);
  for (const l of lenses) {
    checkSpan(ws, file, l.span, 'code lens');
    if (l.action.kind === 'references') for (const loc of l.action.locations) checkSpan(ws, loc.file, loc.span, 'lens location');
  }
  const symbols = documentSymbols(ws, file);
  for (const s of symbols) {
    checkSpan(ws, file, s.span, 'symbol');
    checkSpan(ws, file, s.selection, 'symbol selection');
  }
  const at: unknown[] = [];
  for (const o of offsets) {
    const hover = getHover(ws, file, o);
    if (hover) checkSpan(ws, file, hover.span, 'hover');
    const defs = findDefinition(ws, file, o);
    const refs = findReferences(ws, file, o, true);
    for (const d of [...defs, ...refs]) checkSpan(ws, d.file, d.span, 'definition/reference');
    const completions = getCompletions(ws, file, f.text, o);
    for (const c of completions) checkSpan(ws, file, c.replace, 'completion');
    const actions = routeGeneratorActions(ws, file, { start: o, end: o });
    for (const a of actions) for (const e of a.edits) checkSpan(ws, e.file, e.span, 'route generator');
    at.push({ hover, defs, refs, completions: completions.map((c) => c.label), actions: actions.map((a) => a.title) });
  }
  // Quick fixes are the findings' fixes, checked above.
  const fixes = findings.map((x) => x.fixes.map((a) => a.title));
  // Extraction on its own, as the CLI and the server do it.
  const extracted = extractFile(file, f.text);
  for (const p of extracted.problems) checkSpan(ws, file, p.span, `read problem ${p.reason}`);
  return JSON.parse(JSON.stringify({ findings, report, explained, lenses, symbols, at, fixes, problems: extracted.problems }));
}

/** One case: edit `target`, check everything, undo, and compare with the original results. */
export function checkCase(target: Target, edits: readonly Edit[], seeds: readonly number[], original?: unknown): void {
  const edited = applyEdits(target.text, edits);
  const ws2 = target.ws.withFiles([{ path: target.path, text: edited }]);
  engineResults(ws2, target.path, probeOffsets(edited.length, seeds));
  const undone = ws2.withFiles([{ path: target.path, text: target.text }]);
  const offsets = probeOffsets(target.text.length, seeds);
  const before = original ?? engineResults(target.ws, target.path, offsets);
  const after = engineResults(undone, target.path, offsets);
  if (JSON.stringify(before) !== JSON.stringify(after)) throw new PropertyError(`results after undoing the edits differ from the original results for ${target.label}`);
}

export const seedsArb = fc.array(fc.nat(), { minLength: 3, maxLength: 3 });

/** The fast-check property over all targets. */
export function engineProperty(targets: readonly Target[], onCase?: () => void) {
  return fc.property(fc.nat({ max: targets.length - 1 }), editsArb, seedsArb, (i, edits, seeds) => {
    onCase?.();
    checkCase(targets[i]!, edits, seeds);
  });
}
