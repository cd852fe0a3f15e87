/**
 * The binding map: a webview drawing Gateways, routes and Services with their parentRef and
 * backendRef edges, laid out by the server (the same SVG `graphSvg` exports). Click or Enter on a
 * node opens its YAML; the map can be centred on one Service, filtered by namespace, and exported
 * as SVG or as the Mermaid text `gamma-lens bindings --format mermaid` prints.
 */
import * as vscode from 'vscode';
import { State } from 'vscode-languageclient/node';
import { GraphRequest } from '../../../server/src/protocol';
import type { GraphParams, GraphResult } from '../../../server/src/protocol';
import type { Ctx } from '../ctx';
import { openLocation, webviewHtml } from './webview';

export interface MapScope {
  /** `namespace/name`. */
  readonly service?: string;
  readonly namespace?: string;
  readonly uri?: string;
}

/** Messages from the page. */
type FromPage =
  | { type: 'ready' }
  | { type: 'open'; id: string }
  | { type: 'centre'; id: string }
  | { type: 'scope'; namespace?: string; whole?: boolean }
  | { type: 'export'; format: 'svg' | 'mermaid' }
  | { type: 'explain'; id: string };

const BODY = `<header class="gl-toolbar" role="toolbar" aria-label="Binding map">
  <span id="gl-scope" class="gl-scope" aria-live="polite"></span>
  <label>Namespace <select id="gl-namespace" aria-label="Filter by namespace"><option value="">all</option></select></label>
  <button id="gl-whole" type="button" title="Show every binding in the workspace">Whole workspace</button>
  <button id="gl-zoom-out" type="button" title="Zoom out" aria-label="Zoom out">−</button>
  <button id="gl-zoom-in" type="button" title="Zoom in" aria-label="Zoom in">+</button>
  <button id="gl-export-svg" type="button">Export SVG</button>
  <button id="gl-export-mermaid" type="button">Export Mermaid</button>
</header>
<ul class="gl-legend" aria-label="Legend">
  <li><span class="gl-swatch gl-swatch-gateway"></span>gateway</li>
  <li><span class="gl-swatch gl-swatch-producer"></span>producer parentRef</li>
  <li><span class="gl-swatch gl-swatch-consumer"></span>consumer parentRef</li>
  <li><span class="gl-swatch gl-swatch-unbound"></span>binds nothing</li>
  <li><span class="gl-swatch gl-swatch-backend"></span>backendRef</li>
  <li class="gl-hint">Click or Enter: open YAML · C: centre on a Service · E: explain a request</li>
</ul>
<div id="gl-message" class="gl-message" role="status"></div>
<main id="gl-canvas" class="gl-canvas"></main>`;

export class BindingMap implements vscode.Disposable {
  private static current: BindingMap | undefined;
  private graph: GraphResult | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  static show(ctx: Ctx, extensionUri: vscode.Uri, scope: MapScope): BindingMap {
    if (BindingMap.current) {
      BindingMap.current.scope = scope;
      BindingMap.current.panel.reveal(undefined, false);
      void BindingMap.current.update();
      return BindingMap.current;
    }
    const panel = vscode.window.createWebviewPanel('gammaLens.bindingMap', 'Binding map', vscode.ViewColumn.Beside, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'client', 'media')],
    });
    BindingMap.current = new BindingMap(ctx, panel, scope);
    panel.webview.html = webviewHtml(panel.webview, extensionUri, 'map', 'Binding map', BODY);
    return BindingMap.current;
  }

  /** Refreshes the open map, if any (after the index changed). */
  static refresh(): void {
    if (BindingMap.current?.panel.visible) void BindingMap.current.update();
  }

  private constructor(
    private readonly ctx: Ctx,
    readonly panel: vscode.WebviewPanel,
    private scope: MapScope,
  ) {
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: FromPage) => void this.onMessage(m).catch((err: unknown) => this.ctx.output.error(`binding map: ${String(err)}`))),
    );
  }

  dispose(): void {
    if (BindingMap.current === this) BindingMap.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private async request(params: GraphParams): Promise<GraphResult | undefined> {
    const client = this.ctx.client;
    if (!client || client.state !== State.Running) return undefined;
    return client.sendRequest<GraphResult>(GraphRequest, params);
  }

  private params(): GraphParams {
    return { uri: this.scope.uri, service: this.scope.service, namespace: this.scope.namespace };
  }

  async update(): Promise<void> {
    const graph = await this.request(this.params());
    if (!graph) {
      void this.panel.webview.postMessage({ type: 'message', text: 'The GAMMA Lens language server is not running.' });
      return;
    }
    this.graph = graph;
    this.panel.title = this.scope.service ? `Binding map: ${this.scope.service}` : 'Binding map';
    void this.panel.webview.postMessage({ type: 'graph', graph, namespace: this.scope.namespace ?? '' });
  }

  private async onMessage(m: FromPage): Promise<void> {
    switch (m.type) {
      case 'ready':
        await this.update();
        return;
      case 'open':
        await openLocation(this.graph?.nodes.find((n) => n.id === m.id)?.location);
        return;
      case 'centre': {
        const n = this.graph?.nodes.find((x) => x.id === m.id);
        if (n?.type !== 'service') return;
        this.scope = { service: `${n.namespace}/${n.name}`, uri: this.scope.uri };
        await this.update();
        return;
      }
      case 'explain': {
        const n = this.graph?.nodes.find((x) => x.id === m.id);
        if (n?.type !== 'service') return;
        await vscode.commands.executeCommand('gammaLens.explainRequest', { service: `${n.namespace}/${n.name}`, uri: n.location?.uri });
        return;
      }
      case 'scope':
        this.scope = m.whole ? { uri: this.scope.uri } : { ...this.scope, namespace: m.namespace || undefined };
        await this.update();
        return;
      case 'export':
        await this.export(m.format);
        return;
    }
  }

  private async export(format: 'svg' | 'mermaid'): Promise<void> {
    if (format === 'mermaid') {
      const text = this.graph?.mermaid ?? (await this.request(this.params()))?.mermaid;
      if (text === undefined) return;
      const doc = await vscode.workspace.openTextDocument({ language: 'mermaid', content: text }).then(undefined, () => vscode.workspace.openTextDocument({ content: text }));
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Active });
      return;
    }
    const graph = await this.request({ ...this.params(), standalone: true, maxNodes: 100000 });
    if (!graph) return;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = this.scope.service ? `bindings-${this.scope.service.replace(/[^A-Za-z0-9_.-]/g, '_')}.svg` : 'bindings.svg';
    const target = await vscode.window.showSaveDialog({ defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined, filters: { SVG: ['svg'] } });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(graph.svg));
    void vscode.window.showInformationMessage(`GAMMA Lens: binding map saved to ${vscode.workspace.asRelativePath(target)}.`);
  }
}
