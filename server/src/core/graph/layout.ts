/**
 * A small deterministic layered layout for the binding graph, left to right the way traffic flows:
 * Gateway → route → backend Service, and parent Service → the route that takes its traffic over.
 * Cycles (a consumer route sending traffic back to its own parent) are drawn as back edges below
 * the nodes. Same input, same coordinates: the SVG export is testable and the webview shows the
 * same picture. Linear-ish in nodes and edges, so 1,000 nodes lay out in milliseconds.
 */
import type { BindingGraph, GraphEdge } from './model';

export interface NodeBox {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly layer: number;
}

export interface EdgePath {
  readonly id: string;
  /** SVG path data. */
  readonly d: string;
  readonly labelX: number;
  readonly labelY: number;
  /** Drawn against the flow (a cycle), below the nodes. */
  readonly back: boolean;
  /** Flow direction: the node the arrow leaves and the node it points at. */
  readonly from: string;
  readonly to: string;
}

export interface GraphLayout {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly NodeBox[];
  readonly edges: readonly EdgePath[];
}

export const NODE_HEIGHT = 48;
const GAP_X = 150;
const GAP_Y = 28;
const MARGIN = 20;
const CHAR_WIDTH = 7.2;

/** Node width from its longest text line (12px sans-serif is about 7px a character). */
export function nodeWidth(lines: readonly string[]): number {
  const longest = Math.max(...lines.map((l) => l.length));
  return Math.max(120, Math.ceil(longest * CHAR_WIDTH + 24));
}

/** Flow direction of an edge: parentRefs carry traffic from the parent to the route, backendRefs from the route on. */
export function flowOf(e: GraphEdge): { from: string; to: string } {
  return e.type === 'backendRef' ? { from: e.route, to: e.target } : { from: e.target, to: e.route };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

export function layoutGraph(graph: BindingGraph, textOf: (id: string) => readonly string[]): GraphLayout {
  const ids = graph.nodes.map((n) => n.id);
  const index = new Map(ids.map((id, i) => [id, i]));
  const out: number[][] = ids.map(() => []);
  const flows = graph.edges.map(flowOf);
  for (const f of flows) {
    const a = index.get(f.from);
    const b = index.get(f.to);
    if (a !== undefined && b !== undefined && a !== b && !out[a]!.includes(b)) out[a]!.push(b);
  }
  // Break cycles: iterative DFS, sources first, in node order; an edge to a node on the stack is a back edge.
  const indeg = ids.map(() => 0);
  for (const list of out) for (const b of list) indeg[b]!++;
  const state = ids.map(() => 0); // 0 new, 1 on stack, 2 done
  const dag: number[][] = ids.map(() => []);
  const starts = [...ids.keys()].sort((a, b) => (indeg[a] === 0 ? 0 : 1) - (indeg[b] === 0 ? 0 : 1) || a - b);
  for (const s of starts) {
    if (state[s] !== 0) continue;
    const stack: Array<[number, number]> = [[s, 0]];
    state[s] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [v, i] = top;
      if (i < out[v]!.length) {
        top[1]++;
        const w = out[v]![i]!;
        if (state[w] === 1) continue; // back edge
        dag[v]!.push(w);
        if (state[w] === 0) {
          state[w] = 1;
          stack.push([w, 0]);
        }
      } else {
        state[v] = 2;
        stack.pop();
      }
    }
  }
  // Longest-path layering (Kahn order).
  const layer = ids.map(() => 0);
  const din = ids.map(() => 0);
  for (const list of dag) for (const b of list) din[b]!++;
  const queue = [...ids.keys()].filter((i) => din[i] === 0);
  for (let q = 0; q < queue.length; q++) {
    const v = queue[q]!;
    for (const w of dag[v]!) {
      layer[w] = Math.max(layer[w]!, layer[v]! + 1);
      if (--din[w]! === 0) queue.push(w);
    }
  }
  const layerCount = ids.length ? Math.max(...layer) + 1 : 0;
  const layers: number[][] = Array.from({ length: layerCount }, () => []);
  for (const i of ids.keys()) layers[layer[i]!]!.push(i);
  // Order within layers: a few barycenter sweeps over the DAG edges, ties kept in node order.
  const pos = ids.map(() => 0);
  const setPos = (): void => layers.forEach((l) => l.forEach((v, k) => (pos[v] = k)));
  setPos();
  const preds: number[][] = ids.map(() => []);
  for (const [v, list] of dag.entries()) for (const w of list) preds[w]!.push(v);
  for (let sweep = 0; sweep < 4; sweep++) {
    const down = sweep % 2 === 0;
    const order = down ? layers.keys() : [...layers.keys()].reverse();
    for (const li of order) {
      const l = layers[li]!;
      const bary = new Map<number, number>();
      for (const v of l) {
        const ns = down ? preds[v]! : dag[v]!;
        bary.set(v, ns.length ? ns.reduce((s, w) => s + pos[w]!, 0) / ns.length : pos[v]!);
      }
      l.sort((a, b) => bary.get(a)! - bary.get(b)! || pos[a]! - pos[b]! || a - b);
      l.forEach((v, k) => (pos[v] = k));
    }
  }
  // Coordinates.
  const widths = ids.map((id) => nodeWidth(textOf(id)));
  const layerWidth = layers.map((l) => Math.max(0, ...l.map((v) => widths[v]!)));
  const tallest = Math.max(0, ...layers.map((l) => l.length));
  const hasBack = flows.some((f) => {
    const a = index.get(f.from);
    const b = index.get(f.to);
    return a !== undefined && b !== undefined && layer[b]! <= layer[a]!;
  });
  const boxes: NodeBox[] = new Array<NodeBox>(ids.length);
  let x = MARGIN;
  for (const [li, l] of layers.entries()) {
    const offset = ((tallest - l.length) * (NODE_HEIGHT + GAP_Y)) / 2;
    for (const [k, v] of l.entries()) {
      const w = widths[v]!;
      boxes[v] = { id: ids[v]!, x: round(x + (layerWidth[li]! - w) / 2), y: round(MARGIN + offset + k * (NODE_HEIGHT + GAP_Y)), width: w, height: NODE_HEIGHT, layer: li };
    }
    x += layerWidth[li]! + GAP_X;
  }
  const contentHeight = tallest * (NODE_HEIGHT + GAP_Y) - GAP_Y;
  const bottom = MARGIN + contentHeight;
  const width = Math.ceil(x - GAP_X + MARGIN);
  let backLane = 0;
  const edges: EdgePath[] = [];
  for (const [i, e] of graph.edges.entries()) {
    const f = flows[i]!;
    const a = boxes[index.get(f.from)!]!;
    const b = boxes[index.get(f.to)!]!;
    if (b.layer > a.layer) {
      const x1 = a.x + a.width;
      const y1 = a.y + a.height / 2;
      const x2 = b.x;
      const y2 = b.y + b.height / 2;
      const dx = Math.max(30, (x2 - x1) / 2);
      edges.push({ id: e.id, d: `M${round(x1)},${round(y1)} C${round(x1 + dx)},${round(y1)} ${round(x2 - dx)},${round(y2)} ${round(x2)},${round(y2)}`, labelX: round((x1 + x2) / 2), labelY: round((y1 + y2) / 2 - 4), back: false, from: f.from, to: f.to });
    } else {
      // Against the flow: leave the bottom of the source, loop under everything, enter the bottom of the target.
      backLane++;
      const x1 = a.x + a.width / 2;
      const y1 = a.y + a.height;
      const x2 = b.x + b.width / 2 + (x1 === b.x + b.width / 2 ? 12 : 0);
      const y2 = b.y + b.height;
      const low = bottom + 18 * backLane;
      edges.push({ id: e.id, d: `M${round(x1)},${round(y1)} C${round(x1)},${round(low)} ${round(x2)},${round(low)} ${round(x2)},${round(y2)}`, labelX: round((x1 + x2) / 2), labelY: round(low - 4 - (backLane - 1) * 4), back: true, from: f.from, to: f.to });
    }
  }
  const height = Math.ceil(bottom + MARGIN + (hasBack ? 18 * backLane + 10 : 0));
  return { width: ids.length ? width : 2 * MARGIN, height: ids.length ? height : 2 * MARGIN, nodes: boxes, edges };
}
