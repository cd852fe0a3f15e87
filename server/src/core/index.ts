/** The pure core's public surface. */
export * from './text';
export * from './options';
export * from './model/types';
export { extractFile, isKustomizationPath, intValue } from './model/extract';
export type { DocumentSummary, ExtractedFile, Suppression } from './model/extract';
export { Workspace, serviceKey } from './index/snapshot';
export type { FileChange, IndexedFile, ServiceReference } from './index/snapshot';
export { dirname, joinPath } from './index/namespaces';
export * from './bindings/profiles';
export * from './bindings/resolve';
export * from './bindings/effective';
export * from './bindings/match';
export * from './bindings/explain';
export * from './bindings/report';
export * from './analyzers/index';
export type { ReadProblem, SkipReason } from './yaml/documents';
