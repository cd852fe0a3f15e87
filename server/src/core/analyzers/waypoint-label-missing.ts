import type { Analyzer, Finding, RelatedLocation } from './types';
import { resolvedRoutes, routeRecognised } from './routes';
import { finding } from './util';
import { WAYPOINT_LABEL, waypointLabelState as waypointOf } from '../bindings/resolve';

export { WAYPOINT_LABEL };


export const waypointLabelMissing: Analyzer = {
  code: 'waypoint-label-missing',
  defaultSeverity: 'warning',
  summary: 'only with `istio-ambient`: neither the parent Service nor its Namespace has `istio.io/use-waypoint`',
  reads: 'routes',
  analyze(ctx) {
    if (!ctx.profile.needsWaypoint) return [];
    const out: Finding[] = [];
    for (const { route, parents } of resolvedRoutes(ctx)) {
      if (!routeRecognised(ctx, route)) continue;
      const seen = new Set<string>();
      for (const p of parents) {
        const svc = p.service;
        if (p.reason !== 'waypoint-missing' || !svc || seen.has(`${svc.namespace}/${svc.name}`)) continue;
        seen.add(`${svc.namespace}/${svc.name}`);
        const onService = waypointOf(svc.labels);
        const nsObj = ctx.ws.lookup('Namespace', '', svc.namespace)[0];
        const onNamespace = nsObj ? waypointOf(nsObj.labels) : 'absent';
        const related: RelatedLocation[] = [];
        if (svc.nameField) related.push({ file: svc.file, span: svc.nameField.span, message: `Service ${svc.namespace}/${svc.name}` });
        if (nsObj?.nameField) related.push({ file: nsObj.file, span: nsObj.nameField.span, message: `Namespace ${svc.namespace}` });
        const where =
          onService === 'opt-out'
            ? `Service ${svc.namespace}/${svc.name} sets ${WAYPOINT_LABEL}: "${svc.labels[WAYPOINT_LABEL]}", which means no waypoint`
            : nsObj
              ? `neither Service ${svc.namespace}/${svc.name} nor Namespace ${svc.namespace} has the label ${WAYPOINT_LABEL}${onNamespace === 'opt-out' ? ' (the Namespace sets it to none)' : ''}`
              : `Service ${svc.namespace}/${svc.name} has no label ${WAYPOINT_LABEL} (and Namespace ${svc.namespace} is not in the workspace)`;
        out.push(
          finding(
            this.code,
            this.defaultSeverity,
            route.file,
            p.ref.name?.span ?? p.ref.span,
            `${where}: in ambient mode routes bound to a Service are applied by its waypoint, so without one this route is not respected (Istio: "istio.io/use-waypoint label missing from parent and parent namespace"). Label the Service or its Namespace with ${WAYPOINT_LABEL}: <waypoint name>.`,
            { data: { parentIndex: p.ref.index, service: `${svc.namespace}/${svc.name}`, namespaceInWorkspace: nsObj !== undefined, serviceLabel: onService, namespaceLabel: onNamespace }, related },
          ),
        );
      }
    }
    return out;
  },
};
