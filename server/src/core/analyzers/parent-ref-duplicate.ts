import { duplicateParentRefs } from '../bindings/resolve';
import { intValue } from '../model/extract';
import { GATEWAY_GROUP } from '../model/types';
import type { ParentRefNode } from '../model/types';
import type { Analyzer, Finding, Fix } from './types';
import { insertKey, removeLines } from './edits';
import { routesOf } from './routes';
import { finding, yamlScalar } from './util';

/** The parent a ref names, as the CEL rule compares it (namespace literally, defaults applied to group and kind). */
function parentKey(p: ParentRefNode): string {
  const group = p.group && p.group.value !== null ? p.group.value : GATEWAY_GROUP;
  return [group, p.kind?.value ?? 'Gateway', p.name?.value ?? '', p.namespace ? `=${p.namespace.value}` : '-'].join('\u0000');
}

function describe(p: ParentRefNode): string {
  const kind = p.kind?.value ?? 'Gateway';
  return `${kind} ${p.namespace ? `${p.namespace.value}/` : ''}${p.name?.value ?? '?'}`;
}

export const parentRefDuplicate: Analyzer = {
  code: 'parent-ref-duplicate',
  defaultSeverity: 'error',
  summary: 'two parentRefs of one route name the same parent and are not told apart by `sectionName` (CRD validation rejects the route)',
  reads: 'routes',
  analyze(ctx) {
    const channel = ctx.ws.options.crdChannel;
    const out: Finding[] = [];
    for (const route of routesOf(ctx)) {
      const duplicates = duplicateParentRefs(route, channel);
      if (duplicates.length === 0) continue;
      const bad = new Set(duplicates);
      const groups = new Map<string, ParentRefNode[]>();
      for (const p of route.parentRefs) if (bad.has(p.index)) groups.set(parentKey(p), [...(groups.get(parentKey(p)) ?? []), p]);
      for (const refs of groups.values()) {
        const [first, ...rest] = refs;
        if (!first) continue;
        // The fix for the common case: refs to one Service that differ only by port get the port names as sectionName.
        const fixes: Fix[] = [];
        const svc = first.kind?.value === 'Service' ? ctx.ws.service(first.namespace?.value ?? route.namespace, first.name?.value ?? '') : undefined;
        if (svc && refs.every((p) => !p.sectionName && p.port)) {
          const names = refs.map((p) => svc.ports.find((sp) => sp.port?.value === intValue(p.port?.value))?.name?.value);
          if (names.every((n): n is string => !!n) && new Set(names).size === names.length) {
            fixes.push({
              title: `Tell the refs apart by sectionName (${names.join(', ')})`,
              preferred: true,
              edits: refs.map((p, i) => insertKey(route.file, ctx.file.text, p.span, 'sectionName', yamlScalar(names[i]!))),
            });
          }
        }
        // Exact copies of the first ref: removing them changes nothing else.
        const same = (p: ParentRefNode): boolean =>
          [p.group?.value, p.kind?.value, p.name?.value, p.namespace?.value, p.port?.value, p.sectionName?.value].join('\u0000') ===
          [first.group?.value, first.kind?.value, first.name?.value, first.namespace?.value, first.port?.value, first.sectionName?.value].join('\u0000');
        const copies = rest.filter(same);
        if (copies.length === rest.length && copies.length > 0) {
          fixes.push({ title: `Remove the duplicate parentRef${copies.length > 1 ? 's' : ''}`, preferred: true, edits: copies.map((p) => removeLines(route.file, ctx.file.text, p.span)) });
        }
        const what =
          channel === 'standard'
            ? `parentRefs includes ${refs.length} references to ${describe(first)} that sectionName does not tell apart${refs.some((p) => p.port) && refs.every((p) => !p.sectionName) ? ' (port does not count in the standard channel CRDs; it does with experimental ones)' : ''}`
            : `parentRefs includes ${refs.length} references to ${describe(first)} that neither sectionName nor port tells apart`;
        for (const p of rest.length ? rest : [first]) {
          out.push(
            finding(
              this.code,
              this.defaultSeverity,
              route.file,
              p.span,
              `${what}: the ${channel}-channel CRD validation rejects ${route.kind} ${route.namespace}/${route.name} ("sectionName must be ${refs.every((r) => r.sectionName) ? 'unique' : 'specified'} when parentRefs includes 2 or more references to the same parent"), so it binds nothing. Give each ref a distinct sectionName, or split the route.`,
              {
                data: { parentIndex: p.index, duplicates: refs.map((r) => r.index), channel },
                related: p === first ? [] : [{ file: route.file, span: first.span, message: `first reference to ${describe(first)}` }],
                fixes,
              },
            ),
          );
        }
      }
    }
    return out;
  },
};
