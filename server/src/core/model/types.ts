/**
 * The slim resource model: what the engine needs from each Kubernetes object, with the spans it
 * reports on. No `yaml` trees are kept here, so a workspace of 100k documents stays small.
 */
import type { Field } from '../yaml/access';
import type { Span } from '../text';

export type { Field };

export type RouteKind = 'HTTPRoute' | 'GRPCRoute' | 'TLSRoute' | 'TCPRoute' | 'UDPRoute';
export const ROUTE_KINDS: readonly RouteKind[] = ['HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute'];

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';
export const LINKERD_POLICY_GROUP = 'policy.linkerd.io';
export const MULTICLUSTER_GROUP = 'multicluster.x-k8s.io';

/** Where an object's namespace came from (CONTRACT §3). */
export type NamespaceSource = 'kustomization' | 'metadata' | 'default' | 'cluster';

/** What every indexed object has. */
export interface ObjectBase {
  /** File path (POSIX style, as the runtime gave it). */
  readonly file: string;
  /** Position of the `---` document in the file. */
  readonly docIndex: number;
  /** Position of the object among the objects of its document (a `kind: List` holds several). */
  readonly itemIndex: number;
  /** The whole document (or list item). */
  readonly span: Span;
  readonly apiVersion: string;
  readonly group: string;
  readonly version: string;
  readonly name: string;
  readonly nameField?: Field<string>;
  /** `metadata.namespace` as written. */
  readonly metadataNamespace?: Field<string>;
  /** The namespace the object lives in once kustomizations and the default are applied. */
  readonly namespace: string;
  readonly namespaceSource: NamespaceSource;
  readonly creationTimestamp?: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Codes disabled by the `gamma-lens.io/disable` annotation. */
  readonly disabledCodes: readonly string[];
}

export interface ServicePort {
  readonly span: Span;
  readonly index: number;
  readonly port?: Field<number>;
  readonly name?: Field<string>;
  readonly targetPort?: Field<number | string>;
  readonly protocol?: string;
  readonly appProtocol?: string;
}

export interface ServiceObject extends ObjectBase {
  readonly kind: 'Service';
  readonly type: string;
  readonly typeField?: Field<string>;
  readonly clusterIP?: Field<string>;
  readonly externalName?: string;
  readonly ports: readonly ServicePort[];
  readonly portsSpan?: Span;
}

/** A ServiceImport (multi-cluster), which may be a parent or a backend. */
export interface ServiceImportObject extends ObjectBase {
  readonly kind: 'ServiceImport';
  readonly ports: readonly ServicePort[];
}

/** One `parentRefs` entry. Fields are as written (no defaults applied). */
export interface ParentRefNode {
  readonly index: number;
  readonly span: Span;
  /** `group` when the key is present; value `null` when present but empty (`group:`). */
  readonly group?: Field<string | null>;
  readonly kind?: Field<string>;
  readonly name?: Field<string>;
  readonly namespace?: Field<string>;
  readonly port?: Field<unknown>;
  readonly sectionName?: Field<string>;
}

export interface BackendRefNode {
  readonly span: Span;
  readonly ruleIndex: number;
  readonly index: number;
  /** True for the `backendRef` of a RequestMirror filter. */
  readonly mirror: boolean;
  readonly group?: Field<string | null>;
  readonly kind?: Field<string>;
  readonly name?: Field<string>;
  readonly namespace?: Field<string>;
  readonly port?: Field<unknown>;
  readonly weight?: Field<unknown>;
}

export type StringMatchType = 'Exact' | 'PathPrefix' | 'RegularExpression' | string;

export interface HeaderMatch {
  readonly type: string;
  readonly name: string;
  readonly value: string;
}

export interface HttpMatch {
  readonly span?: Span;
  readonly path?: { readonly type: StringMatchType; readonly value: string };
  readonly method?: string;
  readonly headers: readonly HeaderMatch[];
  readonly queryParams: readonly HeaderMatch[];
}

export interface GrpcMatch {
  readonly span?: Span;
  readonly method?: { readonly type: string; readonly service?: string; readonly method?: string };
  readonly headers: readonly HeaderMatch[];
}

export interface RouteFilter {
  readonly type: string;
  readonly span: Span;
  /** RequestRedirect `statusCode`, when the filter is a redirect. */
  readonly redirectStatus?: number;
}

export interface RouteRule {
  readonly index: number;
  /** The rule entry; for the rule the CRD adds to a route without `rules`, the route's `spec`. */
  readonly span: Span;
  readonly name?: string;
  /** `undefined` when `matches` is absent (the rule matches every request). */
  readonly httpMatches?: readonly HttpMatch[];
  readonly grpcMatches?: readonly GrpcMatch[];
  readonly filters: readonly RouteFilter[];
  readonly backendRefs: readonly BackendRefNode[];
  /** True when the key `backendRefs` is present (even if empty). */
  readonly hasBackendRefsKey: boolean;
  /** True for the rule the API server adds when `rules` is missing. */
  readonly defaulted: boolean;
}

export interface RouteObject extends ObjectBase {
  readonly kind: RouteKind;
  /** `policy.linkerd.io` HTTPRoutes are Linkerd's own resource; only the linkerd profile binds them. */
  readonly linkerdPolicy: boolean;
  readonly parentRefs: readonly ParentRefNode[];
  readonly parentRefsSpan?: Span;
  readonly hostnames?: Field<readonly string[]>;
  readonly rules: readonly RouteRule[];
  /** Mirror backends and rule backends, in document order. */
  readonly backendRefs: readonly BackendRefNode[];
}

export interface GatewayListener {
  readonly name?: string;
  readonly port?: number;
  readonly protocol?: string;
  readonly hostname?: string;
}

export interface GatewayObject extends ObjectBase {
  readonly kind: 'Gateway';
  readonly gatewayClassName?: string;
  readonly listeners: readonly GatewayListener[];
}

export interface GatewayClassObject extends ObjectBase {
  readonly kind: 'GatewayClass';
  readonly controllerName?: string;
}

export interface ReferenceGrantFrom {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
}

export interface ReferenceGrantTo {
  readonly group: string;
  readonly kind: string;
  readonly name?: string;
}

export interface ReferenceGrantObject extends ObjectBase {
  readonly kind: 'ReferenceGrant';
  readonly from: readonly ReferenceGrantFrom[];
  readonly to: readonly ReferenceGrantTo[];
}

export interface NamespaceObject extends ObjectBase {
  readonly kind: 'Namespace';
}

export interface KustomizationObject extends ObjectBase {
  readonly kind: 'Kustomization';
  /** `namespace:` set by the kustomization. */
  readonly setNamespace?: string;
  readonly resources: readonly string[];
}

/** Any other Kubernetes object: kept only for document symbols and counts. */
export interface OtherObject extends ObjectBase {
  readonly kind: string;
  readonly other: true;
}

export type K8sObject =
  | ServiceObject
  | ServiceImportObject
  | RouteObject
  | GatewayObject
  | GatewayClassObject
  | ReferenceGrantObject
  | NamespaceObject
  | KustomizationObject
  | OtherObject;

const ROUTE_KIND_SET: ReadonlySet<string> = new Set(ROUTE_KINDS);

export function isRoute(o: K8sObject): o is RouteObject {
  return ROUTE_KIND_SET.has(o.kind) && !('other' in o);
}

export function isService(o: K8sObject): o is ServiceObject {
  return o.kind === 'Service' && !('other' in o);
}

/** `Kind/namespace/name`, the id the CLI prints. Cluster-scoped objects: `Kind/name`. */
export function objectId(o: Pick<K8sObject, 'kind' | 'namespace' | 'name'>): string {
  return o.namespace ? `${o.kind}/${o.namespace}/${o.name}` : `${o.kind}/${o.name}`;
}

export const CLUSTER_SCOPED_KINDS = new Set([
  'Namespace',
  'GatewayClass',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleBinding',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
  'Node',
  'IngressClass',
  'RuntimeClass',
  'XMesh',
]);

/** Kinds whose documents are parsed in full; the others are only counted. */
export const ENGINE_KINDS = new Set([
  'Service',
  'ServiceImport',
  'HTTPRoute',
  'GRPCRoute',
  'TCPRoute',
  'TLSRoute',
  'UDPRoute',
  'Gateway',
  'GatewayClass',
  'ReferenceGrant',
  'Namespace',
  'Kustomization',
  'List',
]);
