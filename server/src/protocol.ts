/**
 * What the client and the server share: custom method names, their parameter and result types,
 * command ids and setting names. No imports, so both bundles (and tests) can include it; no method
 * name is written twice as a string literal anywhere else.
 */

/** Server → client notification: index state. `ready` is sent only once the diagnostics of that scan are published. */
export const StatusNotification = 'gammaLens/status';

export interface StatusParams {
  readonly state: 'indexing' | 'ready';
  /** Files indexed, over all workspace folders. */
  readonly files: number;
  /** Kubernetes objects indexed, over all workspace folders. */
  readonly resources: number;
}

/** Client → server request: the `gamma-lens bindings --format json` report, for one Service or everything. */
export const BindingsRequest = 'gammaLens/bindings';

export interface BindingsParams {
  /** A document URI: picks the workspace folder (and, with no `service`, that folder's whole report). */
  readonly uri?: string;
  /** `namespace/name` of one Service; searched in every folder when `uri` is absent. */
  readonly service?: string;
}

export interface BindingsResultService {
  readonly namespace: string;
  readonly name: string;
  readonly file: string;
  readonly ports: ReadonlyArray<{
    readonly port: number;
    readonly name: string | null;
    readonly producer: { readonly kind: string; readonly routes: readonly string[] } | null;
    readonly consumers: ReadonlyArray<{ readonly namespace: string; readonly kind: string; readonly routes: readonly string[] }>;
    readonly conflicted: readonly string[];
  }>;
}

export interface BindingsResult {
  readonly implementation?: string;
  readonly services: readonly BindingsResultService[];
}

/** Client → server request: where one request to a Service goes (the CLI's `explain` JSON). */
export const ExplainRequestMethod = 'gammaLens/explain';

export interface ExplainParams {
  readonly uri?: string;
  /** `namespace/name`. */
  readonly service: string;
  readonly port?: number;
  /** Caller namespace. */
  readonly from: string;
  readonly path?: string;
  readonly method?: string;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
}

/** The explain JSON, or an error message when the request cannot be explained (unknown Service, port). */
export type ExplainResultOrError = ({ readonly error?: undefined } & Record<string, unknown>) | { readonly error: string };

/** Client → server request: the Services known in the workspace, for pickers. */
export const ServicesRequest = 'gammaLens/services';

export interface ServicesParams {
  readonly uri?: string;
}

export interface ServiceSummary {
  readonly namespace: string;
  readonly name: string;
  readonly uri: string;
  readonly ports: ReadonlyArray<{ readonly port: number; readonly name: string | null }>;
}

/** Client → server request: a WorkspaceEdit creating a producer route for a Service (the command behind the lens). */
export const CreateProducerRouteRequest = 'gammaLens/createProducerRoute';

export interface CreateProducerRouteParams {
  readonly uri?: string;
  /** `namespace/name`. */
  readonly service: string;
  readonly port?: number;
}

/** Client → server request: what the object under the cursor does (for the language status item). */
export const RoleAtRequest = 'gammaLens/roleAt';

export interface RoleAtParams {
  readonly uri: string;
  readonly position: { readonly line: number; readonly character: number };
}

export interface RoleAtResult {
  /** E.g. `producer route for app-ns/svc-a:80 · applies to all callers`; null when the cursor is on nothing we know. */
  readonly text: string | null;
}

/** Command ids, contributed by the client (package.json `contributes.commands`) or used by lenses. */
export const Commands = {
  restartServer: 'gammaLens.restartServer',
  showOutput: 'gammaLens.showOutput',
  showBindings: 'gammaLens.showBindings',
  explainRequest: 'gammaLens.explainRequest',
  createProducerRoute: 'gammaLens.createProducerRoute',
  /** Lens command: args `[uri, position, locations]` (LSP shapes); the client opens the references peek. */
  showReferences: 'gammaLens.showReferences',
} as const;

/** Setting section read with `workspace/configuration`. */
export const ConfigSection = 'gammaLens';

/** The `gammaLens.*` settings, per workspace folder. */
export interface Settings {
  readonly enable: boolean;
  readonly defaultNamespace: string;
  readonly implementation: string;
  readonly crdChannel: string;
  readonly exclude: readonly string[];
  readonly maxFileSize: number;
  readonly diagnostics: { readonly severity: Readonly<Record<string, string>> };
  readonly codeLens: { readonly enable: boolean };
}

export const DEFAULT_SETTINGS: Settings = {
  enable: true,
  defaultNamespace: 'default',
  implementation: 'generic',
  crdChannel: 'standard',
  exclude: [],
  maxFileSize: 10 * 1024 * 1024,
  diagnostics: { severity: {} },
  codeLens: { enable: true },
};

/** Diagnostic `source`. */
export const DIAGNOSTIC_SOURCE = 'gamma-lens';

/** The `data` attached to each diagnostic: enough for a quick fix to find the finding again. */
export interface DiagnosticData {
  readonly code: string;
  /** The finding's span start and end (offsets in the file version the diagnostic was made from). */
  readonly start: number;
  readonly end: number;
  readonly version?: number;
  readonly payload?: Readonly<Record<string, unknown>>;
}

// ---------------------------------------------------------------------------------------------
// Views: the "Mesh bindings" tree, the binding map and the request explainer (handled in lsp/views.ts).

/** A place in a file, as LSP positions (0-based line, UTF-16 character). */
export interface ViewLocation {
  readonly uri: string;
  readonly range: { readonly start: { readonly line: number; readonly character: number }; readonly end: { readonly line: number; readonly character: number } };
}

/** Client → server request: the binding tree (namespaces → Services → ports → routes), over every folder. */
export const TreeRequest = 'gammaLens/tree';

export interface TreeParams {
  /** Only Services in this namespace (and unresolved refs from or to it). */
  readonly namespace?: string;
}

export interface TreeEntry {
  /** `producer` and `consumer` apply; `conflicted` lost the route kind conflict. */
  readonly role: 'producer' | 'consumer' | 'conflicted';
  /** Route id `Kind/namespace/name`. */
  readonly route: string;
  readonly kind: string;
  /** For consumers: the caller namespace. */
  readonly from?: string;
  readonly location?: ViewLocation;
}

export interface TreePort {
  readonly port: number;
  readonly name: string | null;
  readonly entries: readonly TreeEntry[];
}

export interface TreeService {
  readonly namespace: string;
  readonly name: string;
  readonly location?: ViewLocation;
  readonly ports: readonly TreePort[];
}

export interface TreeUnresolved {
  readonly type: 'parentRef' | 'backendRef';
  /** Route id. */
  readonly route: string;
  /** `namespace/name` of the Service named. */
  readonly target: string;
  readonly reason: string;
  readonly location?: ViewLocation;
}

export interface TreeResult {
  readonly namespaces: ReadonlyArray<{ readonly name: string; readonly services: readonly TreeService[] }>;
  readonly unresolved: readonly TreeUnresolved[];
}

/** Client → server request: the binding graph, laid out, as SVG and Mermaid. */
export const GraphRequest = 'gammaLens/graph';

export interface GraphParams {
  readonly uri?: string;
  /** `namespace/name`: centre on one Service. */
  readonly service?: string;
  readonly namespace?: string;
  /** SVG with its own colours (for a file export) instead of classes the page styles. */
  readonly standalone?: boolean;
  /** Above this many nodes the SVG is left out (`tooLarge`); default 1500. */
  readonly maxNodes?: number;
}

export interface GraphResultNode {
  readonly id: string;
  readonly type: 'gateway' | 'route' | 'service';
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly missing: boolean;
  readonly conflicted: boolean;
  readonly location?: ViewLocation;
}

export interface GraphResultEdge {
  readonly id: string;
  readonly type: 'parentRef' | 'backendRef';
  readonly role: 'gateway' | 'producer' | 'consumer' | 'unbound' | 'backend';
  readonly route: string;
  readonly target: string;
  readonly label: string;
  readonly location?: ViewLocation;
}

export interface GraphResult {
  readonly scope: string;
  readonly nodes: readonly GraphResultNode[];
  readonly edges: readonly GraphResultEdge[];
  /** Empty when `tooLarge`. */
  readonly svg: string;
  /** The `gamma-lens bindings --format mermaid` text for the same scope. */
  readonly mermaid: string;
  readonly tooLarge: boolean;
  /** Namespaces present, for the filter. */
  readonly namespaces: readonly string[];
}

/** Client → server request: the explain result with a location per step, candidate and backend (the explainer panel). */
export const ExplainViewRequest = 'gammaLens/explainView';

export interface ExplainViewResult {
  readonly service: string;
  readonly port: number;
  readonly from: string;
  readonly audience: 'consumer' | 'producer' | 'default';
  readonly routes: readonly string[];
  readonly match: { readonly route: string; readonly rule: number } | null;
  readonly status: number | null;
  readonly implementation: string;
  readonly backends: ReadonlyArray<{ readonly service: string; readonly port: number | null; readonly weight: number; readonly kind?: string; readonly location?: ViewLocation }>;
  readonly steps: ReadonlyArray<{ readonly text: string; readonly location?: ViewLocation }>;
  readonly candidates: ReadonlyArray<{
    readonly route: string;
    readonly rule: number;
    readonly match: number;
    readonly matched: boolean;
    readonly winner: boolean;
    readonly why: string;
    readonly location?: ViewLocation;
  }>;
}

export type ExplainViewResultOrError = ExplainViewResult | { readonly error: string };

/** View and command ids contributed by the client for the views. */
export const ViewIds = {
  bindingsTree: 'gammaLens.bindingsTree',
} as const;

export const ViewCommands = {
  showBindingMap: 'gammaLens.showBindingMap',
  refreshBindingsTree: 'gammaLens.refreshBindingsTree',
  filterBindingsTree: 'gammaLens.filterBindingsTree',
  clearBindingsTreeFilter: 'gammaLens.clearBindingsTreeFilter',
  openLocation: 'gammaLens.openLocation',
  /** Tree context menu: take a tree node (or `{service, port, uri}`). */
  createProducerRouteFor: 'gammaLens.createProducerRouteFor',
  createConsumerRouteFor: 'gammaLens.createConsumerRouteFor',
} as const;

/** Client → server request: a WorkspaceEdit creating a consumer route for callers in `from` (tree context menu). */
export const CreateConsumerRouteRequest = 'gammaLens/createConsumerRoute';

export interface CreateConsumerRouteParams {
  readonly uri?: string;
  /** `namespace/name`. */
  readonly service: string;
  readonly port?: number;
  /** The caller namespace the route is for. */
  readonly from: string;
}
