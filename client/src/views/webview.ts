/** What the two webview panels share: the HTML shell with a strict CSP, and opening a location the server sent. */
import * as vscode from 'vscode';
import type { ViewLocation } from '../../../server/src/protocol';

export function nonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < 32; i++) out += chars.charAt(Math.floor(Math.random() * chars.length));
  return out;
}

/**
 * The page: only our own stylesheet and one nonce'd script from `client/media`, nothing remote, no
 * inline script or style. `body` carries `data-view` so scripts and tests know which panel it is.
 */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, view: string, title: string, body: string): string {
  const media = (file: string): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'client', 'media', file)).toString();
  const n = nonce();
  const csp = [`default-src 'none'`, `img-src ${webview.cspSource} data:`, `style-src ${webview.cspSource}`, `font-src ${webview.cspSource}`, `script-src 'nonce-${n}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${media('common.css')}">
<link rel="stylesheet" href="${media(`${view}.css`)}">
<title>${title}</title>
</head>
<body data-view="${view}">
${body}
<script nonce="${n}" src="${media(`${view}.js`)}"></script>
</body>
</html>`;
}

export async function openLocation(location: ViewLocation | undefined): Promise<void> {
  if (!location) return;
  const uri = vscode.Uri.parse(location.uri);
  const r = location.range;
  const range = new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
  await vscode.window.showTextDocument(uri, { selection: range, viewColumn: vscode.ViewColumn.One, preserveFocus: false });
}
