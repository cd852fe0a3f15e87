/**
 * How the editor starts the language server (shared by the VS Code client and the benchmark, which
 * starts it the same way). No `node:` or `vscode` imports: the client bundles this file.
 */

/**
 * Node options for the server process on a machine with `cores` CPUs. V8 runs the helpers of its
 * garbage collector and its optimising compiler on a pool of worker threads, four by default; on a
 * machine with fewer cores than that they compete with the server's own thread and with the editor,
 * and a cold start of the 10k-document benchmark workspace on 2 cores took ~10% longer (100k: ~10%,
 * with ~7% more CPU) than with one worker. The pool keeps one core for everything else: 1 worker on 2
 * cores, 2 on 3, 3 on 4, and Node's default from 5 cores up.
 */
export function serverNodeOptions(cores: number): string[] {
  const n = Number.isFinite(cores) ? Math.floor(cores) : 0;
  if (n >= 5) return [];
  return [`--v8-pool-size=${Math.max(1, n - 1)}`];
}

/**
 * Arguments for the server after its module: where it keeps V8's cache of its compiled code
 * (`boot.ts`). The VS Code client passes a folder of the extension's global storage, shared by every
 * window; none: the server compiles itself at every start, as any other editor runs it.
 */
export function serverArguments(globalStorage: string | undefined): string[] {
  return globalStorage ? [`--code-cache=${globalStorage.replace(/[\\/]+$/, '')}/code-cache`] : [];
}

/** The folder of `--code-cache=<folder>` among the server's arguments, if one is named. */
export function codeCacheFolder(argv: readonly string[]): string | undefined {
  for (const arg of argv) if (arg.startsWith('--code-cache=')) return arg.slice('--code-cache='.length) || undefined;
  return undefined;
}
