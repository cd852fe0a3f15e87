/**
 * The node options the VS Code client (and the benchmark) start the language server with: V8's
 * worker pool leaves one core to the rest on small machines and stays Node's default on larger ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { serverNodeOptions } from '../../server/src/launch';

test('one V8 worker per core beyond the first, up to four cores; none set from five cores up', () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 8, 64, Number.NaN].map((n) => serverNodeOptions(n)),
    [['--v8-pool-size=1'], ['--v8-pool-size=1'], ['--v8-pool-size=1'], ['--v8-pool-size=2'], ['--v8-pool-size=3'], [], [], [], ['--v8-pool-size=1']],
  );
});

test('node accepts the options: a process started with them runs', () => {
  for (const cores of [2, 3, 4, 8]) {
    const options = serverNodeOptions(cores);
    const r = spawnSync(process.execPath, [...options, '-e', 'process.stdout.write(JSON.stringify(process.execArgv))'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', 'node or V8 warned about an option');
    assert.deepEqual((JSON.parse(r.stdout) as string[]).slice(0, options.length), options);
  }
});
