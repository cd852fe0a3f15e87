/**
 * `npm run fuzz`: the long fuzz runs (issue 7).
 *
 *   FUZZ_RUNS=100000 npm run fuzz             engine, 100k cases
 *   FUZZ_TARGET=server FUZZ_RUNS=500 npm run fuzz   a running language server
 *   FUZZ_SEED=123 ...                        replay a seed (printed at the start of every run)
 *
 * A failing case is shrunk and written to test/fixtures/robustness/fuzz/ (the edited text and a
 * JSON file with the seed, target and edits); `robustness-fuzz.test.ts` replays every file there.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { REPO_ROOT } from '../support/workspace';
import { applyEdits, engineProperty, loadTargets } from './engine';
import type { Edit, Target } from './engine';
import { serverProperty, startServerFuzz } from './server';

export const REGRESSIONS = path.join(REPO_ROOT, 'test', 'fixtures', 'robustness', 'fuzz');

function saveRegression(kind: string, seed: number, target: Target, edits: readonly Edit[]): string {
  fs.mkdirSync(REGRESSIONS, { recursive: true });
  const base = `${kind}-${path.basename(target.path).replace(/[^A-Za-z0-9.-]/g, '_').replace(/\.ya?ml$/, '')}-${seed}`;
  fs.writeFileSync(path.join(REGRESSIONS, `${base}.yaml`), applyEdits(target.text, edits));
  fs.writeFileSync(path.join(REGRESSIONS, `${base}.json`), `${JSON.stringify({ kind, seed, target: target.label, edits }, null, 2)}\n`);
  return base;
}

async function main(): Promise<void> {
  const runs = Number(process.env.FUZZ_RUNS ?? 10000);
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
  const kind = process.env.FUZZ_TARGET ?? 'engine';
  const targets = loadTargets();
  console.log(`fuzz ${kind}: ${runs} cases over ${targets.length} fixture files, seed ${seed}`);
  const t0 = Date.now();
  let done = 0;
  const tick = (): void => {
    done++;
    if (done % 1000 === 0) console.log(`  ${done} cases, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  };
  let details;
  if (kind === 'server') {
    const session = await startServerFuzz(targets);
    try {
      details = await fc.check(serverProperty(session, tick), { numRuns: runs, seed });
    } finally {
      await session.stop();
    }
  } else {
    details = fc.check(engineProperty(targets, tick), { numRuns: runs, seed });
  }
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (details.failed && details.counterexample) {
    const [i, edits] = details.counterexample as unknown as [number, Edit[]];
    const saved = saveRegression(kind, seed, targets[i]!, edits);
    console.log(`FAILED after ${details.numRuns} cases (${secs} s): ${String(details.errorInstance)}`);
    console.log(`counterexample saved as test/fixtures/robustness/fuzz/${saved}.{yaml,json}; replay with FUZZ_SEED=${seed} FUZZ_PATH=${details.counterexamplePath}`);
    process.exitCode = 1;
  } else {
    console.log(`passed: ${details.numRuns} cases in ${secs} s (seed ${seed})`);
  }
}

void main();
