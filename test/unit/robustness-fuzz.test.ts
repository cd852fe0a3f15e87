/**
 * Property-based fuzzing of the engine with fast-check (issue 7), a short budget: random edits to
 * every fixture file; nothing throws, every span lies inside its file, and undoing the edits gives
 * the original results. `npm run fuzz` runs the long version (FUZZ_RUNS). Failing cases found by
 * long runs are kept in test/fixtures/robustness/fuzz/ and replayed here.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { applyEdits, checkCase, engineProperty, engineResults, loadTargets, PropertyError } from '../fuzz/engine';
import type { Edit } from '../fuzz/engine';
import { Workspace } from '../../server/src/core/index/snapshot';
import { DEFAULT_OPTIONS } from '../../server/src/core/options';
import { REPO_ROOT } from '../support/workspace';

const targets = loadTargets();
const REGRESSIONS = path.join(REPO_ROOT, 'test', 'fixtures', 'robustness', 'fuzz');

describe('engine fuzz', () => {
  test('every fixture file of /work/shared/fixtures and examples/ is a target', () => {
    assert.ok(targets.length >= 40, `${targets.length} targets`);
    assert.ok(targets.some((t) => t.label.includes('examples/seed-article/')));
    assert.ok(targets.some((t) => t.label.includes('fixtures/gateway-api/conformance/')));
    assert.ok(targets.some((t) => t.label.includes('fixtures/istio/')));
  });

  test('random edits: no exception, spans inside the file, undo restores every result', () => {
    const runs = Number(process.env.FUZZ_TEST_RUNS ?? 600);
    fc.assert(engineProperty(targets), { numRuns: runs, seed: Number(process.env.FUZZ_TEST_SEED ?? 1294) });
  });

  test('the property can fail: a span outside its file is reported', () => {
    const ws = Workspace.fromFiles([{ path: '/ws/a.yaml', text: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n  - port: 80\n' }], DEFAULT_OPTIONS);
    const shrunk = ws.withFiles([{ path: '/ws/a.yaml', text: 'x' }]);
    // Results of the full file checked against a snapshot whose file is one character long.
    const original = engineResults(ws, '/ws/a.yaml', [40]);
    assert.ok(JSON.stringify(original).includes('"title"'), 'the Service has a lens');
    assert.throws(() => checkCase({ label: 'a', path: '/ws/a.yaml', text: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n', ws: shrunk }, [{ op: 'insert', at: 0, text: '#' }], [1, 2, 3], original), PropertyError);
  });

  test('applyEdits: positions wrap around, lines are duplicated, swapped and re-indented', () => {
    const edits: Edit[] = [
      { op: 'insert', at: 7, text: '!' },
      { op: 'delete', at: 0, length: 2 },
      { op: 'duplicateLine', line: 4 },
      { op: 'swapLines', line: 0, other: 2 },
      { op: 'indent', line: 1, indent: '\t' },
    ];
    assert.equal(applyEdits('a: 1\n  b: 2\n', edits), '  !b: 2\n\t!b: 2\n 1\n');
  });

  const regressions = fs.readdirSync(REGRESSIONS).filter((f) => f.endsWith('.json')).sort();
  test('regression cases kept from fuzz runs are present', () => {
    assert.ok(regressions.length > 0);
  });
  for (const f of regressions) {
    test(`regression ${f}`, () => {
      const c = JSON.parse(fs.readFileSync(path.join(REGRESSIONS, f), 'utf8')) as { kind: string; target: string; edits: Edit[] };
      const target = targets.find((t) => t.label === c.target || t.label.endsWith(c.target.replace(/^[^/]+\//, '/')));
      assert.ok(target, `target ${c.target} not found`);
      checkCase(target, c.edits, [0, 97, 331]);
      const saved = path.join(REGRESSIONS, f.replace(/\.json$/, '.yaml'));
      if (fs.existsSync(saved)) assert.equal(applyEdits(target.text, c.edits), fs.readFileSync(saved, 'utf8'));
    });
  }
});
