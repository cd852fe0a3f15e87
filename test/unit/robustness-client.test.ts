/**
 * The VS Code client's error handling when the server dies (issue 7), without VS Code: client/src/ctx.ts
 * is bundled with esbuild and loaded against small stand-ins for `vscode` and
 * `vscode-languageclient/node`. The server is restarted after a crash, connection errors are logged
 * without a pop-up each, and the user is told once when the client gives up.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { REPO_ROOT } from '../support/workspace';

/** The enum values of vscode-languageclient 9+ (ErrorAction, CloseAction). */
const ErrorAction = { Continue: 1, Shutdown: 2 };
const CloseAction = { DoNotRestart: 1, Restart: 2 };

interface Handler {
  error(error: Error, message: unknown, count: number | undefined): { action: number; message?: string; handled?: boolean };
  closed(): { action: number; message?: string; handled?: boolean };
}

describe('client error handler', () => {
  let tmp: string;
  const popups: string[] = [];
  const logged: string[] = [];
  let CtxClass: new (ext: unknown) => { clientOptions(): { errorHandler: Handler } };

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gamma-lens-client-'));
    const out = path.join(tmp, 'ctx.js');
    buildSync({ entryPoints: [path.join(REPO_ROOT, 'client', 'src', 'ctx.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: out, external: ['vscode', 'vscode-languageclient/node'], logLevel: 'silent' });
    const item = (): Record<string, unknown> => ({ dispose() {} });
    const vscode = {
      window: {
        createOutputChannel: () => ({ ...item(), error: (m: string) => logged.push(`error ${m}`), warn: (m: string) => logged.push(`warn ${m}`), info: (m: string) => logged.push(`info ${m}`), show() {} }),
        showErrorMessage: (m: string) => {
          popups.push(m);
          return Promise.resolve(undefined);
        },
        showWarningMessage: (m: string) => {
          popups.push(m);
          return Promise.resolve(undefined);
        },
      },
      languages: { createLanguageStatusItem: item },
      LanguageStatusSeverity: { Information: 0, Warning: 1, Error: 2 },
      EventEmitter: class {
        event = (): void => undefined;
        fire(): void {}
        dispose(): void {}
      },
      Disposable: class {
        dispose(): void {}
      },
    };
    const client = { CloseAction, ErrorAction, LanguageClient: class {}, RevealOutputChannelOn: { Info: 1, Warn: 2, Error: 3, Never: 4 }, State: { Stopped: 1, Starting: 3, Running: 2 }, TransportKind: { stdio: 0, ipc: 1 } };
    const M = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
    const original = M._load;
    M._load = function (request: string, parent: unknown, isMain: boolean): unknown {
      if (request === 'vscode') return vscode;
      if (request === 'vscode-languageclient/node') return client;
      return original.call(this, request, parent, isMain);
    };
    try {
      CtxClass = (createRequire(__filename)(out) as { Ctx: typeof CtxClass }).Ctx;
    } finally {
      M._load = original;
    }
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('a crashed server is restarted without a pop-up, four times; the fifth crash in three minutes stops it and tells the user once', async () => {
    popups.length = 0;
    const ctx = new CtxClass({ asAbsolutePath: (p: string) => p });
    const handler = ctx.clientOptions().errorHandler;
    for (let i = 0; i < 4; i++) assert.deepEqual(handler.closed(), { action: CloseAction.Restart, handled: true });
    assert.deepEqual(popups, []);
    assert.deepEqual(handler.closed(), { action: CloseAction.DoNotRestart, handled: true });
    await Promise.resolve();
    assert.equal(popups.length, 1);
    assert.match(popups[0]!, /stopped 4 times in 3 minutes and will not be restarted/);
    assert.ok(logged.filter((l) => l.startsWith('warn') && l.includes('restarting')).length === 4);
  });

  test('connection errors are logged and handled (no pop-up each); the fourth stops the client with one message', () => {
    popups.length = 0;
    const ctx = new CtxClass({ asAbsolutePath: (p: string) => p });
    const handler = ctx.clientOptions().errorHandler;
    for (let count = 1; count <= 3; count++) {
      const r = handler.error(new Error(`broken pipe ${count}`), undefined, count);
      assert.deepEqual(r, { action: ErrorAction.Continue, handled: true }, `count ${count}`);
    }
    const last = handler.error(new Error('broken pipe 4'), undefined, 4);
    assert.equal(last.action, ErrorAction.Shutdown);
    assert.ok(last.message && !last.handled, 'the language client shows this message once');
    assert.deepEqual(popups, []);
    assert.ok(logged.some((l) => l.includes('broken pipe 3')));
  });
});
