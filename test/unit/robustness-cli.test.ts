/**
 * The CLI process on hostile workspaces (issue 7): `node bin/gamma-lens.js` (run `npm run build`
 * first) over a workspace holding every kind of broken, huge, templated, binary and linked file
 * must finish, report what it skipped and print no stack trace; it reads nothing outside the given
 * paths, files it may not read are reported, and no secret value reaches any output.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { SpawnSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/workspace';

const BIN = path.join(REPO_ROOT, 'bin', 'gamma-lens.js');
const SECRETS = path.join(REPO_ROOT, 'test', 'fixtures', 'robustness', 'secrets');

function cli(args: string[], options: SpawnSyncOptions = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024, ...options });
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

const SVC = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\n  namespace: app\nspec:\n  ports:\n  - name: http\n    port: 80\n';
const ROUTE = (name: string) => `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: ${name}\n  namespace: app\nspec:\n  parentRefs:\n  - kind: Service\n    name: svc\n`;

describe('CLI on a hostile workspace', () => {
  let tmp: string;
  let ws: string;
  before(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gamma-lens-cli-')));
    ws = path.join(tmp, 'ws');
    const w = (rel: string, data: string | Buffer): void => {
      fs.mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
      fs.writeFileSync(path.join(ws, rel), data);
    };
    w('services.yaml', SVC);
    w('valid-between-broken.yaml', `key: "unterminated\n---\n${ROUTE('in-broken-file')}---\na:\n\tb: 1\n`);
    w('chart/Chart.yaml', 'apiVersion: v2\nname: c\nversion: 1.0.0\n');
    w('chart/templates/route.yaml', `{{- if .Values.x }}\n${ROUTE('{{ .Release.Name }}')}{{- end }}\n`);
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    w('bomb.yaml', `${ROUTE('bomb').replace('spec:\n', `${bomb.join('\n')}\nspec:\n  rules: *l\n`)}`);
    w('deep.yaml', `kind: Service\nspec: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
    w('huge.yaml', Buffer.alloc(30 * 1024 * 1024, '# padding line of a thirty megabyte file\n'));
    w('binary.yaml', Buffer.from([0x6b, 0x3a, 0x20, 0x00, 0xff, 0x00]));
    w('latin1.yaml', Buffer.from('apiVersion: v1\nkind: Service\nmetadata:\n  name: caf\xe9\n', 'latin1'));
    w('crlf.yaml', `\uFEFF${ROUTE('crlf')}`.replace(/\n/g, '\r\n'));
    w('cr.yaml', ROUTE('cr').replace(/\n/g, '\r'));
    w('empty.yaml', '');
    w('comments.yaml', '# nothing\n---\n# here\n');
    w('node_modules/pkg/route.yaml', ROUTE('in-node-modules'));
    w('.git/route.yaml', ROUTE('in-git'));
    fs.mkdirSync(path.join(tmp, 'outside'));
    fs.writeFileSync(path.join(tmp, 'outside', 'route.yaml'), ROUTE('outside'));
    fs.symlinkSync(path.join(tmp, 'outside', 'route.yaml'), path.join(ws, 'link-out.yaml'));
    fs.symlinkSync(path.join(tmp, 'outside'), path.join(ws, 'link-out-dir'));
    fs.symlinkSync('.', path.join(ws, 'loop'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('check --format json: findings only for files inside the workspace, everything unread is listed', () => {
    const r = cli(['check', '--format', 'json', ws], { cwd: ws });
    assert.equal(r.stderr, '');
    assert.equal(r.status, 1, r.stdout.slice(0, 2000));
    const json = JSON.parse(r.stdout) as { findings: Array<{ file: string; code: string }>; skipped: Array<{ file: string; line: number; reason: string }> };
    assert.deepEqual([...new Set(json.findings.map((f) => f.file))].sort(), ['bomb.yaml', 'cr.yaml', 'crlf.yaml', 'valid-between-broken.yaml']);
    assert.ok(json.findings.every((f) => f.code === 'parent-group-missing' || f.code === 'rule-without-backends' || f.code === 'unmatched-requests'), JSON.stringify(json.findings));
    const skipped = json.skipped.map((s) => `${s.file}:${s.line}: ${s.reason.replace(/\d{8,}/g, 'N')}`);
    assert.deepEqual(skipped, [
      'binary.yaml:1: binary file (contains NUL bytes)',
      'chart/templates/route.yaml:1: document 1 contains template syntax ({{ ... }}) and was not read',
      'deep.yaml:1: document 1 is nested too deeply to be read',
      'huge.yaml:1: file is N bytes, over the size cap of N bytes',
      'latin1.yaml:1: not UTF-8 text',
      'link-out-dir:1: link points outside the workspace',
      'link-out.yaml:1: link points outside the workspace',
      'valid-between-broken.yaml:1: document 1 is not valid YAML: Missing closing "quote',
      'valid-between-broken.yaml:14: document 3 is not valid YAML: Tabs are not allowed as indentation',
    ]);
  });

  test('bindings (json, text, mermaid) and explain finish with no stack trace', () => {
    for (const format of ['json', 'text', 'mermaid']) {
      const r = cli(['bindings', '--format', format, ws], { cwd: ws });
      assert.equal(r.stderr, '', format);
      assert.equal(r.status, 0, format);
      assert.ok(!r.stdout.includes('outside') && !r.stdout.includes('in-node-modules') && !r.stdout.includes('in-git'), r.stdout);
    }
    const r = cli(['explain', '--service', 'app/svc', '--from', 'app', '--format', 'json', ws], { cwd: ws });
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    assert.equal((JSON.parse(r.stdout) as { audience: string }).audience, 'default');
  });

  test('a missing path is one line on stderr and exit status 2', () => {
    const r = cli(['check', path.join(ws, 'nope')]);
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});

describe('CLI and file permissions', () => {
  test('a file the user may not read is listed as skipped (EACCES); the others are read', () => {
    const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gamma-lens-perm-')));
    try {
      fs.chmodSync(tmp, 0o755);
      fs.writeFileSync(path.join(tmp, 'ok.yaml'), SVC, { mode: 0o644 });
      fs.writeFileSync(path.join(tmp, 'locked.yaml'), ROUTE('locked'), { mode: 0o000 });
      fs.chmodSync(path.join(tmp, 'locked.yaml'), 0o000);
      // Root reads everything whatever the mode: run the CLI as nobody then, so the OS really refuses.
      const asRoot = process.getuid?.() === 0;
      const r = cli(['check', '--format', 'json', tmp], { cwd: tmp, ...(asRoot ? { uid: 65534, gid: 65534 } : {}) });
      assert.equal(r.stderr, '');
      const json = JSON.parse(r.stdout) as { findings: unknown[]; skipped: Array<{ file: string; reason: string }> };
      assert.deepEqual(json.skipped, [{ file: 'locked.yaml', line: 1, reason: 'could not be read (EACCES)' }]);
      assert.deepEqual(json.findings, []);
      assert.equal(r.status, 0);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('no secret values in CLI output', () => {
  const MARKERS = ['GLSECRET', 'R0xTRUNSRVQt'];
  test('the fixture holds the markers (so the test can fail)', () => {
    const text = fs.readdirSync(SECRETS).map((f) => fs.readFileSync(path.join(SECRETS, f), 'utf8')).join('\n');
    for (const m of MARKERS) assert.ok(text.includes(m), m);
  });
  const runs: string[][] = [
    ['check', '--format', 'text'],
    ['check', '--format', 'json'],
    ['check', '--format', 'sarif'],
    ['bindings', '--format', 'text'],
    ['bindings', '--format', 'json'],
    ['bindings', '--format', 'mermaid'],
    ['explain', '--service', 'app-ns/api', '--from', 'app-ns', '--format', 'text'],
    ['explain', '--service', 'app-ns/api', '--from', 'app-ns', '--format', 'json'],
  ];
  for (const args of runs) {
    test(args.join(' '), () => {
      const r = cli([...args, SECRETS]);
      assert.ok(r.status === 0 || r.status === 1, `${r.status}: ${r.stderr}`);
      assert.ok(r.stdout.length > 0);
      for (const m of MARKERS) {
        assert.ok(!r.stdout.includes(m), `${m} in stdout:\n${r.stdout}`);
        assert.ok(!r.stderr.includes(m), `${m} in stderr:\n${r.stderr}`);
      }
    });
  }
});
