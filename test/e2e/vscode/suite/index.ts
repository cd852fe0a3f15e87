/**
 * Test entry that VS Code's extension host loads (`extensionTestsPath`): runs the scenarios one after the other,
 * prints one line per scenario, and rejects when any failed (so the VS Code process exits non-zero).
 */
import { SCENARIOS } from './scenarios';

export async function run(): Promise<void> {
  await runWith((line) => console.log(line));
}

/** `run` with another sink for the report lines (test/e2e/vscode/in-code-server.mjs collects them). */
export async function runWith(report: (line: string) => void): Promise<void> {
  const failed: string[] = [];
  for (const [name, fn] of SCENARIOS) {
    const t0 = Date.now();
    try {
      await fn();
      report(`ok - ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      failed.push(name);
      report(`not ok - ${name} (${Date.now() - t0} ms)\n  ${e instanceof Error ? (e.stack ?? e.message).replace(/\n/g, '\n  ') : String(e)}`);
    }
  }
  report(`# ${SCENARIOS.length - failed.length} passed, ${failed.length} failed`);
  if (failed.length) throw new Error(`${failed.length} scenario(s) failed: ${failed.join('; ')}`);
}
