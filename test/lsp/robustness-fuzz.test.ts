/**
 * Fuzzing the running language server (issue 7), a short budget: random edits to fixture files as
 * didChange, then hover, codeLens, codeAction and document symbols at random positions. Every
 * request is answered with ranges inside the edited document, nothing is logged as failed, and
 * after undoing the edits every answer and diagnostic equals the original. Long runs:
 * `FUZZ_TARGET=server FUZZ_RUNS=1000 npm run fuzz`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadTargets } from '../fuzz/engine';
import { serverProperty, startServerFuzz } from '../fuzz/server';
import type { ServerSession } from '../fuzz/server';

describe('language server fuzz', () => {
  let session: ServerSession;
  before(async () => {
    session = await startServerFuzz(loadTargets());
  });
  after(async () => {
    await session.stop();
  });

  test('random edits through didChange: answers stay in range, undo restores them, the server lives', async () => {
    let cases = 0;
    await fc.assert(serverProperty(session, () => cases++), { numRuns: Number(process.env.FUZZ_TEST_RUNS_SERVER ?? 40), seed: Number(process.env.FUZZ_TEST_SEED ?? 1294) });
    assert.equal(cases, Number(process.env.FUZZ_TEST_RUNS_SERVER ?? 40));
    // Still serving after all of it.
    const statuses = session.client.statuses.filter((s) => s.state === 'ready');
    assert.ok(statuses.length > 1);
    assert.equal(session.client.errorOutput, '');
  });
});
