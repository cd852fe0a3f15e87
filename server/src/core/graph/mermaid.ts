/**
 * The binding graph as a Mermaid flowchart (`gamma-lens bindings --format mermaid`): namespaces as
 * subgraphs, traffic edges solid (parent → route → backend), parentRef edges dashed back to the
 * parent, refs that bind nothing crossed out.
 */
import type { BindingGraph, GraphNode } from './model';

function label(text: string): string {
  return `"${text.replace(/"/g, '#quot;')}"`;
}

function nodeLine(n: GraphNode): string {
  const text = label(n.label);
  if (n.type === 'route') return `${n.mermaidId}[${text}]`;
  if (n.type === 'gateway') return `${n.mermaidId}{{${text}}}`;
  return n.missing ? `${n.mermaidId}[(${text})]:::missing` : `${n.mermaidId}[(${text})]`;
}

export function graphMermaid(graph: BindingGraph): string {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const byNs = new Map<string, string[]>();
  for (const n of graph.nodes) byNs.set(n.namespace, [...(byNs.get(n.namespace) ?? []), nodeLine(n)]);
  const edges: string[] = [];
  for (const e of graph.edges) {
    const r = byId.get(e.route)!.mermaidId;
    const t = byId.get(e.target)!.mermaidId;
    switch (e.role) {
      case 'gateway':
      case 'producer':
      case 'consumer':
        edges.push(`${t} --> ${r}`, `${r} -. ${label(e.label)} .-> ${t}`);
        break;
      case 'unbound':
        edges.push(`${r} -. ${label(e.label)} .-x ${t}`);
        break;
      case 'backend':
        edges.push(e.label ? `${r} -- ${label(e.label)} --> ${t}` : `${r} --> ${t}`);
        break;
    }
  }
  const out = ['flowchart LR', '  classDef missing stroke-dasharray: 4 2,stroke:#d33;'];
  for (const ns of [...byNs.keys()].sort()) {
    out.push(`  subgraph ${ns.replace(/[^A-Za-z0-9_]/g, '_') || 'cluster'}[${label(ns || 'cluster')}]`);
    for (const line of byNs.get(ns)!.sort()) out.push(`    ${line}`);
    out.push('  end');
  }
  for (const e of [...new Set(edges)]) out.push(`  ${e}`);
  return `${out.join('\n')}\n`;
}
