/** The "GAMMA Lens: ..." commands. Each asks the server through a custom request from protocol.ts. */
import * as vscode from 'vscode';
import type { Location as LspLocation, Position as LspPosition, WorkspaceEdit as LspWorkspaceEdit } from 'vscode-languageclient/node';
import { BindingsRequest, Commands, CreateProducerRouteRequest, ServicesRequest } from '../../server/src/protocol';
import type { BindingsResult, CreateProducerRouteParams, ServiceSummary } from '../../server/src/protocol';
import type { Ctx } from './ctx';

function activeUri(): string | undefined {
  return vscode.window.activeTextEditor?.document.uri.toString();
}

/** Markdown-escapes text that came from a manifest. */
function md(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}

async function showMarkdown(content: string): Promise<void> {
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content });
  await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
}

async function pickService(ctx: Ctx, placeHolder: string): Promise<ServiceSummary | undefined> {
  const client = ctx.running();
  if (!client) return undefined;
  const services = await client.sendRequest<ServiceSummary[]>(ServicesRequest, { uri: activeUri() });
  if (services.length === 0) {
    void vscode.window.showInformationMessage('GAMMA Lens: no Services found in the workspace.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    services.map((s) => ({
      label: `${s.namespace}/${s.name}`,
      description: s.ports.map((p) => (p.name ? `${p.port} (${p.name})` : String(p.port))).join(', '),
      detail: vscode.workspace.asRelativePath(vscode.Uri.parse(s.uri)),
      service: s,
    })),
    { placeHolder, matchOnDescription: true },
  );
  return picked?.service;
}

export function renderBindings(result: BindingsResult): string {
  const lines: string[] = [];
  for (const s of result.services) {
    lines.push(`# Service ${md(`${s.namespace}/${s.name}`)}`, '');
    if (s.ports.length === 0) lines.push('No ports.', '');
    for (const p of s.ports) {
      lines.push(`## port ${p.port}${p.name ? ` (${md(p.name)})` : ''}`, '');
      lines.push(`- all callers: ${p.producer ? `producer ${md(p.producer.kind)} ${p.producer.routes.map(md).join(', ')}` : 'the Service endpoints (no producer route)'}`);
      for (const c of p.consumers) lines.push(`- callers in ${md(c.namespace)}: consumer ${md(c.kind)} ${c.routes.map(md).join(', ')}`);
      if (p.conflicted.length) lines.push(`- lost the route kind conflict: ${p.conflicted.map(md).join(', ')}`);
      lines.push('');
    }
  }
  lines.push('```json', JSON.stringify(result, null, 2), '```', '');
  return lines.join('\n');
}

async function showBindings(ctx: Ctx): Promise<void> {
  const svc = await pickService(ctx, 'Show the bindings of which Service?');
  const client = ctx.client;
  if (!svc || !client) return;
  const result = await client.sendRequest<BindingsResult>(BindingsRequest, { uri: svc.uri, service: `${svc.namespace}/${svc.name}` });
  await showMarkdown(renderBindings(result));
}

async function createProducerRoute(ctx: Ctx, args?: CreateProducerRouteParams): Promise<void> {
  let params = args;
  if (!params?.service) {
    const svc = await pickService(ctx, 'Create a producer HTTPRoute for which Service?');
    if (!svc) return;
    params = { uri: svc.uri, service: `${svc.namespace}/${svc.name}`, port: svc.ports.length > 1 ? undefined : svc.ports[0]?.port };
  }
  const client = ctx.running();
  if (!client) return;
  const edit = await client.sendRequest<LspWorkspaceEdit | null>(CreateProducerRouteRequest, params);
  if (!edit) {
    void vscode.window.showWarningMessage(`GAMMA Lens: could not create a producer route for ${params.service}.`);
    return;
  }
  const converted = await client.protocol2CodeConverter.asWorkspaceEdit(edit);
  if (!(await vscode.workspace.applyEdit(converted))) void vscode.window.showErrorMessage('GAMMA Lens: the edit could not be applied.');
}

async function showReferences(ctx: Ctx, uri: string, position: LspPosition, locations: LspLocation[]): Promise<void> {
  const client = ctx.client;
  if (!client) return;
  const c = client.protocol2CodeConverter;
  await vscode.commands.executeCommand('editor.action.showReferences', c.asUri(uri), c.asPosition(position), await Promise.all(locations.map((l) => c.asLocation(l))));
}

/** Runs a command and reports failures instead of letting them vanish. */
function safe<A extends unknown[]>(ctx: Ctx, name: string, fn: (...args: A) => Promise<void>) {
  return async (...args: A): Promise<void> => {
    try {
      await fn(...args);
    } catch (err) {
      ctx.output.error(`${name} failed: ${(err as Error)?.stack ?? String(err)}`);
      void ctx.tellUser(`GAMMA Lens: ${name} failed: ${(err as Error)?.message ?? String(err)}`);
    }
  };
}

export function registerCommands(ctx: Ctx): void {
  ctx.push(
    vscode.commands.registerCommand(Commands.restartServer, safe(ctx, 'Restart Server', () => ctx.restart())),
    vscode.commands.registerCommand(Commands.showOutput, () => ctx.output.show(true)),
    vscode.commands.registerCommand(Commands.showBindings, safe(ctx, 'Show Bindings', () => showBindings(ctx))),
    // Commands.explainRequest opens the explainer panel: registered with the views (views/index.ts).
    vscode.commands.registerCommand(Commands.createProducerRoute, safe(ctx, 'Create Producer Route', (args?: CreateProducerRouteParams) => createProducerRoute(ctx, args))),
    vscode.commands.registerCommand(
      Commands.showReferences,
      safe(ctx, 'Show References', (uri: string, position: LspPosition, locations: LspLocation[]) => showReferences(ctx, uri, position, locations)),
    ),
  );
}
