/**
 * A small, reusable LSP test client for gamma-lens.
 *
 * It spawns the BUNDLED server (`server/out/server.js --stdio`, so run `npm run build` first), talks
 * to it with `vscode-jsonrpc`, answers the requests a real editor answers (`workspace/configuration`,
 * `client/registerCapability`, `window/workDoneProgress/create`, `workspace/codeLens/refresh`) and
 * records what the server sends (diagnostics per URI, `gammaLens/status`, log messages, progress).
 *
 * Tests never sleep: they wait for the `gammaLens/status` `ready` notification, which the server
 * sends only after the diagnostics of a scan or re-index are published.
 *
 * ```ts
 * const dir = copyFixture('lsp/basic');                  // temporary copy, removed by client.stop()
 * const client = await LspClient.start({ folders: [dir] }); // resolves after the first `ready`
 * const ready = client.nextReady();                       // arm before acting
 * client.change(file, [{ range, text }]);
 * await ready;
 * client.diagnosticsFor(file);
 * await client.stop();
 * ```
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import { URI } from 'vscode-uri';
import type { StatusParams } from '../../server/src/protocol';
import { StatusNotification } from '../../server/src/protocol';
import { REPO_ROOT } from './workspace';

/** LSP shapes, declared here so tests need no extra dependency. */
export interface Position {
  line: number;
  character: number;
}
export interface Range {
  start: Position;
  end: Position;
}
export interface Location {
  uri: string;
  range: Range;
}
export interface Diagnostic {
  range: Range;
  severity?: number;
  code?: string | number;
  codeDescription?: { href: string };
  source?: string;
  message: string;
  relatedInformation?: Array<{ location: Location; message: string }>;
  data?: unknown;
}
export interface TextEdit {
  range: Range;
  newText: string;
}
export interface WorkspaceEdit {
  changes?: Record<string, TextEdit[]>;
}
export interface Command {
  title: string;
  command: string;
  arguments?: unknown[];
}
export interface CodeLens {
  range: Range;
  command?: Command;
}
export interface CodeAction {
  title: string;
  kind?: string;
  diagnostics?: Diagnostic[];
  isPreferred?: boolean;
  edit?: WorkspaceEdit;
}
export interface DocumentSymbol {
  name: string;
  kind: number;
  range: Range;
  selectionRange: Range;
  children?: DocumentSymbol[];
}
export interface FileEvent {
  uri: string;
  /** 1 created, 2 changed, 3 deleted. */
  type: 1 | 2 | 3;
}

/** What the test client tells the server it supports (like VS Code, minus what tests do not need). */
const FULL_CAPABILITIES = {
  workspace: {
    configuration: true,
    workspaceFolders: true,
    didChangeWatchedFiles: { dynamicRegistration: true },
    didChangeConfiguration: { dynamicRegistration: true },
    codeLens: { refreshSupport: true },
  },
  window: { workDoneProgress: true },
  textDocument: {
    synchronization: { dynamicRegistration: false },
    publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true, dataSupport: true },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    completion: { completionItem: { snippetSupport: true } },
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
  },
};

export const SERVER_JS = path.join(REPO_ROOT, 'server', 'out', 'server.js');

export interface StartOptions {
  /** Workspace folder paths. */
  readonly folders: readonly string[];
  /** `gammaLens.*` settings returned for every folder (see also `setSettings`). */
  readonly settings?: Record<string, unknown>;
  /** `files.exclude` returned for every folder. */
  readonly filesExclude?: Record<string, boolean>;
  /** The server.js to run (default: the bundled SERVER_JS). */
  readonly server?: string;
  /** Server arguments after `--stdio` (e.g. `--code-cache=<folder>`). */
  readonly args?: readonly string[];
  /** `ipc`: talk over Node's IPC channel (`--node-ipc`) instead of stdin/stdout. */
  readonly transport?: 'stdio' | 'ipc';
  /** Extra environment for the server process (e.g. `GAMMA_LENS_TEST_FAULT`). */
  readonly env?: Record<string, string>;
  /** Milliseconds a wait may take before it fails the test (a guard, not a sleep). */
  readonly timeout?: number;
  /** Advertise no client capabilities at all (no configuration, progress or dynamic registration). */
  readonly bareCapabilities?: boolean;
  /** Temporary folders to delete on `stop()`. */
  readonly cleanup?: readonly string[];
}

/** Copies `test/fixtures/<rel>` (or any folder) into a fresh temporary folder and returns its path. */
export function copyFixture(rel: string): string {
  const src = path.isAbsolute(rel) ? rel : path.join(REPO_ROOT, 'test', 'fixtures', rel);
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gamma-lens-lsp-')));
  fs.cpSync(src, dir, { recursive: true });
  return dir;
}

export function fileUri(p: string): string {
  return URI.file(p).toString();
}

/** The position of the `occurrence`-th (0-based) `needle` in `text`, plus `delta` characters. */
export function positionOf(text: string, needle: string, delta = 0, occurrence = 0): Position {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`${JSON.stringify(needle)} (occurrence ${occurrence}) not found`);
  }
  return positionAtOffset(text, at + delta);
}

export function positionAtOffset(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

export function offsetAt(text: string, p: Position): number {
  const lines = text.split('\n');
  let o = 0;
  for (let i = 0; i < p.line; i++) o += lines[i]!.length + 1;
  return o + p.character;
}

/** The text a range covers. */
export function textIn(text: string, r: Range): string {
  return text.slice(offsetAt(text, r.start), offsetAt(text, r.end));
}

/** Applies text edits (non-overlapping) to a text. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => offsetAt(text, b.range.start) - offsetAt(text, a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offsetAt(out, e.range.start)) + e.newText + out.slice(offsetAt(out, e.range.end));
  return out;
}

export class LspClient {
  /** Last diagnostics published per URI. */
  readonly diagnostics = new Map<string, Diagnostic[]>();
  readonly statuses: StatusParams[] = [];
  readonly logs: string[] = [];
  readonly progress: unknown[] = [];
  readonly registrations: Array<{ method: string; registerOptions?: unknown }> = [];
  /** Settings per folder URI (or `*` for all), served on `workspace/configuration`. */
  readonly settings = new Map<string, Record<string, unknown>>();
  filesExclude: Record<string, boolean> = {};
  private readonly versions = new Map<string, number>();
  private readyWaiters: Array<{ resolve: (s: StatusParams) => void }> = [];
  private stderr = '';

  private constructor(
    readonly connection: MessageConnection,
    private readonly child: ChildProcess,
    private readonly timeout: number,
    private readonly cleanup: readonly string[],
  ) {}

  /** Starts the server, initializes it with the folders and resolves once the first `ready` arrives. */
  static async start(options: StartOptions): Promise<LspClient> {
    const server = options.server ?? SERVER_JS;
    if (!fs.existsSync(server)) throw new Error(`${server} is missing: run npm run build`);
    const ipc = options.transport === 'ipc';
    const child = spawn(process.execPath, [server, ipc ? '--node-ipc' : '--stdio', ...(options.args ?? [])], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ipc ? ['pipe', 'pipe', 'pipe', 'ipc'] : ['pipe', 'pipe', 'pipe'],
    });
    const connection = ipc
      ? createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child))
      : createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new LspClient(connection, child, options.timeout ?? 30000, options.cleanup ?? options.folders);
    child.stderr!.on('data', (d: Buffer) => (client.stderr += d.toString()));
    if (options.settings) client.settings.set('*', options.settings);
    client.filesExclude = options.filesExclude ?? {};
    client.wire();
    connection.listen();
    const first = client.nextReady();
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: options.folders[0] ? fileUri(options.folders[0]) : null,
      workspaceFolders: options.folders.map((f) => ({ uri: fileUri(f), name: path.basename(f) })),
      capabilities: options.bareCapabilities ? {} : FULL_CAPABILITIES,
    });
    await connection.sendNotification('initialized', {});
    await first;
    return client;
  }

  private wire(): void {
    const c = this.connection;
    c.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: Diagnostic[] }) => {
      this.diagnostics.set(p.uri, p.diagnostics);
    });
    c.onNotification(StatusNotification, (p: StatusParams) => {
      this.statuses.push(p);
      if (p.state !== 'ready') return;
      const waiters = this.readyWaiters;
      this.readyWaiters = [];
      for (const w of waiters) w.resolve(p);
    });
    c.onNotification('window/logMessage', (p: { message: string }) => {
      this.logs.push(p.message);
    });
    c.onNotification('$/progress', (p: unknown) => {
      this.progress.push(p);
    });
    c.onRequest('workspace/configuration', (p: { items: Array<{ scopeUri?: string; section?: string }> }) =>
      p.items.map((item) => {
        if (item.section === 'files.exclude') return this.filesExclude;
        if (item.section === 'gammaLens') return this.settings.get(item.scopeUri ?? '*') ?? this.settings.get('*') ?? {};
        return null;
      }),
    );
    c.onRequest('client/registerCapability', (p: { registrations: Array<{ method: string; registerOptions?: unknown }> }) => {
      this.registrations.push(...p.registrations);
      return null;
    });
    c.onRequest('window/workDoneProgress/create', () => null);
    c.onRequest('workspace/codeLens/refresh', () => null);
  }

  /** Resolves at the next `ready` status sent after this call. Arm it before the action that triggers the re-index. */
  nextReady(): Promise<StatusParams> {
    return this.guard(new Promise<StatusParams>((resolve) => this.readyWaiters.push({ resolve })), 'gammaLens/status ready');
  }

  private guard<T>(p: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const fail = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}\nstatuses: ${JSON.stringify(this.statuses)}\nlogs:\n${this.logs.join('\n')}\nstderr:\n${this.stderr}`)), this.timeout);
    });
    return Promise.race([p, fail]).finally(() => clearTimeout(timer));
  }

  diagnosticsFor(file: string): Diagnostic[] {
    return this.diagnostics.get(fileUri(file)) ?? [];
  }

  /** Opens a document with its disk content (or `text`). */
  open(file: string, text = fs.readFileSync(file, 'utf8')): string {
    const uri = fileUri(file);
    this.versions.set(uri, 1);
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    return text;
  }

  /** Sends incremental changes (`range` + `text`), or a full text when `range` is left out. */
  change(file: string, changes: ReadonlyArray<{ range?: Range; text: string }>): void {
    const uri = fileUri(file);
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    void this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
  }

  close(file: string): void {
    void this.connection.sendNotification('textDocument/didClose', { textDocument: { uri: fileUri(file) } });
  }

  filesChanged(events: FileEvent[]): void {
    void this.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: events });
  }

  /** Pushes settings in the notification itself, for servers talking to clients without `workspace/configuration`. */
  pushSettings(settings: Record<string, unknown>): void {
    void this.connection.sendNotification('workspace/didChangeConfiguration', { settings });
  }

  /** Adds and removes workspace folders (paths). */
  changeFolders(added: readonly string[], removed: readonly string[] = []): void {
    const folder = (p: string) => ({ uri: fileUri(p), name: path.basename(p) });
    void this.connection.sendNotification('workspace/didChangeWorkspaceFolders', { event: { added: added.map(folder), removed: removed.map(folder) } });
  }

  /** Replaces the settings served for every folder and tells the server. */
  setSettings(settings: Record<string, unknown>): void {
    this.settings.set('*', settings);
    void this.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.guard(this.connection.sendRequest<R>(method, params), method);
  }

  hover(file: string, position: Position): Promise<{ contents: { kind: string; value: string }; range?: Range } | null> {
    return this.request('textDocument/hover', { textDocument: { uri: fileUri(file) }, position });
  }

  codeLens(file: string): Promise<CodeLens[] | null> {
    return this.request('textDocument/codeLens', { textDocument: { uri: fileUri(file) } });
  }

  definition(file: string, position: Position): Promise<Location[] | null> {
    return this.request('textDocument/definition', { textDocument: { uri: fileUri(file) }, position });
  }

  references(file: string, position: Position, includeDeclaration = false): Promise<Location[] | null> {
    return this.request('textDocument/references', { textDocument: { uri: fileUri(file) }, position, context: { includeDeclaration } });
  }

  completion(file: string, position: Position): Promise<Array<{ label: string; textEdit?: TextEdit; insertTextFormat?: number }> | null> {
    return this.request('textDocument/completion', { textDocument: { uri: fileUri(file) }, position });
  }

  documentSymbols(file: string): Promise<DocumentSymbol[] | null> {
    return this.request('textDocument/documentSymbol', { textDocument: { uri: fileUri(file) } });
  }

  codeActions(file: string, range: Range, diagnostics: Diagnostic[] = []): Promise<CodeAction[] | null> {
    return this.request('textDocument/codeAction', { textDocument: { uri: fileUri(file) }, range, context: { diagnostics } });
  }

  /** Shuts the server down and deletes the temporary folders. */
  async stop(): Promise<void> {
    try {
      await this.guard(this.connection.sendRequest('shutdown'), 'shutdown');
      await this.connection.sendNotification('exit');
    } catch {
      // The server may already be gone; the process is killed below anyway.
    }
    this.connection.dispose();
    if (this.child.exitCode === null) this.child.kill();
    for (const d of this.cleanup) if (d.startsWith(fs.realpathSync(os.tmpdir()))) fs.rmSync(d, { recursive: true, force: true });
  }

  /** What the server wrote to stderr (it must write nothing but protocol to stdout). */
  get errorOutput(): string {
    return this.stderr;
  }
}
