import type { Analyzer, TextEdit } from './types';
import { insertKey } from './edits';
import { resolvedRoutes } from './routes';
import { finding, serviceRelated } from './util';

/** Inserts `""` after the colon of a key whose value is empty (`group:`). */
function nullValueEdit(file: string, text: string, keyEnd: number): TextEdit[] {
  let at = keyEnd;
  while (text[at] === ' ' || text[at] === '\t') at++;
  if (text[at] !== ':') return [];
  return [{ file, span: { start: at + 1, end: at + 1 }, newText: ' ""' }];
}

export const parentGroupMissing: Analyzer = {
  code: 'parent-group-missing',
  defaultSeverity: 'error',
  summary: '`kind: Service` parentRef without `group` (defaults to the Gateway API group, so it binds nothing)',
  reads: 'routes',
  analyze(ctx) {
    const out = [];
    for (const { route, parents } of resolvedRoutes(ctx)) {
      for (const p of parents) {
        if (p.target !== 'service' || p.groupState !== 'missing') continue;
        const ref = p.ref;
        const span = ref.group?.keySpan ?? ref.span;
        const fixes = ref.group
          ? [{ title: 'Set group: ""', preferred: true, edits: nullValueEdit(route.file, ctx.file.text, ref.group.keySpan?.end ?? ref.group.span.end) }]
          : [{ title: 'Add group: "" (the core API group)', preferred: true, edits: [insertKey(route.file, ctx.file.text, ref.span, 'group', '""')] }];
        out.push(
          finding(
            this.code,
            this.defaultSeverity,
            route.file,
            span,
            `parentRef to Service ${p.namespace}/${p.name} has no group: the API server defaults it to gateway.networking.k8s.io, so it names a Gateway API "Service" that does not exist and the route binds nothing. Set group: "" for the core Service.`,
            { data: { route: `${route.kind}/${route.namespace}/${route.name}`, parentIndex: ref.index }, related: serviceRelated(p.service), fixes },
          ),
        );
      }
    }
    return out;
  },
};
