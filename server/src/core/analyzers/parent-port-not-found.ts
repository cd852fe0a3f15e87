import type { Analyzer, Finding } from './types';
import { resolvedRoutes } from './routes';
import { didYouMean, finding } from './util';

export const parentPortNotFound: Analyzer = {
  code: 'parent-port-not-found',
  defaultSeverity: 'warning',
  summary: '`port` matches no Service port (it may be a targetPort)',
  reads: 'routes',
  analyze(ctx) {
    const out: Finding[] = [];
    for (const { route, parents } of resolvedRoutes(ctx)) {
      for (const p of parents) {
        const svc = p.service;
        const raw = p.ref.port?.value;
        if (p.binds && p.ref.port && typeof raw === 'string' && /^[0-9]+$/.test(raw)) {
          // `port: "80"` selects the port here, but the CRD field is an integer: the API server rejects the route.
          out.push(
            finding(this.code, this.defaultSeverity, route.file, p.ref.port.span, `parentRef port ${JSON.stringify(raw)} is a string, but the CRD's port field is an integer, so the API server rejects this route. Write ${raw} without quotes.`, {
              data: { parentIndex: p.ref.index, written: raw, suggestion: Number(raw), quoted: true },
              fixes: [{ title: `Write port: ${raw}`, preferred: true, edits: [{ file: route.file, span: p.ref.port.span, newText: raw }] }],
            }),
          );
          continue;
        }
        if (p.reason !== 'port-not-found' || !svc || !p.ref.port) continue;
        const written = p.ref.port.value;
        const ports = svc.ports.filter((sp) => sp.port !== undefined);
        const list = ports.map((sp) => (sp.name ? `${sp.port!.value} (${sp.name.value})` : String(sp.port!.value))).join(', ') || 'none';
        const byTarget = ports.find((sp) => sp.targetPort?.value === written || (typeof written === 'number' && sp.targetPort?.value === String(written)));
        let message: string;
        let fixTo: number | undefined;
        if (typeof written !== 'number') {
          message = `parentRef port ${JSON.stringify(written)} is not a port number; the Service ${svc.namespace}/${svc.name} ports are ${list}. This route binds nothing.`;
        } else if (byTarget) {
          fixTo = byTarget.port!.value;
          message = `port ${written} is the targetPort of ${svc.name}'s port ${fixTo}; parentRef.port means the Service port, so this route binds nothing. Use port ${fixTo}.`;
        } else {
          const guess = didYouMean(String(written), ports.map((sp) => String(sp.port!.value)));
          fixTo = guess === undefined ? undefined : Number(guess);
          message = `Service ${svc.namespace}/${svc.name} has no port ${written} (its ports: ${list}), so this route binds nothing.${guess ? ` Did you mean ${guess}?` : ''}`;
        }
        const portNode = byTarget ?? ports.find((sp) => sp.port!.value === fixTo);
        out.push(
          finding(this.code, this.defaultSeverity, route.file, p.ref.port.span, message, {
            data: { parentIndex: p.ref.index, written, suggestion: fixTo, targetPort: byTarget !== undefined },
            related: [{ file: svc.file, span: portNode?.span ?? svc.portsSpan ?? svc.nameField?.span ?? svc.span, message: portNode ? `Service port ${portNode.port!.value}` : `Service ${svc.namespace}/${svc.name}` }],
            fixes: fixTo !== undefined ? [{ title: `Change port to ${fixTo}`, preferred: true, edits: [{ file: route.file, span: p.ref.port.span, newText: String(fixTo) }] }] : [],
          }),
        );
      }
    }
    return out;
  },
};
