import type { Analyzer, Finding } from './types';
import { resolvedRoutes } from './routes';
import { didYouMean, finding, otherNamespacesWithService, yamlScalar } from './util';

export const parentServiceNotFound: Analyzer = {
  code: 'parent-service-not-found',
  defaultSeverity: 'warning',
  summary: 'the Service named by a parentRef is not in the workspace',
  reads: 'routes',
  analyze(ctx) {
    const out: Finding[] = [];
    for (const { route, parents } of resolvedRoutes(ctx)) {
      for (const p of parents) {
        if (p.reason !== 'service-not-found' || !p.ref.name) continue;
        const inNamespace = ctx.ws.serviceNamesByNamespace().get(p.namespace) ?? [];
        const guess = didYouMean(p.name, inNamespace);
        let message = `Service ${p.namespace}/${p.name} is not in the workspace, so this ${p.role} route binds nothing here.`;
        if (guess) message += ` Did you mean ${guess}?`;
        else {
          // Per-snapshot index: a scan of every namespace's names per missing parent is quadratic at scale.
          const elsewhere = otherNamespacesWithService(ctx.ws, p.name, p.namespace);
          if (elsewhere) message += ` A Service ${p.name} exists in namespace ${elsewhere}${p.ref.namespace ? '' : '; the parentRef has no namespace, so it means the route\'s own namespace ' + route.namespace}.`;
        }
        const related = guess ? ctx.ws.service(p.namespace, guess) : undefined;
        out.push(
          finding(this.code, this.defaultSeverity, route.file, p.ref.name.span, message, {
            data: { parentIndex: p.ref.index, namespace: p.namespace, name: p.name, suggestion: guess },
            related: related?.nameField ? [{ file: related.file, span: related.nameField.span, message: `Service ${related.namespace}/${related.name}` }] : [],
            fixes: guess ? [{ title: `Change to ${guess}`, preferred: true, edits: [{ file: route.file, span: p.ref.name.span, newText: yamlScalar(guess) }] }] : [],
          }),
        );
      }
    }
    return out;
  },
};
