/** Registers the views: the "Mesh bindings" tree, the binding map and the request explainer. */
import * as vscode from 'vscode';
import type { WorkspaceEdit as LspWorkspaceEdit } from 'vscode-languageclient/node';
import { Commands, CreateConsumerRouteRequest, ServicesRequest, ViewCommands } from '../../../server/src/protocol';
import type { CreateConsumerRouteParams, ServiceSummary, ViewLocation } from '../../../server/src/protocol';
import type { Ctx } from '../ctx';
import { ExplainPanel } from './explain';
import type { ExplainTarget } from './explain';
import { BindingMap } from './map';
import { locationOf, registerTree, targetOf } from './tree';
import type { BindingsTree } from './tree';
import type { Node } from './tree';
import { openLocation } from './webview';

/** Tree nodes and plain targets both reach the commands; tree nodes carry `type`. */
function asTarget(arg: unknown): ExplainTarget | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  if ('type' in arg) return targetOf(arg as Node);
  return arg as ExplainTarget;
}

function activeUri(): string | undefined {
  return vscode.window.activeTextEditor?.document.uri.toString();
}

/** Opens the explainer panel (the `gammaLens.explainRequest` command). */
export function showExplainer(ctx: Ctx, extensionUri: vscode.Uri, arg?: unknown): void {
  ExplainPanel.show(ctx, extensionUri, asTarget(arg) ?? { uri: activeUri() });
}

async function createConsumerRoute(ctx: Ctx, tree: BindingsTree, arg?: unknown): Promise<void> {
  const t = asTarget(arg);
  const client = ctx.running();
  if (!t?.service || !client) return;
  const own = t.service.slice(0, t.service.indexOf('/'));
  const others = tree.namespaces().filter((n) => n !== own);
  const typed = '$(edit) Another namespace…';
  let from = others.length ? await vscode.window.showQuickPick([...others, typed], { placeHolder: `Consumer route for callers in which namespace? (${t.service})` }) : typed;
  if (from === typed) from = await vscode.window.showInputBox({ prompt: 'Caller namespace', validateInput: (v) => (!v.trim() ? 'a namespace' : v.trim() === own ? 'callers in the Service namespace are served by producer routes' : undefined) });
  if (!from) return;
  const params: CreateConsumerRouteParams = { uri: t.uri, service: t.service, port: t.port, from: from.trim() };
  const edit = await client.sendRequest<LspWorkspaceEdit | null>(CreateConsumerRouteRequest, params);
  if (!edit) {
    void vscode.window.showWarningMessage(`GAMMA Lens: could not create a consumer route for ${t.service}${t.port ? ` port ${t.port}` : ''} (a Service with several ports needs a port).`);
    return;
  }
  const converted = await client.protocol2CodeConverter.asWorkspaceEdit(edit);
  if (!(await vscode.workspace.applyEdit(converted))) void vscode.window.showErrorMessage('GAMMA Lens: the edit could not be applied.');
}

export function registerViews(ctx: Ctx, extensionUri: vscode.Uri): void {
  const tree = registerTree(ctx);
  ctx.push(
    ctx.statusEvents.event((s) => {
      if (s.state === 'ready') BindingMap.refresh();
    }),
    vscode.commands.registerCommand(Commands.explainRequest, (arg?: unknown) => showExplainer(ctx, extensionUri, arg)),
    vscode.commands.registerCommand(ViewCommands.showBindingMap, async (arg?: unknown) => {
      let t = asTarget(arg);
      if (!t) {
        // From the command palette: the whole workspace or one Service.
        const client = ctx.running();
        if (!client) return;
        const services = await client.sendRequest<ServiceSummary[]>(ServicesRequest, { uri: activeUri() });
        const whole = { label: '$(globe) Whole workspace', service: undefined as ServiceSummary | undefined };
        const picked = await vscode.window.showQuickPick([whole, ...services.map((s) => ({ label: `${s.namespace}/${s.name}`, description: 'centre on this Service', service: s as ServiceSummary | undefined }))], {
          placeHolder: 'Draw the bindings of the whole workspace, or centred on one Service?',
        });
        if (!picked) return;
        t = picked.service ? { service: `${picked.service.namespace}/${picked.service.name}`, uri: picked.service.uri } : {};
      }
      BindingMap.show(ctx, extensionUri, { service: t.service, uri: t.uri ?? activeUri() });
    }),
    vscode.commands.registerCommand(ViewCommands.openLocation, async (arg?: unknown) => {
      const loc = arg && typeof arg === 'object' && 'type' in arg ? locationOf(arg as Node) : (arg as ViewLocation | undefined);
      await openLocation(loc);
    }),
    vscode.commands.registerCommand(ViewCommands.createProducerRouteFor, async (arg?: unknown) => {
      const t = asTarget(arg);
      await vscode.commands.executeCommand(Commands.createProducerRoute, t?.service ? { uri: t.uri, service: t.service, port: t.port } : undefined);
    }),
    vscode.commands.registerCommand(ViewCommands.createConsumerRouteFor, async (arg?: unknown) => {
      try {
        await createConsumerRoute(ctx, tree, arg);
      } catch (err) {
        ctx.output.error(`Create Consumer Route failed: ${(err as Error)?.stack ?? String(err)}`);
        void ctx.tellUser(`GAMMA Lens: Create Consumer Route failed: ${(err as Error)?.message ?? String(err)}`);
      }
    }),
  );
}
