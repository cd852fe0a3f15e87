/** Editor answers in editor terms (still LSP-free): one façade for the language server. */
export { getHover } from './hover';
export type { HoverResult } from './hover';
export { getCodeLenses, roleAt, serviceLensTitle } from './lens';
export type { Lens, LensAction } from './lens';
export { findDefinition, findReferences, documentSymbols, workspaceSymbols } from './navigation';
export type { FileSpan, SymbolInfo } from './navigation';
export { getCompletions } from './completion';
export type { CompletionEntry } from './completion';
export { producerRouteActions, consumerRouteActions, routeGeneratorActions, quickFixes, detectStyle, renderRoute, uniqueRouteName } from './actions';
export type { CodeAction } from './actions';
export { locate, objectAt } from './locate';
export { escapeMarkdown } from './markdown';
