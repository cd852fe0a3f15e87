/** Helpers for the analyzer tests: run the catalogue on inline workspaces and apply quick fixes. */
import assert from 'node:assert/strict';
import { analyzeWorkspace } from '../../server/src/core/analyzers/index';
import type { AnalysisSettings, Finding, Fix } from '../../server/src/core/analyzers/types';
import { applyEdits } from '../../server/src/core/analyzers/edits';
import type { Workspace } from '../../server/src/core/index/snapshot';
import type { EngineOptions } from '../../server/src/core/options';
import { textAt, workspace } from '../support/workspace';

export interface Run {
  readonly ws: Workspace;
  readonly files: Record<string, string>;
  readonly findings: Finding[];
}

export function analyze(files: Record<string, string>, options: Partial<EngineOptions> = {}, settings: AnalysisSettings = {}): Run {
  const ws = workspace(files, options);
  return { ws, files, findings: [...analyzeWorkspace(ws, settings).values()].flat() };
}

/** The findings of one code. */
export function of(run: Run, code: string): Finding[] {
  return run.findings.filter((f) => f.code === code);
}

/** Exactly one finding of `code`; fails listing every finding otherwise. */
export function single(run: Run, code: string): Finding {
  const found = of(run, code);
  assert.equal(found.length, 1, `expected one ${code}, got: ${JSON.stringify(run.findings.map((f) => [f.code, f.file, f.message]), null, 1)}`);
  return found[0]!;
}

export function under(run: Run, f: { file: string; span: Finding['span'] }): string {
  return textAt(run.ws, f.file, f.span);
}

/** `code file:line` keys, for comparing finding sets without offsets. */
export function keys(run: Run): string[] {
  return run.findings.map((f) => `${f.code} ${f.file} ${f.severity} ${f.message}`).sort();
}

/** The files after applying a fix's edits. */
export function applyFix(files: Record<string, string>, fix: Fix): Record<string, string> {
  const out = { ...files };
  const byFile = new Map<string, Fix['edits'][number][]>();
  for (const e of fix.edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  for (const [file, edits] of byFile) out[file] = applyEdits(out[file] ?? '', edits);
  return out;
}

/**
 * Applies the fix of `finding` (its preferred one, or the one with `title`), rebuilds the workspace,
 * re-analyses, and checks that the finding is gone and every other finding is unchanged.
 */
export function roundTrip(run: Run, finding: Finding, options: Partial<EngineOptions> = {}, title?: string): { files: Record<string, string>; after: Run } {
  const fix = title ? finding.fixes.find((x) => x.title === title) : (finding.fixes.find((x) => x.preferred) ?? finding.fixes[0]);
  assert.ok(fix, `no fix on ${finding.code}: ${JSON.stringify(finding.fixes.map((x) => x.title))}`);
  const files = applyFix(run.files, fix);
  const after = analyze(files, options);
  const before = keys(run);
  const gone = `${finding.code} ${finding.file} ${finding.severity} ${finding.message}`;
  const i = before.indexOf(gone);
  assert.ok(i >= 0);
  before.splice(i, 1);
  assert.deepEqual(keys(after), before, 'the fix must remove exactly its finding');
  return { files, after };
}
