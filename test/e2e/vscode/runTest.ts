/**
 * `npm run test:vscode`: the end-to-end scenarios through the `vscode` API in VS Code desktop, with
 * @vscode/test-electron. VS Code is downloaded from update.code.visualstudio.com (or taken from
 * $VSCODE_EXECUTABLE); when it cannot be downloaded this prints ONE line saying the suite was not run and why,
 * and exits 0. Linux without a display needs `xvfb-run -a npm run test:vscode`. Not part of `npm test`
 * (which runs the same scenarios in code-server and Neovim instead, see README "End-to-end tests").
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SilentReporter, downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const NETWORK_ERRORS = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|certificate|socket hang up|status code 40\d|status code 5\d\d/i;

async function main(): Promise<number> {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { vscode: string } };
  // the oldest VS Code the extension claims to support (engines.vscode ^1.100.0)
  const version = process.env.VSCODE_VERSION ?? pkg.engines.vscode.replace(/^[\^~>=]+/, '');
  let executable = process.env.VSCODE_EXECUTABLE;
  if (!executable) {
    try {
      executable = await downloadAndUnzipVSCode({ version, cachePath: path.join(REPO_ROOT, '.e2e-cache', 'vscode-test'), reporter: new SilentReporter() });
      console.log(`test:vscode: VS Code ${version} at ${executable}`);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      if (NETWORK_ERRORS.test(why)) {
        console.log(`test:vscode NOT RUN: VS Code ${version} cannot be downloaded here (${why.split('\n')[0]}); set VSCODE_EXECUTABLE to a local VS Code to run it`);
        return 0;
      }
      throw e;
    }
  }

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-vscode-'));
  const ws = path.join(tmp, 'ws');
  fs.cpSync(path.join(REPO_ROOT, 'examples', 'seed-article'), path.join(ws, 'seed'), { recursive: true });
  fs.cpSync(path.join(REPO_ROOT, 'test', 'fixtures', 'e2e', 'mesh'), path.join(ws, 'mesh'), { recursive: true });
  try {
    return await runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: path.join(__dirname, 'suite', 'index.js'),
      launchArgs: [ws, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', '--user-data-dir', path.join(tmp, 'user-data'), '--extensions-dir', path.join(tmp, 'extensions')],
      extensionTestsEnv: { GL_E2E_WORKSPACE: ws },
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error('test:vscode failed:', e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
