/**
 * Runs a scenario through Neovim 0.7's built-in LSP client (headless) against `server/out/server.js --stdio`
 * and returns what `driver.lua` recorded. Neovim, its LSP log and its state live in a temporary folder.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Diagnostic, Location, Position, Range } from '../../support/lsp-client';
import { REPO_ROOT } from '../../support/workspace';

export const SERVER = path.join(REPO_ROOT, 'server', 'out', 'server.js');
const DRIVER = path.join(REPO_ROOT, 'test', 'e2e', 'neovim', 'driver.lua');

export type { Diagnostic, Location, Position, Range };

export interface Lens {
  range: Range;
  command?: { title: string; command: string; arguments?: unknown[] };
}

/** `{find, nth, delta}`: the delta-th character after the nth (1-based) occurrence of `find` in the buffer. */
export interface At {
  find: string;
  nth?: number;
  delta?: number;
}

export type Step =
  | { op: 'start' }
  | { op: 'open'; file: string }
  | { op: 'waitReady' }
  | { op: 'capabilities' }
  | { op: 'hover' | 'definition'; file: string; at: At }
  | { op: 'references'; file: string; at: At; includeDeclaration?: boolean }
  | { op: 'codeLens'; file: string }
  | { op: 'waitCodeLens'; file: string; title: string }
  | { op: 'edit'; file: string; find: string; replace: string }
  | { op: 'waitDiagnostic'; file: string; code: string; absent?: boolean }
  | { op: 'diagnostics' }
  | { op: 'codeAction'; file: string; at: At; apply?: { title?: string; code?: string } }
  | { op: 'text'; file: string };

/** What driver.lua writes: one entry per step (fields depend on the op), plus everything the server sent. */
export interface NvimResult {
  error?: string;
  steps: Record<string, unknown>[];
  statuses: { state: string; files: number; resources: number }[];
  published: Record<string, Diagnostic[]>;
  messages: string[];
  exit?: { code: number; signal: number };
  stderr: string;
  ms: number;
}

/** Copies a fixture folder to a fresh temporary directory (real path, so URIs match what Neovim sends). */
export function copyWorkspace(src: string): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gl-nvim-ws-')));
  fs.cpSync(src, dir, { recursive: true });
  return dir;
}

export function uriOf(root: string, file: string): string {
  return 'file://' + path.join(root, file);
}

/** The text a range covers in `text`. */
export function rangeText(text: string, range: Range): string {
  const lines = text.split('\n');
  const offset = (p: Position) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return text.slice(offset(range.start), offset(range.end));
}

/** The 0-based line of the first occurrence of `needle` (after `after`, when given). */
export function lineOf(text: string, needle: string, after = ''): number {
  const from = after ? text.indexOf(after) : 0;
  const i = text.indexOf(needle, from);
  if (from < 0 || i < 0) throw new Error(`${JSON.stringify(needle)} not found`);
  return text.slice(0, i).split('\n').length - 1;
}

/** Runs the steps in one headless Neovim; rejects when Neovim fails to write a result within `limitMs`. */
export function runNvim(root: string, steps: Step[], timeoutMs = 20000, limitMs = 90000): Promise<NvimResult> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-nvim-'));
  const scenario = path.join(tmp, 'scenario.json');
  const out = path.join(tmp, 'result.json');
  fs.writeFileSync(scenario, JSON.stringify({ server: SERVER, root, timeoutMs, steps }));
  const xdg = path.join(tmp, 'xdg');
  const env = {
    ...process.env,
    GL_SCENARIO: scenario,
    GL_OUT: out,
    // keep Neovim's lsp.log, shada and state out of $HOME
    XDG_CONFIG_HOME: path.join(xdg, 'config'),
    XDG_CACHE_HOME: path.join(xdg, 'cache'),
    XDG_DATA_HOME: path.join(xdg, 'data'),
    XDG_STATE_HOME: path.join(xdg, 'state'),
  };
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('nvim', ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${DRIVER}`], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.on('data', () => undefined);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = Date.now() - t0;
      let text: string;
      try {
        text = fs.readFileSync(out, 'utf8');
      } catch {
        reject(new Error(`nvim exited (code ${code}, signal ${signal}) after ${ms} ms without a result; stderr: ${stderr}`));
        return;
      } finally {
        if (process.env.GL_E2E_KEEP !== '1') fs.rmSync(tmp, { recursive: true, force: true });
      }
      const result = JSON.parse(text) as NvimResult;
      // Lua encodes an empty table as []: normalise the maps.
      if (Array.isArray(result.published)) result.published = {};
      resolve({ ...result, stderr, ms });
    });
  });
}

/** Fails with everything the run recorded when the driver reported an error. */
export function ok(r: NvimResult): NvimResult {
  if (r.error) {
    throw new Error(`nvim driver: ${r.error}\nsteps: ${JSON.stringify(r.steps, null, 1).slice(0, 4000)}\nstatuses: ${JSON.stringify(r.statuses)}\nserver log: ${r.messages.join('\n').slice(0, 2000)}\nstderr: ${r.stderr}`);
  }
  return r;
}

/** The markdown of a hover with emphasis and code marks removed, for matching words. */
export function plain(markdown: string | null | undefined): string {
  return (markdown ?? '').replace(/[*`_]/g, '');
}
