import type { Analyzer, Finding } from './types';
import { removeLines } from './edits';
import { routeRecognised, routesOf } from './routes';
import { finding } from './util';

export const meshHostnamesIgnored: Analyzer = {
  code: 'mesh-hostnames-ignored',
  defaultSeverity: 'info',
  summary: 'an HTTPRoute or GRPCRoute with `hostnames` whose parents are all Services (hostnames do nothing there)',
  reads: 'routes',
  analyze(ctx) {
    const out: Finding[] = [];
    for (const route of routesOf(ctx)) {
      if (route.kind !== 'HTTPRoute' && route.kind !== 'GRPCRoute') continue;
      if (!routeRecognised(ctx, route) || !route.hostnames || route.hostnames.value.length === 0) continue;
      if (route.parentRefs.length === 0 || !route.parentRefs.every((p) => p.kind?.value === 'Service')) continue;
      const h = route.hostnames;
      const pair = { start: h.keySpan?.start ?? h.span.start, end: h.span.end };
      out.push(
        finding(
          this.code,
          this.defaultSeverity,
          route.file,
          h.keySpan ?? h.span,
          `hostnames (${h.value.join(', ')}) do nothing on a route whose parents are all Services: mesh routes match the traffic sent to the Service (its cluster IP or name), not the Host header (GEP-1294), so every request to the Service is routed whatever its host.`,
          {
            data: { hostnames: h.value },
            fixes: [{ title: 'Remove the ignored hostnames', preferred: true, edits: [removeLines(route.file, ctx.file.text, pair)] }],
          },
        ),
      );
    }
    return out;
  },
};
