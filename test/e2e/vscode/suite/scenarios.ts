/**
 * The end-to-end scenarios through the `vscode` API (CONTRACT §5), run inside a real extension host with the
 * extension under development. The workspace holds copies of examples/seed-article (`seed/`) and
 * test/fixtures/e2e/mesh (`mesh/`). Waits poll a condition (a provider result, the diagnostics) with a deadline.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseAllDocuments } from 'yaml';

const SVC_A_LENS = 'overridden by 1 producer route (route-b) · 1 consumer route (dev-ns/route-c)';
const F1 = 'seed/01-gateway-route-a.yaml';
const F2 = 'seed/02-producer-route-b.yaml';
const F3 = 'seed/03-consumer-route-c.yaml';
const CANARY = 'mesh/routes/cart-canary.yaml';
const SERVICES = 'mesh/services.yaml';

function root(): string {
  const folder = process.env.GL_E2E_WORKSPACE ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!folder) throw new Error('no workspace folder open');
  return folder;
}

function uri(rel: string): vscode.Uri {
  return vscode.Uri.file(path.join(root(), rel));
}

function rel(u: vscode.Uri): string {
  return path.relative(root(), u.fsPath).split(path.sep).join('/');
}

/** Polls `probe` until it returns something truthy, or fails with `what` after `timeoutMs`. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 30000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function open(file: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(uri(file));
  await vscode.window.showTextDocument(doc);
  return doc;
}

/** The position `delta` characters after the start of the nth occurrence of `find`. */
function positionOf(doc: vscode.TextDocument, find: string, nth = 1, delta = 0): vscode.Position {
  const text = doc.getText();
  let at = -1;
  for (let i = 0; i < nth; i++) {
    at = text.indexOf(find, at + 1);
    if (at < 0) throw new Error(`${JSON.stringify(find)} (${nth}) not in ${rel(doc.uri)}`);
  }
  return doc.positionAt(at + delta);
}

function code(d: vscode.Diagnostic): string {
  return String(typeof d.code === 'object' ? d.code.value : d.code);
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)))
    .join('\n')
    .replace(/[`*]/g, '');
}

async function lensTitles(file: string): Promise<{ line: number; title: string }[]> {
  const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri(file), 100)) ?? [];
  return lenses.map((l) => ({ line: l.range.start.line, title: l.command?.title ?? '' }));
}

function asLocation(l: vscode.Location | vscode.LocationLink): { uri: vscode.Uri; range: vscode.Range } {
  return 'targetUri' in l ? { uri: l.targetUri, range: l.targetSelectionRange ?? l.targetRange } : { uri: l.uri, range: l.range };
}

async function applyAction(action: vscode.CodeAction | vscode.Command): Promise<void> {
  if ('edit' in action && action.edit) assert.equal(await vscode.workspace.applyEdit(action.edit), true, 'applyEdit');
  const command = 'command' in action && typeof action.command === 'object' ? action.command : 'title' in action && typeof action.command === 'string' ? (action as vscode.Command) : undefined;
  if (command) await vscode.commands.executeCommand(command.command, ...(command.arguments ?? []));
}

type Doc = { kind?: string; metadata?: { name?: string; namespace?: string }; spec?: { parentRefs?: Record<string, unknown>[]; rules?: { backendRefs?: Record<string, unknown>[] }[] } };

export const SCENARIOS: [string, () => Promise<void>][] = [
  [
    'the extension activates on a YAML file',
    async () => {
      const ext = vscode.extensions.all.find((e) => e.packageJSON?.name === 'gamma-lens');
      assert.ok(ext, 'gamma-lens is installed');
      await open(F1);
      await waitFor('activation', () => ext.isActive);
    },
  ],
  [
    'CodeLens above svc-a names its producer and consumer routes',
    async () => {
      const doc = await open(F1);
      const line = positionOf(doc, '  name: svc-a', 2).line;
      const titles = await waitFor('the svc-a lens', async () => {
        const t = (await lensTitles(F1)).filter((l) => l.line === line).map((l) => l.title);
        return t.length ? t : undefined;
      });
      assert.deepEqual(titles, [SVC_A_LENS]);
    },
  ],
  [
    'hover on a parentRef names the role and the target',
    async () => {
      const doc = await open(F2);
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, positionOf(doc, 'name: svc-a', 1, 7));
      const text = hoverText(hovers);
      assert.match(text, /\bproducer\b/);
      assert.match(text, /app-ns\/svc-a/);
      assert.match(text, /\b80\b/);
      const consumer = await open(F3);
      const c = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', consumer.uri, positionOf(consumer, 'name: svc-a', 1, 7)));
      assert.match(c, /\bconsumer\b/);
      assert.match(c, /\bdev-ns\b/);
    },
  ],
  [
    "definition on a parentRef name lands on the Service's metadata.name",
    async () => {
      const doc = await open(F2);
      const defs = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', doc.uri, positionOf(doc, 'name: svc-a', 1, 7));
      assert.equal(defs.length, 1);
      const { uri: target, range } = asLocation(defs[0]);
      assert.equal(rel(target), F1);
      const svc = await vscode.workspace.openTextDocument(target);
      assert.equal(svc.getText(range), 'svc-a');
      assert.equal(range.start.line, positionOf(svc, '  name: svc-a', 2).line);
    },
  ],
  [
    "references on the Service's name list every parentRef and backendRef",
    async () => {
      const doc = await open(F1);
      const at = positionOf(doc, '  name: svc-a', 2, 8);
      const refs = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeReferenceProvider', doc.uri, at);
      // VS Code asks with includeDeclaration: true; the declaration itself may or may not be listed
      const others = refs.filter((r) => !(rel(r.uri) === F1 && r.range.contains(at)));
      assert.deepEqual(others.map((r) => rel(r.uri)).sort(), [F1, F2, F3, F3]);
      for (const r of others) assert.match((await vscode.workspace.openTextDocument(r.uri)).getText(r.range), /svc-a/);
    },
  ],
  [
    'a file never opened has its diagnostics',
    async () => {
      const diags = await waitFor('diagnostics of cart-canary.yaml', () => {
        const d = vscode.languages.getDiagnostics(uri(CANARY));
        return d.length >= 2 ? d : undefined;
      });
      assert.deepEqual(diags.map(code).sort(), ['parent-group-missing', 'parent-port-not-found']);
      assert.ok(diags.every((d) => d.source === 'gamma-lens'));
      assert.equal(vscode.workspace.textDocuments.some((d) => rel(d.uri) === CANARY), false, 'never opened');
      const port = diags.find((d) => code(d) === 'parent-port-not-found')!;
      assert.equal(rel(port.relatedInformation?.[0]?.location.uri ?? uri('none')), SERVICES);
    },
  ],
  [
    'an edit dropping group: "" is diagnosed and its quick fix repairs it',
    async () => {
      const doc = await open(F2);
      const start = positionOf(doc, '- group: ""');
      const edit = new vscode.WorkspaceEdit();
      edit.replace(doc.uri, new vscode.Range(start, positionOf(doc, 'kind: Service')), '- ');
      assert.equal(await vscode.workspace.applyEdit(edit), true);
      const diag = await waitFor('parent-group-missing on the edited route', () => vscode.languages.getDiagnostics(doc.uri).find((d) => code(d) === 'parent-group-missing'));
      assert.match(doc.getText(diag.range), /^kind: Service\n\s+name: svc-a/);
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, diag.range, vscode.CodeActionKind.QuickFix.value, 100);
      // vscode.executeCodeActionProvider does not always carry `diagnostics` over: then take the quick fix
      // offered on exactly that diagnostic's range
      const fix = actions.find((a) => a.diagnostics?.some((d) => code(d) === 'parent-group-missing')) ?? (actions.every((a) => !a.diagnostics?.length) ? actions[0] : undefined);
      assert.ok(fix, `quick fixes: ${JSON.stringify(actions.map((a) => a.title))}`);
      await applyAction(fix);
      await waitFor('parent-group-missing to clear', () => !vscode.languages.getDiagnostics(doc.uri).some((d) => code(d) === 'parent-group-missing'));
      const route = parseAllDocuments(doc.getText())[0].toJS() as Doc;
      assert.deepEqual(route.spec?.parentRefs, [{ group: '', kind: 'Service', name: 'svc-a', namespace: 'app-ns', port: 80 }]);
    },
  ],
  [
    '"Create producer HTTPRoute" adds a route that binds the Service',
    async () => {
      const doc = await open(SERVICES);
      const before = doc.getText();
      const at = positionOf(doc, 'name: lonely', 1, 7);
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, new vscode.Range(at, at), undefined, 100);
      const create = actions.find((a) => a.title === 'Create producer HTTPRoute for shop/lonely');
      assert.ok(create, `actions: ${JSON.stringify(actions.map((a) => a.title))}`);
      await applyAction(create);
      const docs = vscode.workspace.textDocuments.filter((d) => rel(d.uri).startsWith('mesh/')).flatMap((d) => parseAllDocuments(d.getText()).map((x) => x.toJS() as Doc));
      const routes = docs.filter((d) => d?.kind === 'HTTPRoute' && d.spec?.parentRefs?.some((p) => p.name === 'lonely'));
      assert.equal(routes.length, 1);
      const route = routes[0];
      assert.equal(route.metadata?.namespace, 'shop');
      assert.deepEqual(route.spec?.parentRefs, [{ group: '', kind: 'Service', name: 'lonely', port: 8080 }]);
      assert.equal(route.spec?.rules?.length, 1);
      assert.deepEqual(route.spec?.rules?.[0].backendRefs?.map((b) => [b.name, b.port]), [['lonely', 8080]]);
      assert.ok(doc.getText().startsWith(before.trimEnd()));
      const line = positionOf(doc, '  name: lonely').line;
      await waitFor('the lens of lonely to name the new route', async () => (await lensTitles(SERVICES)).some((l) => l.line === line && l.title === `overridden by 1 producer route (${route.metadata?.name})`));
    },
  ],
];
