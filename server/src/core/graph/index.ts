/** The binding graph: model, layout, Mermaid and SVG. */
export { buildGraph, mermaidNodeId } from './model';
export type { BindingGraph, EdgeRole, GraphEdge, GraphNode, GraphScope, NodeType } from './model';
export { layoutGraph, flowOf, nodeWidth, NODE_HEIGHT } from './layout';
export type { EdgePath, GraphLayout, NodeBox } from './layout';
export { graphMermaid } from './mermaid';
export { graphSvg, nodeLines, nodeSubtitle } from './svg';
export type { SvgOptions } from './svg';
