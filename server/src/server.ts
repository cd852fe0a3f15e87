/** Capabilities and feature registration. The protocol adapters live in `lsp/`. */
import type { Connection, InitializeResult } from 'vscode-languageserver/node';

export function startServer(connection: Connection): void {
  connection.onInitialize(
    (): InitializeResult => ({
      capabilities: {},
      serverInfo: { name: 'gamma-lens' },
    }),
  );
}
