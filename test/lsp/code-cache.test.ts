/**
 * V8's cache of the server's compiled code (server/src/boot.ts): written after the first `ready` when
 * `--code-cache=<folder>` names a folder, used by the next start, rewritten when V8 refuses it, and
 * never in the way: a server whose cache cannot be written or read answers as one without any.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { LspClient, SERVER_JS, copyFixture, fileUri, positionOf } from '../support/lsp-client';
import { codeCacheFolder, serverArguments } from '../../server/src/launch';

interface Run {
  logs: string[];
  hover: string | undefined;
  diagnostics: string;
}

/** Starts a server (`server`: its server.js) on a copy of lsp/basic with `args`, hovers a parentRef, and stops it. */
async function run(args: readonly string[], server?: string): Promise<Run> {
  const dir = copyFixture('lsp/basic');
  const client = await LspClient.start({ folders: [dir], args, server });
  try {
    const routes = path.join(dir, 'routes.yaml');
    const text = fs.readFileSync(routes, 'utf8');
    // Answered after the turn in which the first `ready` went out: the cache line is logged by then.
    const hover = await client.hover(routes, positionOf(text, 'name: ', 6, 1));
    assert.equal(client.errorOutput, '');
    // Each run has its own copy of the fixture: its folder is left out.
    const diagnostics = JSON.stringify([...client.diagnostics].sort()).split(fileUri(dir)).join('<dir>');
    return { logs: [...client.logs], hover: hover?.contents.value, diagnostics };
  } finally {
    await client.stop();
  }
}

/** Runs `body` with a fresh temporary folder, removed afterwards. */
async function inTempFolder(body: (root: string) => Promise<void> | void): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gamma-lens-code-cache-'));
  try {
    await body(root);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

const cacheLine = (r: Run): string => r.logs.find((l) => l.startsWith('code cache: ')) ?? `(none in ${JSON.stringify(r.logs)})`;
const cacheFiles = (folder: string): string[] => (fs.existsSync(folder) ? fs.readdirSync(folder).filter((f) => f.endsWith('.v8cache')) : []);

describe('code cache', () => {
  test('written after the first ready, used by the next start, same answers as without it', () =>
    inTempFolder(async (root) => {
      const folder = path.join(root, 'code-cache');
      const plain = await run([]);
      assert.equal(plain.logs.filter((l) => l.startsWith('code cache: ')).length, 0, 'no cache line without the option');

      const first = await run([`--code-cache=${folder}`]);
      assert.match(cacheLine(first), /^code cache: none found; wrote .*server-main-[0-9a-f]{16}\.v8cache \(\d+ KB\)$/);
      const [file] = cacheFiles(folder);
      assert.ok(file, 'a cache file in the folder');
      assert.ok(fs.statSync(path.join(folder, file)).size > 100_000, 'the cache holds the compiled bundle');
      assert.deepEqual(fs.readdirSync(folder), [file], 'no temporary file left');

      const second = await run([`--code-cache=${folder}`]);
      assert.equal(cacheLine(second), `code cache: used ${path.join(folder, file)}`);
      for (const r of [first, second]) {
        assert.equal(r.hover, plain.hover);
        assert.equal(r.diagnostics, plain.diagnostics);
      }
      assert.ok(plain.hover?.includes('svc-a'), plain.hover);
    }));

  test('a damaged cache is refused by V8 and replaced; caches of other builds and leftover temporary files are removed', () =>
    inTempFolder(async (root) => {
      const folder = path.join(root, 'code-cache');
      await run([`--code-cache=${folder}`]);
      const [file] = cacheFiles(folder);
      assert.ok(file);
      const full = path.join(folder, file);
      const garbage = Buffer.alloc(4096, 0x5a);
      fs.writeFileSync(full, garbage);
      const stale = path.join(folder, 'server-main-0000000000000000.v8cache');
      fs.writeFileSync(stale, garbage);
      const other = path.join(folder, 'notes.txt');
      fs.writeFileSync(other, 'kept');
      const leftover = path.join(folder, `${file}.4242.tmp`);
      fs.writeFileSync(leftover, garbage);

      const damaged = await run([`--code-cache=${folder}`]);
      assert.match(cacheLine(damaged), /^code cache: refused by V8; wrote /);
      assert.ok(damaged.hover?.includes('svc-a'), damaged.hover);
      assert.notDeepEqual(fs.readFileSync(full), garbage, 'the damaged cache was rewritten');
      assert.deepEqual(fs.readdirSync(folder).sort(), [file, 'notes.txt'].sort(), 'the stale cache and the leftover temporary file are gone, other files stay');

      const again = await run([`--code-cache=${folder}`]);
      assert.equal(cacheLine(again), `code cache: used ${full}`);
    }));

  test('a bundle changed in place (same length, same mtime) gets a cache of its own', () =>
    inTempFolder(async (root) => {
      // V8 compares a cache's source by length only: the cache is named by the bundle's content.
      const out = path.join(root, 'out');
      fs.mkdirSync(out);
      for (const f of ['server.js', 'server-main.js']) fs.copyFileSync(path.join(path.dirname(SERVER_JS), f), path.join(out, f));
      const main = path.join(out, 'server-main.js');
      const folder = path.join(root, 'code-cache');
      const first = await run([`--code-cache=${folder}`], path.join(out, 'server.js'));
      assert.match(cacheLine(first), /^code cache: none found; wrote /);
      const [before] = cacheFiles(folder);
      const text = fs.readFileSync(main, 'utf8');
      const at = text.indexOf('// server/src/');
      assert.ok(at > 0);
      const { mtime } = fs.statSync(main);
      fs.writeFileSync(main, `${text.slice(0, at)}// server/src-${text.slice(at + '// server/src/'.length)}`);
      fs.utimesSync(main, mtime, mtime);
      assert.equal(fs.statSync(main).size, Buffer.byteLength(text));
      const second = await run([`--code-cache=${folder}`], path.join(out, 'server.js'));
      assert.match(cacheLine(second), /^code cache: none found; wrote /);
      const [after] = cacheFiles(folder);
      assert.notEqual(after, before);
    }));

  test('a folder that cannot be made is reported, and the server works as without a cache', () =>
    inTempFolder(async (root) => {
      const blocker = path.join(root, 'a-file');
      fs.writeFileSync(blocker, 'not a folder');
      const r = await run([`--code-cache=${path.join(blocker, 'code-cache')}`]);
      assert.match(cacheLine(r), /^code cache: none found; could not write .*: ENOTDIR/);
      assert.ok(r.hover?.includes('svc-a'), r.hover);
      assert.equal(fs.readFileSync(blocker, 'utf8'), 'not a folder');
    }));

  test('the server runs from server.js without a transport error when loaded through the cache', () =>
    inTempFolder(async (root) => {
      // A missing transport is reported by the library and ends the process, with or without the cache.
      const a = spawnSync(process.execPath, [SERVER_JS], { encoding: 'utf8', timeout: 20000 });
      const b = spawnSync(process.execPath, [SERVER_JS, `--code-cache=${root}`], { encoding: 'utf8', timeout: 20000 });
      assert.notEqual(a.status, 0);
      assert.equal(b.status, a.status);
      assert.match(a.stderr, /Connection input stream is not set/);
      assert.match(b.stderr, /Connection input stream is not set/);
    }));

  test('arguments: the client names a folder of its global storage; the server reads it back', () => {
    assert.deepEqual(serverArguments(undefined), []);
    assert.deepEqual(serverArguments(''), []);
    assert.deepEqual(serverArguments('/home/u/.config/Code/User/globalStorage/gamma-lens.gamma-lens/'), [
      '--code-cache=/home/u/.config/Code/User/globalStorage/gamma-lens.gamma-lens/code-cache',
    ]);
    assert.equal(codeCacheFolder(['--stdio', ...serverArguments('/s')]), '/s/code-cache');
    assert.equal(codeCacheFolder(['--stdio']), undefined);
    assert.equal(codeCacheFolder(['--code-cache=']), undefined);
  });
});
