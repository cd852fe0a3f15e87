/**
 * The binding graph as SVG, from the layered layout. The standalone export carries its own
 * colours; the editor's webview gets the same markup without them and styles the classes with the
 * theme's colours. Nodes and edges carry stable `data-*` ids for scripts and tests.
 */
import { layoutGraph } from './layout';
import type { GraphLayout } from './layout';
import type { BindingGraph, EdgeRole, GraphNode } from './model';

export interface SvgOptions {
  /** Embed colours and fonts (for a file export); false leaves styling to the page. */
  readonly standalone?: boolean;
}

/** Escapes text content and attribute values (`>` is legal in attribute values and stays, so edge ids read `a->b`). */
function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

/** The second line of a node: namespace and what is special about it. */
export function nodeSubtitle(n: GraphNode): string {
  const notes: string[] = [n.namespace || 'cluster'];
  if (n.missing) notes.push('not found');
  if (n.conflicted) notes.push('conflicted');
  if (n.overridden?.producer) notes.push('producer override');
  else if (n.overridden?.consumers.length) notes.push('consumer override');
  return notes.join(' · ');
}

export function nodeLines(n: GraphNode): readonly string[] {
  return [n.label, nodeSubtitle(n)];
}

const ROLES: readonly EdgeRole[] = ['gateway', 'producer', 'consumer', 'unbound', 'backend'];

const STANDALONE_STYLE = [
  '.gl-map{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;font-size:12px;background:#fff}',
  '.gl-node rect{fill:#f6f8fa;stroke:#57606a;stroke-width:1.2}',
  '.gl-node-gateway rect{fill:#ddf4ff;stroke:#0969da}',
  '.gl-node-route rect{fill:#fff8c5;stroke:#9a6700}',
  '.gl-node-service rect{fill:#dafbe1;stroke:#1a7f37}',
  '.gl-focus rect{stroke-width:3}',
  '.gl-missing rect{fill:#fff;stroke:#cf222e;stroke-dasharray:4 2}',
  '.gl-conflicted rect{stroke:#cf222e;stroke-width:2}',
  '.gl-node text{fill:#1f2328}',
  '.gl-node .gl-sub{fill:#57606a;font-size:10.5px}',
  '.gl-edge path{fill:none;stroke-width:1.6}',
  '.gl-edge text{font-size:10.5px;paint-order:stroke;stroke:#fff;stroke-width:3px}',
  '.gl-edge-gateway path{stroke:#0969da}.gl-edge-gateway text,.gl-marker-gateway{fill:#0969da}',
  '.gl-edge-producer path{stroke:#bc4c00;stroke-dasharray:6 3}.gl-edge-producer text,.gl-marker-producer{fill:#bc4c00}',
  '.gl-edge-consumer path{stroke:#8250df;stroke-dasharray:6 3}.gl-edge-consumer text,.gl-marker-consumer{fill:#8250df}',
  '.gl-edge-unbound path{stroke:#cf222e;stroke-dasharray:2 3}.gl-edge-unbound text,.gl-marker-unbound{fill:#cf222e}',
  '.gl-edge-backend path{stroke:#57606a}.gl-edge-backend text,.gl-marker-backend{fill:#57606a}',
].join('');

export function graphSvg(graph: BindingGraph, options: SvgOptions = {}, layout?: GraphLayout): string {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const lay = layout ?? layoutGraph(graph, (id) => nodeLines(byId.get(id)!));
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="gl-map" width="${lay.width}" height="${lay.height}" viewBox="0 0 ${lay.width} ${lay.height}" role="group" aria-label="Gateway API mesh bindings: ${graph.nodes.length} nodes, ${graph.edges.length} edges">`,
  );
  if (options.standalone) out.push(`<style>${STANDALONE_STYLE}</style>`, `<rect width="100%" height="100%" fill="#fff"/>`);
  out.push('<defs>');
  for (const role of ROLES) {
    out.push(`<marker id="gl-arrow-${role}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="gl-marker-${role}" d="${role === 'unbound' ? 'M1,1 L9,9 M9,1 L1,9' : 'M0,0 L10,5 L0,10 z'}"${role === 'unbound' ? ' stroke="#cf222e" stroke-width="2"' : ''}/></marker>`);
  }
  out.push('</defs>');
  const edgeById = new Map(graph.edges.map((e) => [e.id, e]));
  out.push('<g class="gl-edges">');
  for (const p of lay.edges) {
    const e = edgeById.get(p.id)!;
    const cls = `gl-edge gl-edge-${e.role}${p.back ? ' gl-back' : ''}`;
    const title = `${e.route} ${e.type} ${e.target}${e.label ? `: ${e.label}` : ''}`;
    out.push(
      `<g class="${cls}" data-edge-id="${esc(e.id)}" data-edge="${e.type}" data-edge-role="${e.role}" data-from="${esc(p.from)}" data-to="${esc(p.to)}"><title>${esc(title)}</title>` +
        `<path d="${p.d}" marker-end="url(#gl-arrow-${e.role})"/>` +
        (e.role === 'backend' && !e.label ? '' : `<text x="${p.labelX}" y="${p.labelY}" text-anchor="middle">${esc(edgeText(e.role, e.label, byId.get(e.route)))}</text>`) +
        '</g>',
    );
  }
  out.push('</g>', '<g class="gl-nodes">');
  const boxes = new Map(lay.nodes.map((b) => [b.id, b]));
  // Document order = Tab order: left to right, top to bottom, the way the picture reads.
  const reading = [...graph.nodes].sort((x, y) => boxes.get(x.id)!.layer - boxes.get(y.id)!.layer || boxes.get(x.id)!.y - boxes.get(y.id)!.y);
  for (const n of reading) {
    const b = boxes.get(n.id)!;
    const cls = `gl-node gl-node-${n.type}${n.missing ? ' gl-missing' : ''}${n.conflicted ? ' gl-conflicted' : ''}${n.focus ? ' gl-focus' : ''}`;
    const [title, sub] = nodeLines(n);
    const rx = n.type === 'service' ? 16 : n.type === 'gateway' ? 2 : 6;
    out.push(
      `<g class="${cls}" data-node-id="${esc(n.id)}" data-node-type="${n.type}" data-kind="${esc(n.kind)}" data-namespace="${esc(n.namespace)}" data-name="${esc(n.name)}" tabindex="0" role="button" aria-label="${esc(`${title}, ${sub}`)}" transform="translate(${b.x},${b.y})">` +
        `<title>${esc(nodeTooltip(n))}</title>` +
        `<rect width="${b.width}" height="${b.height}" rx="${rx}"/>` +
        `<text x="${b.width / 2}" y="20" text-anchor="middle" font-weight="600">${esc(title!)}</text>` +
        `<text class="gl-sub" x="${b.width / 2}" y="36" text-anchor="middle">${esc(sub!)}</text>` +
        '</g>',
    );
  }
  out.push('</g>', '</svg>');
  return `${out.join('\n')}\n`;
}

function nodeTooltip(n: GraphNode): string {
  const lines = [`${n.kind} ${n.namespace}/${n.name}${n.missing ? ' (not in the workspace)' : ''}`];
  if (n.overridden?.producer) lines.push('A producer route takes over its traffic for all callers without a consumer route.');
  if (n.overridden?.consumers.length) lines.push(`Consumer routes take over its traffic for callers in ${n.overridden.consumers.join(', ')}.`);
  if (n.conflicted) lines.push('Lost the route kind conflict on a port: it does not apply there.');
  return lines.join('\n');
}

/** Edge label in the picture: shorter than the Mermaid label, with the role spelled out. */
function edgeText(role: EdgeRole, label: string, route: GraphNode | undefined): string {
  switch (role) {
    case 'gateway':
      return 'gateway';
    case 'producer':
      return 'producer: all callers';
    case 'consumer':
      return `consumer: callers in ${route?.namespace ?? '?'}`;
    default:
      return label;
  }
}
