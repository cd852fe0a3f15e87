/** VS Code entry point: starts the language server and registers the commands. */
import type { ExtensionContext } from 'vscode';
import { registerCommands } from './commands';
import { Ctx } from './ctx';
import { registerViews } from './views/index';

let ctx: Ctx | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
  ctx = new Ctx(context);
  context.subscriptions.push(ctx);
  registerCommands(ctx);
  registerViews(ctx, context.extensionUri);
  try {
    await ctx.start();
  } catch (err) {
    ctx.output.error(`could not start the language server: ${(err as Error)?.stack ?? String(err)}`);
    void ctx.tellUser(`GAMMA Lens: could not start the language server: ${(err as Error)?.message ?? String(err)}`);
  }
}

export async function deactivate(): Promise<void> {
  await ctx?.stop();
  ctx = undefined;
}
