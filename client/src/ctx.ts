/**
 * Owns what the extension creates: the language client, the output channel, the status item and
 * the disposables. Restarting the server goes through here.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CloseAction, ErrorAction, LanguageClient, RevealOutputChannelOn, State, TransportKind } from 'vscode-languageclient/node';
import type { LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';
import { serverArguments, serverNodeOptions } from '../../server/src/launch';
import { RoleAtRequest, StatusNotification } from '../../server/src/protocol';
import type { RoleAtResult, StatusParams } from '../../server/src/protocol';
import { StatusItem } from './status';

/** CPUs this process may use (`availableParallelism` is missing from older Node versions). */
function cpuCount(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** Restarts allowed within `RESTART_WINDOW_MS` before the client gives up and tells the user. */
const MAX_RESTARTS = 4;
const RESTART_WINDOW_MS = 3 * 60 * 1000;

export class Ctx implements vscode.Disposable {
  readonly output: vscode.LogOutputChannel;
  readonly status: StatusItem;
  client: LanguageClient | undefined;
  /** Every `gammaLens/status` notification (the views refresh on `ready`). */
  readonly statusEvents = new vscode.EventEmitter<StatusParams>();
  private readonly disposables: vscode.Disposable[] = [];
  private restarts: number[] = [];

  constructor(private readonly extension: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('GAMMA Lens', { log: true });
    this.status = new StatusItem();
    this.disposables.push(this.output, this.status, this.statusEvents);
  }

  private serverOptions(): ServerOptions {
    const module = this.extension.asAbsolutePath(path.join('server', 'out', 'server.js'));
    // Over stdio, as every other editor runs the server and as the benchmark measures it: the server
    // then writes each event-loop turn's messages in one write and sends stored diagnostics as the
    // JSON it kept (StdioMessageWriter), where Node's IPC channel serialises each message on its own.
    return {
      run: { module, transport: TransportKind.stdio, args: serverArguments(this.extension.globalStorageUri?.fsPath), options: { execArgv: serverNodeOptions(cpuCount()) } },
      debug: { module, transport: TransportKind.stdio, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
    };
  }

  private clientOptions(): LanguageClientOptions {
    return {
      // Red Hat YAML owns the yaml language; we only add our providers to it (no language, grammar or schema here).
      documentSelector: [
        { scheme: 'file', language: 'yaml' },
        { scheme: 'file', language: 'helm' },
      ],
      outputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      // The server keeps its extraction cache (warm starts) in the workspace's storage folder.
      initializationOptions: { storagePath: (this.extension.storageUri ?? this.extension.globalStorageUri)?.fsPath },
      initializationFailedHandler: (error) => {
        this.status.failed(String(error));
        void this.tellUser(`GAMMA Lens: the language server failed to start: ${error instanceof Error ? error.message : String(error)}`);
        return false;
      },
      errorHandler: {
        error: (error, _message, count) => {
          this.output.error(`connection error: ${error.message}`);
          // `handled: true`: logged above, no pop-up per error; the user hears once, when the client gives up.
          return (count ?? 0) <= 3 ? { action: ErrorAction.Continue, handled: true } : { action: ErrorAction.Shutdown, message: 'GAMMA Lens: too many errors talking to the language server; it was stopped.' };
        },
        closed: () => {
          const now = Date.now();
          this.restarts = [...this.restarts.filter((t) => now - t < RESTART_WINDOW_MS), now];
          if (this.restarts.length > MAX_RESTARTS) {
            this.status.failed('the language server crashed repeatedly');
            void this.tellUser(`GAMMA Lens: the language server stopped ${MAX_RESTARTS} times in 3 minutes and will not be restarted. Use "GAMMA Lens: Restart Server" after checking the output.`);
            return { action: CloseAction.DoNotRestart, handled: true };
          }
          this.output.warn('the language server stopped; restarting it');
          return { action: CloseAction.Restart, handled: true };
        },
      },
    };
  }

  /** Shows an error with a button to the output channel. */
  async tellUser(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(message, 'Show Output');
    if (choice) this.output.show(true);
  }

  async start(): Promise<void> {
    // The id `gammaLens` makes the client honour `gammaLens.trace.server`.
    const client = new LanguageClient('gammaLens', 'GAMMA Lens', this.serverOptions(), this.clientOptions());
    this.client = client;
    this.disposables.push(
      client.onNotification(StatusNotification, (p: StatusParams) => {
        this.status.update(p);
        this.statusEvents.fire(p);
      }),
      client.onDidChangeState((e) => {
        if (e.newState === State.Stopped) this.status.stopped();
      }),
    );
    this.status.starting();
    await client.start();
    this.followCursor();
  }

  private cursorTimer: NodeJS.Timeout | undefined;
  private following = false;

  /** Shows the role of the route or Service under the cursor in the status item (debounced). */
  private followCursor(): void {
    if (this.following) return;
    this.following = true;
    const update = (editor: vscode.TextEditor | undefined): void => {
      if (this.cursorTimer) clearTimeout(this.cursorTimer);
      this.cursorTimer = setTimeout(() => {
        const client = this.client;
        const doc = editor?.document;
        if (!client || client.state !== State.Running || !doc || (doc.languageId !== 'yaml' && doc.languageId !== 'helm') || doc.uri.scheme !== 'file') {
          this.status.role(null);
          return;
        }
        const pos = editor.selection.active;
        client.sendRequest<RoleAtResult>(RoleAtRequest, { uri: doc.uri.toString(), position: { line: pos.line, character: pos.character } }).then(
          (r) => this.status.role(r.text),
          () => this.status.role(null),
        );
      }, 250);
    };
    this.disposables.push(
      vscode.window.onDidChangeTextEditorSelection((e) => update(e.textEditor)),
      vscode.window.onDidChangeActiveTextEditor((e) => update(e)),
      { dispose: () => this.cursorTimer && clearTimeout(this.cursorTimer) },
    );
  }

  async restart(): Promise<void> {
    this.restarts = [];
    if (this.client) {
      await this.client.restart();
    } else {
      await this.start();
    }
  }

  /** The running client, or an error message shown to the user. */
  running(): LanguageClient | undefined {
    if (this.client?.state === State.Running) return this.client;
    void vscode.window.showWarningMessage('GAMMA Lens: the language server is not running.');
    return undefined;
  }

  push(...d: vscode.Disposable[]): void {
    this.disposables.push(...d);
  }

  async stop(): Promise<void> {
    await this.client?.stop();
    this.client = undefined;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
