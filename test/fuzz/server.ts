/**
 * Fuzzing a running language server (issue 7): random edits to a fixture file sent as didChange,
 * then hover, codeLens and codeAction at random positions. Properties: every request is answered,
 * every range returned lies inside the document as edited, the process stays alive, and after the
 * edit is undone the answers and the diagnostics equal those before the edit.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { LspClient, fileUri } from '../support/lsp-client';
import type { Diagnostic, Position, Range } from '../support/lsp-client';
import { applyEdits, editsArb, PropertyError } from './engine';
import type { Target } from './engine';

export interface ServerSession {
  readonly client: LspClient;
  readonly dir: string;
  /** Target label → file in the temporary workspace. */
  readonly files: ReadonlyMap<string, string>;
  readonly targets: readonly Target[];
  /** The text the server currently has for each open file. */
  readonly current: Map<string, string>;
  stop(): Promise<void>;
}

/** Writes the targets into a temporary workspace and starts the server on it. */
export async function startServerFuzz(targets: readonly Target[], env: Record<string, string> = {}): Promise<ServerSession> {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gamma-lens-fuzz-')));
  const files = new Map<string, string>();
  for (const t of targets) {
    const p = path.join(dir, t.label.replace(/^(\.\.\/)+/, '').replace(/\.golden$/, ''));
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, t.text);
    files.set(t.label, p);
  }
  const client = await LspClient.start({ folders: [dir], env });
  return { client, dir, files, targets, current: new Map(), stop: () => client.stop() };
}

/** Lines as LSP counts them (CR, LF and CRLF all end a line). */
function lineLengths(text: string): number[] {
  return text.split(/\r\n|\r|\n/).map((l) => l.length);
}

function checkRange(lines: number[], r: Range | undefined, what: string): void {
  if (!r) return;
  const inside = (p: Position): boolean => Number.isInteger(p.line) && Number.isInteger(p.character) && p.line >= 0 && p.line < lines.length && p.character >= 0 && p.character <= lines[p.line]!;
  const ordered = r.start.line < r.end.line || (r.start.line === r.end.line && r.start.character <= r.end.character);
  if (!inside(r.start) || !inside(r.end) || !ordered) throw new PropertyError(`${what}: range ${JSON.stringify(r)} is outside the document (${lines.length} lines)`);
}

function positionFor(lines: number[], seed: number): Position {
  const line = seed % lines.length;
  return { line, character: Math.floor(seed / lines.length) % (lines[line]! + 1) };
}

/** Diagnostics without the fields that change with every edit (document version). */
function stable(diags: readonly Diagnostic[]): unknown {
  return diags.map((d) => ({ ...d, data: d.data && typeof d.data === 'object' ? { ...(d.data as Record<string, unknown>), version: undefined } : d.data }));
}

/** Sets the server's text of `file` and waits until its diagnostics for it are published. */
async function setText(s: ServerSession, file: string, text: string): Promise<void> {
  const before = s.current.get(file);
  if (before === undefined) {
    // Opening with the disk text changes nothing, so no re-index (and no `ready`) follows.
    const changes = text !== fs.readFileSync(file, 'utf8');
    const ready = changes ? s.client.nextReady() : undefined;
    s.client.open(file, text);
    s.current.set(file, text);
    if (ready) await ready;
    return;
  }
  if (before === text) return;
  const ready = s.client.nextReady();
  s.client.change(file, [{ text }]);
  s.current.set(file, text);
  await ready;
}

/** Everything the server answers for `file` at `positions`, after checking every range. */
async function answers(s: ServerSession, file: string, text: string, positions: readonly Position[]): Promise<unknown> {
  const lines = lineLengths(text);
  const uri = fileUri(file);
  const out: unknown[] = [];
  const diags = s.client.diagnosticsFor(file);
  for (const d of diags) checkRange(lines, d.range, `diagnostic ${String(d.code)}`);
  for (const p of positions) {
    const hover = await s.client.hover(file, p);
    checkRange(lines, hover?.range, 'hover');
    const actions = (await s.client.codeActions(file, { start: p, end: p }, diags.filter((d) => d.range.start.line <= p.line && p.line <= d.range.end.line))) ?? [];
    for (const a of actions) for (const e of a.edit?.changes?.[uri] ?? []) checkRange(lines, e.range, `code action ${a.title}`);
    out.push({ hover, actions: actions.map((a) => ({ title: a.title, kind: a.kind, edit: a.edit })) });
  }
  const lenses = (await s.client.codeLens(file)) ?? [];
  for (const l of lenses) checkRange(lines, l.range, 'code lens');
  const symbols = (await s.client.documentSymbols(file)) ?? [];
  for (const sym of symbols) {
    checkRange(lines, sym.range, 'symbol');
    checkRange(lines, sym.selectionRange, 'symbol selection');
  }
  return JSON.parse(JSON.stringify({ out, lenses, symbols, diagnostics: stable(diags) }));
}

/** One case: answers on the original, on the edited text, and again after undoing the edit. */
export async function serverCase(s: ServerSession, target: Target, edits: Parameters<typeof applyEdits>[1], seeds: readonly number[]): Promise<void> {
  const file = s.files.get(target.label)!;
  const logsBefore = s.client.logs.length;
  await setText(s, file, target.text);
  const positionsOf = (text: string): Position[] => seeds.map((x) => positionFor(lineLengths(text), x));
  const before = await answers(s, file, target.text, positionsOf(target.text));
  const edited = applyEdits(target.text, edits);
  await setText(s, file, edited);
  await answers(s, file, edited, positionsOf(edited));
  await setText(s, file, target.text);
  const after = await answers(s, file, target.text, positionsOf(target.text));
  if (JSON.stringify(before) !== JSON.stringify(after)) {
    throw new PropertyError(`server answers after undoing the edits differ for ${target.label}:\nbefore ${JSON.stringify(before).slice(0, 2000)}\nafter  ${JSON.stringify(after).slice(0, 2000)}`);
  }
  if (s.client.errorOutput) throw new PropertyError(`server wrote to stderr: ${s.client.errorOutput.slice(0, 2000)}`);
  const failures = s.client.logs.slice(logsBefore).filter((l) => /failed|Error/.test(l));
  if (failures.length) throw new PropertyError(`server logged failures: ${failures.join('\n').slice(0, 2000)}`);
}

export function serverProperty(s: ServerSession, onCase?: () => void) {
  return fc.asyncProperty(fc.nat({ max: s.targets.length - 1 }), editsArb, fc.array(fc.nat(), { minLength: 2, maxLength: 2 }), async (i, edits, seeds) => {
    onCase?.();
    await serverCase(s, s.targets[i]!, edits, seeds);
  });
}
