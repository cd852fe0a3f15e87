import type { Analyzer, Finding } from './types';
import { resolvedRoutes } from './routes';
import { finding, serviceRelated } from './util';

export const parentGroupWrong: Analyzer = {
  code: 'parent-group-wrong',
  defaultSeverity: 'error',
  summary: '`kind: Service` parentRef with a group other than `""` and `core`: binds nothing',
  reads: 'routes',
  analyze(ctx) {
    const out: Finding[] = [];
    for (const { route, parents } of resolvedRoutes(ctx)) {
      for (const p of parents) {
        if (p.target !== 'service' || p.groupState !== 'other' || !p.ref.group) continue;
        out.push(
          finding(
            this.code,
            this.defaultSeverity,
            route.file,
            p.ref.group.span,
            `group: ${String(p.ref.group.value)} has no kind Service, so this parentRef names nothing and the route does not bind ${p.namespace}/${p.name}. Services are in the core API group: group: "".`,
            { data: { parentIndex: p.ref.index }, related: serviceRelated(p.service), fixes: [{ title: 'Replace with group: ""', preferred: true, edits: [{ file: route.file, span: p.ref.group.span, newText: '""' }] }] },
          ),
        );
      }
    }
    return out;
  },
};
