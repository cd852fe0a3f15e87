/**
 * The safety wrapper around every request handler: a bug in one feature logs its context and
 * answers with an empty result instead of killing the server. Cancelled requests answer empty too.
 */
import type { CancellationToken } from 'vscode-languageserver/node';

export interface Logger {
  error(message: string): void;
}

/** Test-only fault injection: `GAMMA_LENS_TEST_FAULT=hover,gammaLens/bindings` makes those handlers throw. */
const FAULTS = new Set((process.env.GAMMA_LENS_TEST_FAULT ?? '').split(',').filter(Boolean));

export function runSafe<P, R>(log: Logger, name: string, empty: R, fn: (params: P, token: CancellationToken | undefined) => R | Promise<R>) {
  return async (params: P, token?: CancellationToken): Promise<R> => {
    if (token?.isCancellationRequested) return empty;
    try {
      if (FAULTS.has(name)) throw new Error(`injected fault in ${name} (GAMMA_LENS_TEST_FAULT)`);
      const result = await fn(params, token);
      return token?.isCancellationRequested ? empty : result;
    } catch (err) {
      const e = err as Error;
      const where = params && typeof params === 'object' && 'textDocument' in params ? ` (${String((params as { textDocument: { uri: string } }).textDocument.uri)})` : '';
      log.error(`${name} failed${where}: ${e?.stack ?? String(err)}`);
      return empty;
    }
  };
}
