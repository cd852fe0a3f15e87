// Runs every test tier that can run without a display: unit and LSP tests on node:test, then the
// end-to-end suites whose tools are present. Exits non-zero on any failure.
//
// End-to-end suites (README "End-to-end tests"; install their tools with scripts/e2e-setup.sh):
//   Neovim       test/out/test/e2e/neovim  needs `nvim` on PATH
//   code-server  test/e2e/code-server      needs .e2e-cache/{code-server,playwright} and /usr/bin/chromium
// A suite whose tools are missing is not run, and one line says so; with CI=true that is a failure.
// `--e2e` runs only the end-to-end suites (npm run test:e2e).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { missingTools as codeServerMissing } from '../test/e2e/code-server/harness.mjs';

const CI = process.env.CI === 'true';
const failed = [];

function run(label, args) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...args], { stdio: 'inherit' });
  console.log(`# ${label}: ${r.status === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (r.status !== 0) failed.push(label);
}

function onPath(cmd) {
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => d && existsSync(path.join(d, cmd)));
}

const tiers = ['test/out/test/unit', 'test/out/test/lsp'].filter((d) => existsSync(d));
if (!process.argv.includes('--e2e')) run('unit and LSP tests', tiers);

const e2e = [
  { name: 'e2e Neovim', args: ['test/out/test/e2e/neovim'], missing: () => (onPath('nvim') ? null : 'nvim not found on PATH (run scripts/e2e-setup.sh)') },
  { name: 'e2e code-server', args: ['test/e2e/code-server'], missing: codeServerMissing },
];
for (const suite of e2e) {
  const why = suite.missing();
  if (!why) run(suite.name, suite.args);
  else if (CI) {
    console.log(`# ${suite.name}: FAILED, not run under CI=true: ${why}`);
    failed.push(suite.name);
  } else console.log(`# ${suite.name}: NOT RUN: ${why}`);
}

if (failed.length) console.log(`# failed: ${failed.join(', ')}`);
process.exit(failed.length ? 1 : 0);
