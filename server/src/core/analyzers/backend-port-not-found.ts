import { intValue } from '../model/extract';
import type { Analyzer, Finding } from './types';
import { backendLabel, portList, resolvesAsService, ruleLevelBackends } from './routes';
import { didYouMean, finding } from './util';

export const backendPortNotFound: Analyzer = {
  code: 'backend-port-not-found',
  defaultSeverity: 'warning',
  summary: 'a backendRef `port` matches no port of the Service',
  reads: 'routes',
  analyze(ctx) {
    const out: Finding[] = [];
    for (const { route, b, t } of ruleLevelBackends(ctx)) {
      const svc = t.service;
      if (!resolvesAsService(t, ctx.profile) || !svc || !b.port || svc.type === 'ExternalName') continue;
      const written = intValue(b.port.value);
      if (written !== undefined && svc.ports.some((sp) => sp.port !== undefined && sp.port.value === written)) {
        if (typeof b.port.value === 'string') {
          // `port: "80"` names the port, but the CRD field is an integer: the API server rejects the route.
          out.push(
            finding(this.code, this.defaultSeverity, route.file, b.port.span, `backendRef port ${JSON.stringify(b.port.value)} is a string, but the CRD's port field is an integer, so the API server rejects this route. Write ${written} without quotes.`, {
              data: { ruleIndex: b.ruleIndex, backendIndex: b.index, mirror: b.mirror, written: b.port.value, suggestion: written, quoted: true },
              fixes: [{ title: `Write port: ${written}`, preferred: true, edits: [{ file: route.file, span: b.port.span, newText: String(written) }] }],
            }),
          );
        }
        continue;
      }
      const ports = svc.ports.filter((sp) => sp.port !== undefined);
      const byTarget = written === undefined ? undefined : ports.find((sp) => sp.targetPort?.value === written || sp.targetPort?.value === String(written));
      let fixTo: number | undefined;
      let message: string;
      if (written === undefined) {
        message = `backendRef port ${JSON.stringify(b.port.value)} is not a port number; Service ${svc.namespace}/${svc.name} ports are ${portList(svc)}.`;
      } else if (byTarget) {
        fixTo = byTarget.port!.value;
        message = `port ${written} is the targetPort of ${svc.name}'s port ${fixTo}; a backendRef port means the Service port, so this ${backendLabel(b)} reaches nothing (500 for its share of requests). Use port ${fixTo}.`;
      } else {
        const guess = didYouMean(String(written), ports.map((sp) => String(sp.port!.value)));
        fixTo = guess === undefined ? (ports.length === 1 ? ports[0]!.port!.value : undefined) : Number(guess);
        message = `Service ${svc.namespace}/${svc.name} has no port ${written} (its ports: ${portList(svc)}), so this ${backendLabel(b)} reaches nothing (500 for its share of requests).${guess ? ` Did you mean ${guess}?` : ''}`;
      }
      const portNode = byTarget ?? ports.find((sp) => sp.port!.value === fixTo);
      out.push(
        finding(this.code, this.defaultSeverity, route.file, b.port.span, message, {
          data: { ruleIndex: b.ruleIndex, backendIndex: b.index, mirror: b.mirror, written: b.port.value, suggestion: fixTo, targetPort: byTarget !== undefined },
          related: [{ file: svc.file, span: portNode?.span ?? svc.portsSpan ?? svc.nameField?.span ?? svc.span, message: portNode ? `Service port ${portNode.port!.value}` : `Service ${svc.namespace}/${svc.name}` }],
          fixes: fixTo !== undefined ? [{ title: `Change port to ${fixTo}`, preferred: true, edits: [{ file: route.file, span: b.port.span, newText: String(fixTo) }] }] : [],
        }),
      );
    }
    return out;
  },
};
