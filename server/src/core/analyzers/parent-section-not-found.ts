import { intValue } from '../model/extract';
import type { Analyzer, Finding } from './types';
import { resolvedRoutes } from './routes';
import { didYouMean, finding, yamlScalar } from './util';

export const parentSectionNotFound: Analyzer = {
  code: 'parent-section-not-found',
  defaultSeverity: 'warning',
  summary: '`sectionName` matches no Service port name, or names a different port than `port`',
  analyze(ctx) {
    const out: Finding[] = [];
    for (const { route, parents } of resolvedRoutes(ctx)) {
      for (const p of parents) {
        const svc = p.service;
        const section = p.ref.sectionName;
        if (p.reason !== 'section-not-found' || !svc || !section) continue;
        const names = svc.ports.map((sp) => sp.name?.value).filter((n): n is string => n !== undefined);
        const portNumber = p.ref.port ? intValue(p.ref.port.value) : undefined;
        const named = svc.ports.find((sp) => sp.name?.value === section.value);
        const byNumber = portNumber !== undefined ? svc.ports.find((sp) => sp.port?.value === portNumber) : undefined;
        let message: string;
        let fixTo: string | undefined;
        if (named && byNumber) {
          fixTo = byNumber.name?.value;
          message = `sectionName ${section.value} is port ${named.port?.value ?? '?'} of ${svc.name}, but port is ${portNumber}: the two name different ports, so this route binds nothing.${fixTo ? ` Port ${portNumber} is named ${fixTo}.` : ''}`;
        } else if (byNumber?.name) {
          fixTo = byNumber.name.value;
          message = `Service ${svc.namespace}/${svc.name} has no port named ${section.value}, so this route binds nothing. Port ${portNumber} is named ${fixTo}.`;
        } else {
          fixTo = didYouMean(section.value, names);
          message = `Service ${svc.namespace}/${svc.name} has no port named ${section.value} (its port names: ${names.join(', ') || 'none'}), so this route binds nothing.${fixTo ? ` Did you mean ${fixTo}?` : ''}`;
        }
        const target = svc.ports.find((sp) => sp.name?.value === fixTo);
        out.push(
          finding(this.code, this.defaultSeverity, route.file, section.span, message, {
            data: { parentIndex: p.ref.index, suggestion: fixTo },
            related: [{ file: svc.file, span: target?.span ?? svc.portsSpan ?? svc.span, message: target ? `Service port ${target.port?.value} (${fixTo})` : `Service ${svc.namespace}/${svc.name}` }],
            fixes: fixTo ? [{ title: `Change sectionName to ${fixTo}`, preferred: true, edits: [{ file: route.file, span: section.span, newText: yamlScalar(fixTo) }] }] : [],
          }),
        );
      }
    }
    return out;
  },
};
