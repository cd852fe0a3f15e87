import type { Analyzer, Finding, Fix } from './types';
import { insertKey } from './edits';
import { backendLabel, resolvesAsService, ruleLevelBackends } from './routes';
import { finding } from './util';

export const backendPortMissing: Analyzer = {
  code: 'backend-port-missing',
  defaultSeverity: 'error',
  summary: 'a Service backendRef without `port`',
  reads: 'routes',
  analyze(ctx) {
    const out: Finding[] = [];
    for (const { route, b, t } of ruleLevelBackends(ctx)) {
      if (!resolvesAsService(t, ctx.profile) || b.port) continue;
      const svc = t.service;
      const ports = svc?.ports.filter((sp) => sp.port !== undefined) ?? [];
      const fixes: Fix[] = ports.map((sp) => ({
        title: `Add port: ${sp.port!.value}${sp.name ? ` (${sp.name.value})` : ''}`,
        preferred: ports.length === 1,
        edits: [insertKey(route.file, ctx.file.text, b.span, 'port', String(sp.port!.value))],
      }));
      out.push(
        finding(
          this.code,
          this.defaultSeverity,
          route.file,
          b.span,
          `This ${backendLabel(b)} names Service ${t.namespace}/${t.name} without a port: ${
            t.state === 'core-empty'
              ? 'the Gateway API requires port when the backend is a Service (CEL: "Must have port for Service reference"), so the API server rejects the route'
              : 'with group: core the CRD cannot tell that it is a Service, but implementations still need the port (Istio: "port is required in backendRef"), so this backend gets no traffic'
          }${ports.length ? ` (the Service's ports: ${ports.map((sp) => sp.port!.value).join(', ')})` : ''}.`,
          {
            data: { ruleIndex: b.ruleIndex, backendIndex: b.index, mirror: b.mirror, service: `${t.namespace}/${t.name}`, ports: ports.map((sp) => sp.port!.value) },
            related: svc?.nameField ? [{ file: svc.file, span: svc.portsSpan ?? svc.nameField.span, message: `ports of Service ${svc.namespace}/${svc.name}` }] : [],
            fixes,
          },
        ),
      );
    }
    return out;
  },
};
