import { isService } from '../model/types';
import type { ServiceObject } from '../model/types';
import type { Analyzer, Finding } from './types';
import { portList } from './routes';
import { finding, relativeTo } from './util';

/** What a route binding depends on: port numbers, names and protocols (targetPorts do not change which routes bind). */
function portsSignature(s: ServiceObject): string {
  return s.ports
    .map((p) => `${p.port?.value ?? '?'}/${p.name?.value ?? ''}/${(p.protocol ?? 'TCP').toUpperCase()}`)
    .sort()
    .join(',');
}

export const duplicateObject: Analyzer = {
  code: 'duplicate-object',
  defaultSeverity: 'info',
  summary: 'a Service defined again with different ports (the first by file path is used)',
  reads: 'services',
  analyze(ctx) {
    const out: Finding[] = [];
    for (const o of ctx.file.objects) {
      if (!isService(o)) continue;
      const first = ctx.ws.service(o.namespace, o.name);
      if (!first || first === o || portsSignature(first) === portsSignature(o)) continue;
      out.push(
        finding(
          this.code,
          this.defaultSeverity,
          o.file,
          o.portsSpan ?? o.nameField?.span ?? o.span,
          `Service ${o.namespace}/${o.name} is defined more than once with different ports: this definition (ports ${portList(o)}) is not used; bindings are checked against the first definition by file path, ${relativeTo(o.file, first.file)} (ports ${portList(first)}).`,
          {
            data: { service: `${o.namespace}/${o.name}`, usedFile: first.file },
            related: [{ file: first.file, span: first.portsSpan ?? first.nameField?.span ?? first.span, message: `the definition of Service ${o.namespace}/${o.name} that is used` }],
          },
        ),
      );
    }
    return out;
  },
};
