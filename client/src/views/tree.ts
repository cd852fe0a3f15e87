/**
 * The "Mesh bindings" tree (Explorer): Namespace → Service → port → the routes that take its traffic
 * over (producer, consumer per caller namespace, conflicted), plus the references that resolve to
 * nothing. Refreshes on every `gammaLens/status` ready; a namespace filter narrows it.
 */
import * as vscode from 'vscode';
import { State } from 'vscode-languageclient/node';
import { TreeRequest, ViewCommands, ViewIds } from '../../../server/src/protocol';
import type { TreeEntry, TreePort, TreeResult, TreeService, TreeUnresolved, ViewLocation } from '../../../server/src/protocol';
import type { Ctx } from '../ctx';

export type Node =
  | { readonly type: 'namespace'; readonly name: string; readonly services: readonly TreeService[] }
  | { readonly type: 'service'; readonly service: TreeService }
  | { readonly type: 'port'; readonly service: TreeService; readonly port: TreePort }
  | { readonly type: 'entry'; readonly service: TreeService; readonly port: TreePort; readonly entry: TreeEntry }
  | { readonly type: 'default'; readonly service: TreeService; readonly port: TreePort }
  | { readonly type: 'unresolvedGroup'; readonly refs: readonly TreeUnresolved[] }
  | { readonly type: 'unresolved'; readonly ref: TreeUnresolved };

/** What tree commands get as argument: enough to act on a Service (and port). */
export interface ServiceTarget {
  readonly service: string;
  readonly port?: number;
  readonly uri?: string;
  /** Caller namespace, for the explainer. */
  readonly from?: string;
}

export function targetOf(node: Node | undefined): ServiceTarget | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'service':
      return { service: `${node.service.namespace}/${node.service.name}`, uri: node.service.location?.uri };
    case 'entry':
      // A consumer route: explain a request from its namespace (the panel runs it at once).
      return { service: `${node.service.namespace}/${node.service.name}`, port: node.port.port, uri: node.service.location?.uri, ...(node.entry.from ? { from: node.entry.from } : {}) };
    case 'port':
    case 'default':
      return { service: `${node.service.namespace}/${node.service.name}`, port: node.port.port, uri: node.service.location?.uri };
    case 'unresolved':
      return { service: node.ref.target };
    default:
      return undefined;
  }
}

export function locationOf(node: Node | undefined): ViewLocation | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'service':
    case 'port':
    case 'default':
      return node.service.location;
    case 'entry':
      return node.entry.location;
    case 'unresolved':
      return node.ref.location;
    default:
      return undefined;
  }
}

function shortRoute(id: string): string {
  const parts = id.split('/');
  return parts.length === 3 ? parts[2]! : id;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function portSummary(p: TreePort): string {
  const producer = p.entries.filter((e) => e.role === 'producer').length;
  const consumers = new Set(p.entries.filter((e) => e.role === 'consumer').map((e) => e.from)).size;
  const conflicted = p.entries.filter((e) => e.role === 'conflicted').length;
  const parts: string[] = [];
  if (producer) parts.push(plural(producer, 'producer route'));
  if (consumers) parts.push(`consumers from ${plural(consumers, 'namespace')}`);
  if (conflicted) parts.push(`${conflicted} conflicted`);
  return parts.length ? parts.join(', ') : 'default routing';
}

export class BindingsTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private data: TreeResult | undefined;
  private loading: Promise<TreeResult | undefined> | undefined;
  filter: string | undefined;
  view: vscode.TreeView<Node> | undefined;

  constructor(private readonly ctx: Ctx) {}

  dispose(): void {
    this.changed.dispose();
  }

  refresh(): void {
    this.data = undefined;
    this.loading = undefined;
    this.changed.fire(undefined);
  }

  /** Namespaces of the last answer (for the filter picker). */
  namespaces(): string[] {
    return [...this.known].sort();
  }

  private readonly known = new Set<string>();

  private async load(): Promise<TreeResult | undefined> {
    const client = this.ctx.client;
    if (!client || client.state !== State.Running) {
      if (this.view) this.view.message = 'Waiting for the GAMMA Lens language server…';
      return undefined;
    }
    this.loading ??= client.sendRequest<TreeResult>(TreeRequest, { namespace: this.filter }).then(
      (r) => {
        this.data = r;
        for (const n of r.namespaces) this.known.add(n.name);
        if (this.view) {
          const services = r.namespaces.reduce((s, n) => s + n.services.length, 0);
          this.view.message = services === 0 ? (this.filter ? `No Services in namespace ${this.filter}.` : 'No Kubernetes Services in the workspace.') : undefined;
          this.view.description = this.filter ? `namespace: ${this.filter}` : undefined;
        }
        return r;
      },
      (err: unknown) => {
        this.ctx.output.error(`${TreeRequest} failed: ${String(err)}`);
        this.loading = undefined;
        return undefined;
      },
    );
    return this.loading;
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) {
      const r = this.data ?? (await this.load());
      if (!r) return [];
      const out: Node[] = r.namespaces.map((n) => ({ type: 'namespace', name: n.name, services: n.services }));
      if (r.unresolved.length) out.push({ type: 'unresolvedGroup', refs: r.unresolved });
      return out;
    }
    switch (node.type) {
      case 'namespace':
        return node.services.map((service) => ({ type: 'service', service }));
      case 'service':
        return node.service.ports.map((port) => ({ type: 'port', service: node.service, port }));
      case 'port':
        return node.port.entries.length
          ? node.port.entries.map((entry) => ({ type: 'entry', service: node.service, port: node.port, entry }))
          : [{ type: 'default', service: node.service, port: node.port }];
      case 'unresolvedGroup':
        return node.refs.map((ref) => ({ type: 'unresolved', ref }));
      default:
        return [];
    }
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    const open = (loc: ViewLocation | undefined): vscode.Command | undefined => (loc ? { title: 'Open', command: ViewCommands.openLocation, arguments: [loc] } : undefined);
    let item: vscode.TreeItem;
    switch (node.type) {
      case 'namespace': {
        item = new vscode.TreeItem(node.name, this.filter ? C.Expanded : C.Collapsed);
        item.id = `ns:${node.name}`;
        item.iconPath = new vscode.ThemeIcon('symbol-namespace');
        item.description = plural(node.services.length, 'Service');
        item.contextValue = 'gammaLens.namespace';
        break;
      }
      case 'service': {
        const s = node.service;
        const bound = s.ports.filter((p) => p.entries.some((e) => e.role !== 'conflicted')).length;
        item = new vscode.TreeItem(s.name, C.Collapsed);
        item.id = `svc:${s.namespace}/${s.name}`;
        item.iconPath = new vscode.ThemeIcon(bound ? 'server-process' : 'server', bound ? new vscode.ThemeColor('charts.orange') : undefined);
        item.description = s.ports.length ? `${plural(s.ports.length, 'port')}${bound ? `, ${bound} routed` : ''}` : 'no ports';
        item.tooltip = `Service ${s.namespace}/${s.name}`;
        item.contextValue = 'gammaLens.service';
        item.command = open(s.location);
        break;
      }
      case 'port': {
        const p = node.port;
        item = new vscode.TreeItem(`port ${p.port}${p.name ? ` (${p.name})` : ''}`, C.Expanded);
        item.id = `port:${node.service.namespace}/${node.service.name}:${p.port}`;
        item.iconPath = new vscode.ThemeIcon('plug');
        item.description = portSummary(p);
        item.contextValue = 'gammaLens.port';
        break;
      }
      case 'entry': {
        const e = node.entry;
        const name = shortRoute(e.route);
        const label = e.role === 'producer' ? `producer: ${name}` : e.role === 'consumer' ? `consumer from ${e.from}: ${name}` : `conflicted: ${name}`;
        item = new vscode.TreeItem(label, C.None);
        item.id = `entry:${node.service.namespace}/${node.service.name}:${node.port.port}:${e.role}:${e.from ?? ''}:${e.route}`;
        item.iconPath =
          e.role === 'producer'
            ? new vscode.ThemeIcon('arrow-right', new vscode.ThemeColor('charts.orange'))
            : e.role === 'consumer'
              ? new vscode.ThemeIcon('arrow-swap', new vscode.ThemeColor('charts.purple'))
              : new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
        item.description = e.role === 'conflicted' ? `${e.kind}, lost the route kind conflict` : e.kind;
        item.tooltip =
          e.role === 'producer'
            ? `${e.route} takes over port ${node.port.port} for every caller without a consumer route`
            : e.role === 'consumer'
              ? `${e.route} takes over port ${node.port.port} for callers in ${e.from}`
              : `${e.route} binds port ${node.port.port} but another route kind wins: it does not apply`;
        item.contextValue = 'gammaLens.route';
        item.command = open(e.location);
        break;
      }
      case 'default': {
        item = new vscode.TreeItem('default: the Service endpoints', C.None);
        item.id = `default:${node.service.namespace}/${node.service.name}:${node.port.port}`;
        item.iconPath = new vscode.ThemeIcon('circle-outline');
        item.description = 'no route binds this port';
        item.contextValue = 'gammaLens.port';
        break;
      }
      case 'unresolvedGroup': {
        item = new vscode.TreeItem('Unresolved references', C.Collapsed);
        item.id = 'unresolved';
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
        item.description = String(node.refs.length);
        break;
      }
      case 'unresolved': {
        const r = node.ref;
        item = new vscode.TreeItem(`${shortRoute(r.route)} → ${r.target}`, C.None);
        item.id = `ref:${r.type}:${r.route}:${r.target}:${r.location?.range.start.line ?? ''}`;
        item.iconPath = new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('problemsErrorIcon.foreground'));
        item.description = `${r.type}: ${r.reason}`;
        item.tooltip = `${r.route}: ${r.type} to ${r.target} binds nothing (${r.reason})`;
        item.contextValue = 'gammaLens.unresolved';
        item.command = open(r.location);
        break;
      }
    }
    return item;
  }
}

export function registerTree(ctx: Ctx): BindingsTree {
  const tree = new BindingsTree(ctx);
  const view = vscode.window.createTreeView(ViewIds.bindingsTree, { treeDataProvider: tree, showCollapseAll: true });
  tree.view = view;
  let timer: NodeJS.Timeout | undefined;
  ctx.push(
    tree,
    view,
    ctx.statusEvents.event((s) => {
      if (s.state !== 'ready') return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => tree.refresh(), 150);
    }),
    { dispose: () => timer && clearTimeout(timer) },
    vscode.commands.registerCommand(ViewCommands.refreshBindingsTree, () => tree.refresh()),
    vscode.commands.registerCommand(ViewCommands.filterBindingsTree, async () => {
      const all = '$(clear-all) All namespaces';
      const picked = await vscode.window.showQuickPick([all, ...tree.namespaces()], { placeHolder: 'Show the Services of which namespace?' });
      if (picked === undefined) return;
      tree.filter = picked === all ? undefined : picked;
      await vscode.commands.executeCommand('setContext', 'gammaLens.bindingsTreeFiltered', tree.filter !== undefined);
      tree.refresh();
    }),
    vscode.commands.registerCommand(ViewCommands.clearBindingsTreeFilter, async () => {
      tree.filter = undefined;
      await vscode.commands.executeCommand('setContext', 'gammaLens.bindingsTreeFiltered', false);
      tree.refresh();
    }),
  );
  return tree;
}
