/**
 * The file-system side (issue 7): what `listYamlFiles` and `readTextFile` do with symlinks out of
 * the workspace, link loops, very deep folders, skipped folders, files that vanish between listing
 * and reading, unreadable files, binary and non-UTF-8 files and files over the size cap.
 */
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadWorkspace } from '../../server/src/cli/load';
import { DEFAULT_OPTIONS } from '../../server/src/core/options';
import { decodeText, listYamlFiles, readTextFile } from '../../server/src/runtime';

const SVC = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\nspec:\n  ports:\n  - port: 80\n';

let tmp: string;
let ws: string;
let outside: string;

function write(p: string, text = SVC): string {
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

function rel(files: string[]): string[] {
  return files.map((f) => path.relative(ws, f).split(path.sep).join('/'));
}

beforeEach(() => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gamma-lens-fs-')));
  ws = path.join(tmp, 'ws');
  outside = path.join(tmp, 'outside');
  write(path.join(ws, 'a.yaml'));
  write(path.join(outside, 'secret.yaml'));
  write(path.join(outside, 'dir', 'x.yaml'));
});
afterEach(() => {
  mock.restoreAll();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('listYamlFiles', () => {
  test('links out of the workspace are never followed, and say why; links inside are', () => {
    fs.symlinkSync(path.join(outside, 'secret.yaml'), path.join(ws, 'out-file.yaml'));
    fs.symlinkSync(path.join(outside, 'dir'), path.join(ws, 'out-dir'));
    fs.symlinkSync('..', path.join(ws, 'up'));
    fs.symlinkSync('/', path.join(ws, 'root'));
    fs.symlinkSync('a.yaml', path.join(ws, 'inside-link.yaml'));
    const skipped: string[] = [];
    const files = listYamlFiles(ws, { onSkip: (f, why) => skipped.push(`${path.relative(ws, f)}: ${why}`) });
    assert.deepEqual(rel(files), ['a.yaml', 'inside-link.yaml']);
    assert.deepEqual(skipped.sort(), ['out-dir: link points outside the workspace', 'out-file.yaml: link points outside the workspace', 'root: link points outside the workspace', 'up: link points outside the workspace']);
  });

  test('link loops, self links and dangling links end the walk without error', () => {
    fs.symlinkSync('loop2.yaml', path.join(ws, 'loop1.yaml'));
    fs.symlinkSync('loop1.yaml', path.join(ws, 'loop2.yaml'));
    fs.symlinkSync('.', path.join(ws, 'self'));
    fs.mkdirSync(path.join(ws, 'd'));
    fs.symlinkSync('..', path.join(ws, 'd', 'parent'));
    fs.symlinkSync('/nonexistent/nowhere.yaml', path.join(ws, 'dangling.yaml'));
    assert.deepEqual(rel(listYamlFiles(ws)), ['a.yaml']);
  });

  test('node_modules, .git and other VCS folders are skipped; very deep folders stop at the depth limit', () => {
    write(path.join(ws, 'node_modules', 'pkg', 'x.yaml'));
    write(path.join(ws, '.git', 'x.yaml'));
    write(path.join(ws, 'sub', 'node_modules', 'x.yaml'));
    write(path.join(ws, 'sub', 'ok.yml'));
    let deep = ws;
    for (let i = 0; i < 80; i++) deep = path.join(deep, 'd');
    write(path.join(deep, 'deep.yaml'));
    write(path.join(ws, ...Array(10).fill('d'), 'shallow.yaml'));
    const skipped: string[] = [];
    const files = rel(listYamlFiles(ws, { onSkip: (_f, why) => skipped.push(why) }));
    assert.deepEqual(files, ['a.yaml', `${Array(10).fill('d').join('/')}/shallow.yaml`, 'sub/ok.yml']);
    assert.deepEqual(skipped, ['folder nesting too deep']);
  });

  test('a link to a folder inside is walked once, under the first name; folders at any depth are found', () => {
    write(path.join(ws, 'sub', 'deeper', 'x.yaml'));
    write(path.join(ws, 'sub', 'y.yaml'));
    fs.symlinkSync('sub', path.join(ws, 'alias'));
    fs.symlinkSync(path.join(ws, 'sub', 'deeper'), path.join(ws, 'zz-deeper'));
    assert.deepEqual(rel(listYamlFiles(ws)), ['a.yaml', 'alias/deeper/x.yaml', 'alias/y.yaml']);
  });

  test('a folder removed after its parent was listed is left out without a report; one that cannot be read is reported', () => {
    write(path.join(ws, 'gone', 'x.yaml'));
    write(path.join(ws, 'locked', 'x.yaml'));
    const real = fs.readdirSync;
    mock.method(fs, 'readdirSync', ((...args: Parameters<typeof fs.readdirSync>) => {
      if (String(args[0]).endsWith('locked')) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      const out = (real as (...a: unknown[]) => unknown)(...args);
      if (String(args[0]) === ws) fs.rmSync(path.join(ws, 'gone'), { recursive: true });
      return out;
    }) as typeof fs.readdirSync);
    const skipped: string[] = [];
    assert.deepEqual(rel(listYamlFiles(ws, { onSkip: (f, why) => skipped.push(`${path.relative(ws, f)}: ${why}`) })), ['a.yaml']);
    assert.deepEqual(skipped, ['locked: folder could not be read']);
  });

  test('a root given relative, with `.`, `..` or a trailing slash lists the same absolute paths; reports name paths as joined from it', () => {
    write(path.join(ws, 'sub', 'deeper', 'x.yaml'));
    fs.symlinkSync(path.join(outside, 'dir'), path.join(ws, 'sub', 'out'));
    const expected = listYamlFiles(ws);
    assert.deepEqual(rel(expected), ['a.yaml', 'sub/deeper/x.yaml']);
    const cwd = process.cwd();
    try {
      process.chdir(tmp);
      for (const root of ['ws', './ws', 'ws/', 'ws/../ws', path.join(tmp, 'ws', '.'), `${ws}${path.sep}`]) {
        const skipped: string[] = [];
        assert.deepEqual(listYamlFiles(root, { onSkip: (f) => skipped.push(f) }), expected, root);
        assert.deepEqual(skipped, [path.join(root, 'sub', 'out').split(path.sep).join('/')], root);
      }
      process.chdir(ws);
      const skipped: string[] = [];
      assert.deepEqual(listYamlFiles('.', { onSkip: (f) => skipped.push(f) }), expected);
      assert.deepEqual(skipped, ['sub/out']);
    } finally {
      process.chdir(cwd);
    }
  });

  test('a root that does not exist lists nothing', () => {
    assert.deepEqual(listYamlFiles(path.join(tmp, 'missing')), []);
  });
});

describe('reading files', () => {
  test('a file that vanishes between listing and reading is reported as unreadable; the rest is read', () => {
    const b = write(path.join(ws, 'b.yaml'), SVC.replace('svc', 'svc-b'));
    const real = fs.readdirSync;
    // Delete b.yaml right after the folder is listed.
    mock.method(fs, 'readdirSync', ((...args: Parameters<typeof fs.readdirSync>) => {
      const out = (real as (...a: unknown[]) => unknown)(...args);
      if (fs.existsSync(b)) fs.rmSync(b);
      return out;
    }) as typeof fs.readdirSync);
    const w = loadWorkspace([ws], DEFAULT_OPTIONS);
    assert.deepEqual([...w.services()].map((s) => s.name), ['svc']);
    const gone = w.file(b.split(path.sep).join('/'));
    assert.equal(gone?.skipped?.reason, 'unreadable');
    assert.match(gone!.skipped!.message, /ENOENT/);
  });

  test('a file that grows between stat and read is read whole within the cap, and reported too large past it', () => {
    const a = path.join(ws, 'a.yaml');
    const realFstat = fs.fstatSync;
    let grow = '# more\n';
    // The file grows right after its size was taken.
    mock.method(fs, 'fstatSync', ((fd: number, o?: fs.StatSyncOptions) => {
      const st = (realFstat as (fd: number, o?: fs.StatSyncOptions) => fs.Stats)(fd, o);
      fs.appendFileSync(a, grow);
      return st;
    }) as typeof fs.fstatSync);
    const r = readTextFile(a, 10_000);
    assert.ok('text' in r && r.text.endsWith('# more\n'), JSON.stringify(r));
    const size = fs.statSync(a).size;
    grow = `# ${'x'.repeat(5000)}\n`;
    assert.deepEqual(readTextFile(a, size + 100), {
      skipped: { reason: 'too-large', span: { start: 0, end: 0 }, message: `file grew over the size cap of ${size + 100} bytes while it was read` },
    });
  });

  test('files of every size are read whole, each one before the next read reuses the read buffer', () => {
    // Files of exactly so many bytes, with multi-byte characters across the boundaries of the reads
    // (the shared buffer is 1 MiB, the end-of-file probe 4 KiB).
    const sizes = [0, 1, 4095, 4096, 70_000, (1 << 20) - 1, 1 << 20, (1 << 20) + 3001];
    const texts = sizes.map((n) => 'é€x'.repeat(Math.floor(n / 6)) + 'y'.repeat(n % 6));
    assert.deepEqual(
      texts.map((t) => Buffer.byteLength(t)),
      sizes,
    );
    const files = texts.map((t, i) => write(path.join(ws, `f${i}.yaml`), t));
    const read = files.map((f) => readTextFile(f, 1 << 22));
    assert.deepEqual(
      read.map((r) => ('text' in r ? r.text : r.skipped.message)),
      texts,
    );
  });

  test('a file that grows past the read buffer or past its first size while it is read is read whole', () => {
    const realFstat = fs.fstatSync;
    let grow = '';
    let file = '';
    mock.method(fs, 'fstatSync', ((fd: number, o?: fs.StatSyncOptions) => {
      const st = (realFstat as (fd: number, o?: fs.StatSyncOptions) => fs.Stats)(fd, o);
      fs.appendFileSync(file, grow);
      return st;
    }) as typeof fs.fstatSync);
    for (const [start, more] of [
      [(1 << 20) - 100, 10_000],
      [(1 << 20) + 10, 10_000],
      [100, 3 << 20],
    ] as const) {
      file = write(path.join(ws, `grow-${start}.yaml`), 'a'.repeat(start));
      grow = 'é'.repeat(more / 2);
      const r = readTextFile(file, 1 << 23);
      assert.ok('text' in r, JSON.stringify(r).slice(0, 200));
      assert.equal(r.text.length, start + more / 2);
      assert.equal(r.text, 'a'.repeat(start) + grow);
    }
  });

  test('unreadable files and folders as reported by the OS (EACCES), binary, non-UTF-8, too large, a folder named .yaml', () => {
    const a = path.join(ws, 'a.yaml');
    const realOpen = fs.openSync;
    // Running as root, chmod 000 does not stop reads; the CLI test checks real permissions as another user.
    mock.method(fs, 'openSync', ((p: fs.PathLike, ...rest: unknown[]) => {
      if (String(p) === a) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      return (realOpen as (p: fs.PathLike, ...r: unknown[]) => number)(p, ...rest);
    }) as typeof fs.openSync);
    assert.deepEqual(readTextFile(a), { skipped: { reason: 'unreadable', span: { start: 0, end: 0 }, message: 'could not be read (EACCES)' } });
    mock.restoreAll();
    fs.mkdirSync(path.join(ws, 'folder.yaml'));
    assert.equal((readTextFile(path.join(ws, 'folder.yaml')) as { skipped: { message: string } }).skipped.message, 'could not be read (EISDIR)');
    assert.equal((decodeText(Buffer.from([0x61, 0x3a, 0x00, 0x01])) as { skipped: { reason: string } }).skipped.reason, 'binary');
    assert.equal((decodeText(Buffer.from('name: caf\xe9\n', 'latin1')) as { skipped: { reason: string } }).skipped.reason, 'not-utf8');
    // The BOM is dropped, as editors drop it from the buffer text, so disk and buffer offsets agree.
    assert.deepEqual(decodeText(Buffer.from('\uFEFFa: 1\r\n', 'utf8')), { text: 'a: 1\r\n' });
    write(path.join(ws, 'big.yaml'), 'x'.repeat(2000));
    assert.match((readTextFile(path.join(ws, 'big.yaml'), 1000) as { skipped: { message: string } }).skipped.message, /^file is 2000 bytes, over the size cap of 1000 bytes$/);
  });
});
