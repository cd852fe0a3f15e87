/**
 * How the editor starts the language server (shared by the VS Code client and the benchmark, which
 * starts it the same way). No `node:` or `vscode` imports: the client bundles this file.
 */

/**
 * The size in MB the server's old generation starts at. V8 starts a heap small and grows it by
 * full collections; indexing a large workspace keeps nearly everything it allocates, so every one of
 * those collections marks and moves what was just read only to find it alive. From 256 MB the index
 * of the 100k-document benchmark workspace (~150 MB of heap) is built without them: on 2 cores its
 * cold start took ~15% less time and CPU and its warm start ~9% less, for ~10 MB more peak RSS
 * (measured side by side, 2026-11-27). The limit only sets when the first full collection runs,
 * after which V8 sizes the heap from what is alive; memory is taken as it is used, so a small
 * workspace's server stays as small as before.
 */
export const INITIAL_OLD_SPACE_MB = 256;

/**
 * Node options for the server process on a machine with `cores` CPUs.
 *
 * - The old generation starts at INITIAL_OLD_SPACE_MB.
 * - V8 runs the helpers of its garbage collector and its optimising compiler on a pool of worker
 *   threads, four by default; on a machine with fewer cores than that they compete with the
 *   server's own thread and with the editor, and a cold start of the 10k-document benchmark
 *   workspace on 2 cores took ~10% longer (100k: ~10%, with ~7% more CPU) than with one worker. The
 *   pool keeps one core for everything else: 1 worker on 2 cores, 2 on 3, 3 on 4, and Node's default
 *   from 5 cores up.
 */
export function serverNodeOptions(cores: number): string[] {
  const n = Number.isFinite(cores) ? Math.floor(cores) : 0;
  const heap = `--initial-old-space-size=${INITIAL_OLD_SPACE_MB}`;
  if (n >= 5) return [heap];
  return [heap, `--v8-pool-size=${Math.max(1, n - 1)}`];
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
