/**
 * One thin adapter per LSP request: find the snapshot, convert positions to offsets, call the core
 * feature, convert the answer back. Every handler runs inside `runSafe`.
 */
import type {
  CodeAction,
  CodeLens,
  CompletionItem,
  Connection,
  Definition,
  DocumentSymbol,
  Hover,
  Location,
  SymbolInformation,
  TextEdit as LspTextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver/node';
import { CompletionItemKind, InsertTextFormat, MarkupKind, SymbolKind } from 'vscode-languageserver/node';
import type { TextEdit } from '../core/analyzers/types';
import { ExplainError, explain } from '../core/bindings/explain';
import { bindingsReport, serviceReport } from '../core/bindings/report';
import type { IndexedFile, Workspace } from '../core/index/snapshot';
import {
  documentSymbols,
  findDefinition,
  findReferences,
  getCodeLenses,
  getCompletions,
  getHover,
  producerRouteActions,
  quickFixes,
  roleAt,
  routeGeneratorActions,
  workspaceSymbols,
} from '../core/features/index';
import type { CompletionEntry, FileSpan, SymbolInfo } from '../core/features/index';
import { BindingsRequest, Commands, CreateProducerRouteRequest, DIAGNOSTIC_SOURCE, ExplainRequestMethod, RoleAtRequest, ServicesRequest } from '../protocol';
import type {
  BindingsParams,
  BindingsResult,
  CreateProducerRouteParams,
  ExplainParams,
  ExplainResultOrError,
  RoleAtParams,
  RoleAtResult,
  ServiceSummary,
  ServicesParams,
} from '../protocol';
import { pathToUri, toLocation, toRange, toSpan, uriToPath } from './convert';
import type { Folder, Indexer } from './indexer';
import { runSafe } from './runSafe';

/** Test-only fault injection: `GAMMA_LENS_TEST_FAULT=hover` makes that feature throw. */
const FAULTS = new Set((process.env.GAMMA_LENS_TEST_FAULT ?? '').split(',').filter(Boolean));

function fault(feature: string): void {
  if (FAULTS.has(feature)) throw new Error(`injected fault in ${feature} (GAMMA_LENS_TEST_FAULT)`);
}

interface At {
  readonly folder: Folder;
  readonly ws: Workspace;
  readonly path: string;
  readonly file: IndexedFile;
}

function toLocations(ws: Workspace, spans: readonly FileSpan[]): Location[] {
  const out: Location[] = [];
  for (const s of spans) {
    const l = toLocation(ws, s.file, s.span);
    if (l) out.push(l);
  }
  return out;
}

/** Groups offset edits into a WorkspaceEdit. */
export function toWorkspaceEdit(ws: Workspace, edits: readonly TextEdit[]): WorkspaceEdit {
  const changes: Record<string, LspTextEdit[]> = {};
  for (const e of edits) {
    const file = ws.file(e.file);
    if (!file) continue;
    (changes[pathToUri(e.file)] ??= []).push({ range: toRange(file, e.span), newText: e.newText });
  }
  return { changes };
}

const SYMBOL_KINDS: Record<string, SymbolKind> = {
  Service: SymbolKind.Class,
  HTTPRoute: SymbolKind.Interface,
  GRPCRoute: SymbolKind.Interface,
  TCPRoute: SymbolKind.Interface,
  TLSRoute: SymbolKind.Interface,
  UDPRoute: SymbolKind.Interface,
  Gateway: SymbolKind.Module,
  Namespace: SymbolKind.Namespace,
  port: SymbolKind.Number,
  parentRef: SymbolKind.Field,
  backendRef: SymbolKind.Field,
};

const COMPLETION_KINDS: Record<CompletionEntry['kind'], CompletionItemKind> = {
  service: CompletionItemKind.Class,
  namespace: CompletionItemKind.Module,
  port: CompletionItemKind.Value,
  value: CompletionItemKind.Value,
  snippet: CompletionItemKind.Snippet,
  key: CompletionItemKind.Property,
};

export function registerFeatures(connection: Connection, indexer: Indexer): void {
  const log = { error: (m: string) => connection.console.error(m) };

  const at = (uri: string): At | undefined => {
    const path = uriToPath(uri);
    if (!path) return undefined;
    const folder = indexer.folderFor(path);
    const ws = indexer.applyPending(folder);
    const file = ws.file(path);
    return file ? { folder, ws, path, file } : undefined;
  };

  /** The folder that holds Service `ns/name` (the uri's folder first). */
  const findService = (service: string, uri?: string) => {
    const i = service.indexOf('/');
    const ns = i > 0 ? service.slice(0, i) : 'default';
    const name = i > 0 ? service.slice(i + 1) : service;
    const p = uri ? uriToPath(uri) : undefined;
    const first = p ? [indexer.folderFor(p)] : [];
    for (const folder of [...first, ...indexer.folders, indexer.loose]) {
      const ws = indexer.applyPending(folder);
      const svc = ws.service(ns, name);
      if (svc) return { folder, ws, svc };
    }
    return undefined;
  };

  connection.onHover(
    runSafe(log, 'hover', null, (params): Hover | null => {
      fault('hover');
      const a = at(params.textDocument.uri);
      if (!a) return null;
      const h = getHover(a.ws, a.path, toSpan(a.file, { start: params.position, end: params.position }).start);
      return h ? { contents: { kind: MarkupKind.Markdown, value: h.markdown }, range: toRange(a.file, h.span) } : null;
    }),
  );

  connection.onCodeLens(
    runSafe(log, 'codeLens', [] as CodeLens[], (params): CodeLens[] => {
      fault('codeLens');
      const a = at(params.textDocument.uri);
      if (!a || !a.folder.settings.codeLens.enable || !a.folder.settings.enable) return [];
      return getCodeLenses(a.ws, a.path).map((l): CodeLens => {
        const range = toRange(a.file, l.span);
        switch (l.action.kind) {
          case 'references':
            return {
              range,
              command: { title: l.title, command: Commands.showReferences, arguments: [params.textDocument.uri, range.start, toLocations(a.ws, l.action.locations)] },
            };
          case 'createProducerRoute':
            return { range, command: { title: l.title, command: Commands.createProducerRoute, arguments: [{ uri: params.textDocument.uri, service: l.action.service, port: l.action.port }] } };
          default:
            return { range, command: { title: l.title, command: '' } };
        }
      });
    }),
  );

  connection.onCodeAction(
    runSafe(log, 'codeAction', [] as CodeAction[], (params): CodeAction[] => {
      fault('codeAction');
      const a = at(params.textDocument.uri);
      if (!a) return [];
      const only = params.context.only;
      const wants = (kind: string): boolean => !only || only.some((k) => kind === k || kind.startsWith(`${k}.`));
      const out: CodeAction[] = [];
      if (wants('quickfix')) {
        const ours = params.context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE && typeof d.code === 'string');
        const fixes = ours.length
          ? quickFixes(
              indexer.findings(a.folder, a.ws, a.path),
              ours.map((d) => ({ code: String(d.code), span: toSpan(a.file, d.range) })),
            )
          : [];
        ours.forEach((d, i) => {
          for (const fix of fixes[i] ?? []) {
            out.push({ title: fix.title, kind: 'quickfix', diagnostics: [d], isPreferred: fix.preferred, edit: toWorkspaceEdit(a.ws, fix.edits) });
          }
        });
      }
      if (wants('refactor')) {
        for (const g of routeGeneratorActions(a.ws, a.path, toSpan(a.file, params.range))) {
          out.push({ title: g.title, kind: 'refactor', edit: toWorkspaceEdit(a.ws, g.edits) });
        }
      }
      return out;
    }),
  );

  connection.onDefinition(
    runSafe(log, 'definition', [] as Location[], (params): Definition => {
      fault('definition');
      const a = at(params.textDocument.uri);
      if (!a) return [];
      return toLocations(a.ws, findDefinition(a.ws, a.path, toSpan(a.file, { start: params.position, end: params.position }).start));
    }),
  );

  connection.onReferences(
    runSafe(log, 'references', [] as Location[], (params): Location[] => {
      fault('references');
      const a = at(params.textDocument.uri);
      if (!a) return [];
      const offset = toSpan(a.file, { start: params.position, end: params.position }).start;
      return toLocations(a.ws, findReferences(a.ws, a.path, offset, params.context.includeDeclaration));
    }),
  );

  connection.onDocumentSymbol(
    runSafe(log, 'documentSymbol', [] as DocumentSymbol[], (params): DocumentSymbol[] => {
      fault('documentSymbol');
      const a = at(params.textDocument.uri);
      if (!a) return [];
      const convert = (s: SymbolInfo): DocumentSymbol => ({
        name: s.name,
        detail: s.kind,
        kind: SYMBOL_KINDS[s.kind] ?? SymbolKind.Object,
        range: toRange(a.file, s.span),
        selectionRange: toRange(a.file, s.selection),
        children: s.children?.map(convert),
      });
      return documentSymbols(a.ws, a.path).map(convert);
    }),
  );

  connection.onWorkspaceSymbol(
    runSafe(log, 'workspaceSymbol', [] as SymbolInformation[], (params): SymbolInformation[] => {
      fault('workspaceSymbol');
      const out: SymbolInformation[] = [];
      for (const folder of [...indexer.folders, indexer.loose]) {
        const ws = indexer.applyPending(folder);
        for (const s of workspaceSymbols(ws, params.query, 500 - out.length)) {
          const location = toLocation(ws, s.file, s.selection);
          if (location) out.push({ name: s.name, kind: SYMBOL_KINDS[s.kind] ?? SymbolKind.Object, location, containerName: s.namespace });
        }
        if (out.length >= 500) break;
      }
      return out;
    }),
  );

  connection.onCompletion(
    runSafe(log, 'completion', [] as CompletionItem[], (params): CompletionItem[] => {
      fault('completion');
      const path = uriToPath(params.textDocument.uri);
      if (!path) return [];
      const folder = indexer.folderFor(path);
      const ws = indexer.applyPending(folder);
      const file = ws.file(path);
      if (!file) return [];
      const offset = toSpan(file, { start: params.position, end: params.position }).start;
      return getCompletions(ws, path, file.text, offset).map(
        (e): CompletionItem => ({
          label: e.label,
          kind: COMPLETION_KINDS[e.kind],
          detail: e.detail,
          sortText: e.sortText,
          insertTextFormat: e.snippet ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
          textEdit: { range: toRange(file, e.replace), newText: e.insertText },
        }),
      );
    }),
  );

  connection.onRequest(
    BindingsRequest,
    runSafe(log, BindingsRequest, { services: [] } as BindingsResult, (params: BindingsParams): BindingsResult => {
      if (params.service) {
        const found = findService(params.service, params.uri);
        return found ? { implementation: found.ws.options.implementation, services: [serviceReport(found.ws, found.svc)] } : { services: [] };
      }
      const p = params.uri ? uriToPath(params.uri) : undefined;
      const folders = p ? [indexer.folderFor(p)] : [...indexer.folders, indexer.loose];
      const services = folders.flatMap((f) => bindingsReport(indexer.applyPending(f)).services);
      return { implementation: folders[0]?.ws.options.implementation, services };
    }),
  );

  connection.onRequest(
    ExplainRequestMethod,
    runSafe(log, ExplainRequestMethod, { error: 'internal error' } as ExplainResultOrError, (params: ExplainParams): ExplainResultOrError => {
      const found = findService(params.service, params.uri);
      if (!found) return { error: `Service ${params.service} is not in the workspace` };
      try {
        const i = params.service.indexOf('/');
        const result = explain(found.ws, {
          service: { namespace: found.svc.namespace, name: i > 0 ? params.service.slice(i + 1) : params.service },
          port: params.port,
          from: params.from,
          path: params.path,
          method: params.method,
          headers: params.headers,
        });
        return { ...result } as unknown as ExplainResultOrError;
      } catch (err) {
        if (err instanceof ExplainError) return { error: err.message };
        throw err;
      }
    }),
  );

  connection.onRequest(
    ServicesRequest,
    runSafe(log, ServicesRequest, [] as ServiceSummary[], (params: ServicesParams): ServiceSummary[] => {
      const p = params?.uri ? uriToPath(params.uri) : undefined;
      const folders = p ? [indexer.folderFor(p)] : [...indexer.folders, indexer.loose];
      const out: ServiceSummary[] = [];
      for (const f of folders) {
        for (const s of indexer.applyPending(f).services()) {
          out.push({ namespace: s.namespace, name: s.name, uri: pathToUri(s.file), ports: s.ports.filter((x) => x.port).map((x) => ({ port: x.port!.value, name: x.name?.value ?? null })) });
        }
      }
      return out.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
    }),
  );

  connection.onRequest(
    RoleAtRequest,
    runSafe(log, RoleAtRequest, { text: null } as RoleAtResult, (params: RoleAtParams): RoleAtResult => {
      const a = at(params.uri);
      if (!a) return { text: null };
      return { text: roleAt(a.ws, a.path, toSpan(a.file, { start: params.position, end: params.position }).start) ?? null };
    }),
  );

  connection.onRequest(
    CreateProducerRouteRequest,
    runSafe(log, CreateProducerRouteRequest, null as WorkspaceEdit | null, (params: CreateProducerRouteParams): WorkspaceEdit | null => {
      const found = findService(params.service, params.uri);
      if (!found) return null;
      const action = producerRouteActions(found.ws, found.svc, params.port)[0];
      return action ? toWorkspaceEdit(found.ws, action.edits) : null;
    }),
  );
}
