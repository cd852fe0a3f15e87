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
