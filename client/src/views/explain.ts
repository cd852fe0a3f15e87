/**
 * The request explainer: pick a Service, port and caller namespace, type a path, method and
 * headers; the panel shows the audience, every candidate rule in precedence order with why it
 * matched or not, the winner, the backends with weights and the status, each line linked to the
 * YAML behind it. The answer is the engine's `explain`, the same the CLI prints.
 */
import * as vscode from 'vscode';
import { State } from 'vscode-languageclient/node';
import { ExplainViewRequest, ServicesRequest } from '../../../server/src/protocol';
import type { ExplainParams, ExplainViewResultOrError, ServiceSummary, ViewLocation } from '../../../server/src/protocol';
import type { Ctx } from '../ctx';
import { openLocation, webviewHtml } from './webview';

/** What opens the panel pre-filled: a Service (and port, caller, request) from the tree, the map or a lens. */
export interface ExplainTarget {
  readonly service?: string;
  readonly port?: number;
  readonly uri?: string;
  readonly from?: string;
  readonly path?: string;
  readonly method?: string;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
}

type FromPage = { type: 'ready' } | { type: 'explain'; params: ExplainParams } | { type: 'open'; location: ViewLocation };

const BODY = `<form id="gl-explain-form" class="gl-form" autocomplete="off">
  <label>Service <select id="gl-service" name="service" required></select></label>
  <label>Port <select id="gl-port" name="port"></select></label>
  <label>Caller namespace <input id="gl-from" name="from" list="gl-namespaces" required spellcheck="false"></label>
  <datalist id="gl-namespaces"></datalist>
  <label>Method <select id="gl-method" name="method">
    <option>GET</option><option>POST</option><option>PUT</option><option>PATCH</option><option>DELETE</option><option>HEAD</option><option>OPTIONS</option>
  </select></label>
  <label class="gl-wide">Path <input id="gl-path" name="path" value="/" spellcheck="false"></label>
  <label class="gl-wide">Headers <textarea id="gl-headers" name="headers" rows="2" placeholder="one per line: name: value" spellcheck="false"></textarea></label>
  <button id="gl-run" type="submit">Explain</button>
</form>
<div id="gl-message" class="gl-message" role="status"></div>
<section id="gl-result" class="gl-result" aria-live="polite"></section>`;

export class ExplainPanel implements vscode.Disposable {
  private static current: ExplainPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;

  static show(ctx: Ctx, extensionUri: vscode.Uri, target: ExplainTarget = {}): ExplainPanel {
    if (ExplainPanel.current) {
      ExplainPanel.current.target = target;
      ExplainPanel.current.panel.reveal(undefined, false);
      if (ExplainPanel.current.ready) void ExplainPanel.current.init();
      return ExplainPanel.current;
    }
    const panel = vscode.window.createWebviewPanel('gammaLens.explain', 'Explain a request', vscode.ViewColumn.Beside, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'client', 'media')],
    });
    ExplainPanel.current = new ExplainPanel(ctx, panel, target);
    panel.webview.html = webviewHtml(panel.webview, extensionUri, 'explain', 'Explain a request', BODY);
    return ExplainPanel.current;
  }

  private constructor(
    private readonly ctx: Ctx,
    readonly panel: vscode.WebviewPanel,
    private target: ExplainTarget,
  ) {
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: FromPage) => void this.onMessage(m).catch((err: unknown) => this.ctx.output.error(`explain panel: ${String(err)}`))),
    );
  }

  dispose(): void {
    if (ExplainPanel.current === this) ExplainPanel.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  /** Sends the Services for the pickers and the pre-filled request; runs it when it names a caller. */
  private async init(): Promise<void> {
    const client = this.ctx.client;
    if (!client || client.state !== State.Running) {
      void this.panel.webview.postMessage({ type: 'message', text: 'The GAMMA Lens language server is not running.' });
      return;
    }
    const services = await client.sendRequest<ServiceSummary[]>(ServicesRequest, { uri: this.target.uri });
    void this.panel.webview.postMessage({ type: 'init', services, target: this.target });
  }

  private async onMessage(m: FromPage): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        await this.init();
        return;
      case 'open':
        await openLocation(m.location);
        return;
      case 'explain': {
        const client = this.ctx.client;
        if (!client || client.state !== State.Running) return;
        const result = await client.sendRequest<ExplainViewResultOrError>(ExplainViewRequest, m.params);
        void this.panel.webview.postMessage({ type: 'result', result, params: m.params });
        return;
      }
    }
  }
}
