import { intValue } from '../model/extract';
import type { Analyzer, Finding } from './types';
import { resolvedRoutes } from './routes';
import { didYouMean, finding, yamlScalar } from './util';

export const parentSectionNotFound: Analyzer = {
  code: 'parent-section-not-found',
  defaultSeverity: 'warning',
  summary: '`sectionName` matches no Service port name, or names a different port than `port`',
  reads: 'routes',
  analyze(ctx) {
    const out: Finding[] = [];
    for (const { route, parents } of resolvedRoutes(ctx)) {
      for (const p of parents) {
        const svc = p.service;
        const section = p.ref.sectionName;
        if ((p.binds || p.reason === 'waypoint-missing') && p.sectionNameIgnored && svc && section && !p.ref.port) {
          // istio, istio-ambient and linkerd ignore sectionName on Service parents: the ref binds every port.
          const named = svc.ports.find((sp) => sp.name?.value === section.value);
          const all = svc.ports.filter((sp) => sp.port !== undefined);
          if (all.length > 1 || !named) {
            out.push(
              finding(
                this.code,
                this.defaultSeverity,
                route.file,
                section.span,
                `${ctx.profile.implementation} ignores sectionName on Service parents, so this route binds every port of ${svc.name} (${all.map((sp) => sp.port!.value).join(', ')}), not only ${named ? `port ${named.port?.value ?? '?'} (${section.value})` : `a port named ${section.value}`}.${named?.port ? ` Use port: ${named.port.value} to select one port everywhere.` : ''}`,
                {
                  data: { parentIndex: p.ref.index, ignored: true, suggestionPort: named?.port?.value },
                  related: [{ file: svc.file, span: named?.span ?? svc.portsSpan ?? svc.span, message: named ? `Service port ${named.port?.value ?? '?'} (${section.value})` : `Service ${svc.namespace}/${svc.name}` }],
                  // Two refs to one Service told apart only by port are rejected by standard-channel CRDs: no fix then.
                  fixes: named?.port && parents.filter((q) => q.service === svc).length === 1
                    ? [{ title: `Replace sectionName with port: ${named.port.value}`, preferred: true, edits: [{ file: route.file, span: { start: section.keySpan?.start ?? section.span.start, end: section.span.end }, newText: `port: ${named.port.value}` }] }]
                    : [],
                },
              ),
            );
          }
          continue;
        }
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
