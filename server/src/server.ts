/** Capabilities and feature registration. The protocol adapters live in `lsp/`. */
import type { Connection, InitializeParams, InitializeResult } from 'vscode-languageserver/node';
import {
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  TextDocumentSyncKind,
  TextDocuments,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';
import { registerFeatures } from './lsp/features';
import { Indexer, type EncodedWriter } from './lsp/indexer';
import { registerViews } from './lsp/views';
import { ConfigSection } from './protocol';

declare const GAMMA_LENS_VERSION: string;

/** What the process that loads the server (boot.ts) asks of it. */
export interface ServerHooks {
  /** Called once, when the server is idle after its first `ready`; a line it returns is logged. */
  readonly onFirstReady?: () => string | undefined;
}

/**
 * `encoded`: the connection's own writer, when it takes messages as JSON text (stdio): stored
 * diagnostics are sent through it as they were stored.
 */
export function startServer(connection: Connection, hooks: ServerHooks = {}, encoded?: EncodedWriter): void {
  const documents = new TextDocuments(TextDocument);
  const indexer = new Indexer(connection, documents);
  indexer.onFirstReady = hooks.onFirstReady;
  indexer.encoded = encoded;
  let workspaceFolders = false;

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const caps = params.capabilities;
    workspaceFolders = caps.workspace?.workspaceFolders === true;
    indexer.caps = {
      configuration: caps.workspace?.configuration === true,
      workDoneProgress: caps.window?.workDoneProgress === true,
      watchedFilesDynamic: caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
      configurationDynamic: caps.workspace?.didChangeConfiguration?.dynamicRegistration === true,
      codeLensRefresh: caps.workspace?.codeLens?.refreshSupport === true,
    };
    // Warm starts: the client's storage folder (VS Code's storageUri), or GAMMA_LENS_CACHE_DIR.
    const init = (params.initializationOptions ?? {}) as { storagePath?: unknown };
    indexer.cacheDir = typeof init.storagePath === 'string' && init.storagePath ? init.storagePath : process.env.GAMMA_LENS_CACHE_DIR || undefined;
    if (params.workspaceFolders?.length) for (const f of params.workspaceFolders) indexer.addFolder(f.uri);
    else if (params.rootUri) indexer.addFolder(params.rootUri);
    else if (params.rootPath) indexer.addFolder(URI.file(params.rootPath).toString());
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: ['quickfix', 'refactor'] },
        definitionProvider: true,
        referencesProvider: true,
        documentSymbolProvider: true,
        workspaceSymbolProvider: true,
        completionProvider: { triggerCharacters: [':', ' '] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'gamma-lens', version: typeof GAMMA_LENS_VERSION === 'string' ? GAMMA_LENS_VERSION : undefined },
    };
  });

  connection.onInitialized(() => {
    if (indexer.caps.watchedFilesDynamic) {
      void connection.client
        .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.{yaml,yml}' }, { globPattern: '**/Kustomization' }] })
        .catch((err: unknown) => connection.console.warn(`could not register file watchers: ${String(err)}`));
    }
    if (indexer.caps.configurationDynamic) {
      void connection.client
        .register(DidChangeConfigurationNotification.type, { section: [ConfigSection, 'files.exclude'] })
        .catch((err: unknown) => connection.console.warn(`could not register for settings changes: ${String(err)}`));
    }
    if (workspaceFolders) {
      connection.workspace.onDidChangeWorkspaceFolders(
        (e) =>
          void indexer.foldersChanged(
            e.added.map((f) => f.uri),
            e.removed.map((f) => f.uri),
          ),
      );
    }
    void indexer.start();
  });

  // The cache is written in the background after the first scan; a shutdown lets it finish.
  connection.onShutdown(() => indexer.shutdown());
  documents.onDidChangeContent((e) => indexer.documentChanged(e.document));
  documents.onDidClose((e) => indexer.documentClosed(e.document.uri));
  connection.onDidChangeWatchedFiles((params) => indexer.filesChanged(params.changes as ReadonlyArray<{ uri: string; type: 1 | 2 | 3 }>));
  connection.onDidChangeConfiguration((params) => void indexer.configurationChanged(params.settings));

  registerFeatures(connection, indexer);
  registerViews(connection, indexer);
  documents.listen(connection);
}
