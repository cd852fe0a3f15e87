import type { Implementation } from '../options';
import type { Analyzer, Finding } from './types';
import { backendLabel, ruleLevelBackends } from './routes';
import { finding } from './util';

/** Backend kinds an implementation documents beyond core Services (group/kind). */
const IMPLEMENTATION_KINDS: Readonly<Record<Implementation, readonly string[]>> = {
  generic: [],
  istio: ['networking.istio.io/Hostname', 'networking.istio.io/ServiceEntry'],
  'istio-ambient': ['networking.istio.io/Hostname', 'networking.istio.io/ServiceEntry'],
  linkerd: ['policy.linkerd.io/EgressNetwork'],
  cilium: [],
};

export const backendKindUnsupported: Analyzer = {
  code: 'backend-kind-unsupported',
  defaultSeverity: 'warning',
  summary: 'a backendRef of a group/kind other than core Service (and ServiceImport)',
  reads: 'routes',
  analyze(ctx) {
    const out: Finding[] = [];
    for (const { route, b, t } of ruleLevelBackends(ctx)) {
      if (t.state !== 'other') continue;
      const gk = `${t.group ? `${t.group}/` : ''}${t.kind}`;
      if (IMPLEMENTATION_KINDS[ctx.profile.implementation].includes(gk)) continue;
      const node = b.kind ?? b.group;
      out.push(
        finding(
          this.code,
          this.defaultSeverity,
          route.file,
          node?.span ?? b.span,
          `${gk} is not a core Service (or a multicluster.x-k8s.io ServiceImport): support for other backend kinds is implementation-specific, and an implementation that does not know it rejects this ${backendLabel(b)} (ResolvedRefs=False, InvalidKind), so its share of requests gets a 500.`,
          { data: { ruleIndex: b.ruleIndex, backendIndex: b.index, mirror: b.mirror, group: t.group, kind: t.kind } },
        ),
      );
    }
    return out;
  },
};
