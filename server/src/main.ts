/**
 * Wiring only: create the connection over stdio/IPC and start the server. Bundled as
 * `server/out/server-main.js`, which `server/out/server.js` (boot.ts) loads and starts.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { StdioMessageWriter } from './lsp/stdioWriter';
import { startServer, type ServerHooks } from './server';

export type { ServerHooks };

/** The transport the command line asks for, as the library reads it: the first transport argument. */
function transport(): string | undefined {
  for (const arg of process.argv.slice(2)) {
    const name = arg.split('=')[0];
    if (arg === '--node-ipc' || arg === '--stdio' || name === '--socket' || name === '--pipe') return name;
  }
  return undefined;
}

/** Starts the server on the transport the command line names. */
export function main(hooks: ServerHooks = {}): void {
  const stdio = transport() === '--stdio';
  // On stdio the server writes through its own writer (fewer writes; see StdioMessageWriter) and reads
  // stdin as the library does (which ends the process when stdin ends); other transports are the library's.
  const writer = stdio ? new StdioMessageWriter(process.stdout) : undefined;
  const connection = writer ? createConnection(ProposedFeatures.all, process.stdin, writer as unknown as NodeJS.WritableStream) : createConnection(ProposedFeatures.all);
  // With stdio transport anything written to stdout corrupts the stream: route console to the log
  // (every method the library routes itself when it sets up stdio).
  console.log = (...args: unknown[]) => connection.console.log(args.map(String).join(' '));
  console.info = console.log;
  console.warn = (...args: unknown[]) => connection.console.warn(args.map(String).join(' '));
  console.error = (...args: unknown[]) => connection.console.error(args.map(String).join(' '));
  if (stdio) {
    console.debug = console.log;
    console.dir = (arg: unknown) => console.log(arg);
    console.trace = (...args: unknown[]) => console.log(`Trace${args.length ? `: ${args.map(String).join(' ')}` : ''}\n${(new Error().stack ?? '').replace(/(.+\n){2}/, '')}`);
    console.assert = (assertion?: unknown, ...args: unknown[]) => {
      if (!assertion) console.error(`Assertion failed${args.length ? `: ${args.map(String).join(' ')}` : ''}`);
    };
    const counts = new Map<string, number>();
    console.count = (label = 'default') => {
      const n = (counts.get(String(label)) ?? 0) + 1;
      counts.set(String(label), n);
      console.log(`${String(label)}: ${n}`);
    };
    console.countReset = (label?: string) => (label === undefined ? counts.clear() : counts.delete(String(label)));
  }
  startServer(connection, hooks, writer);
  connection.listen();
}
