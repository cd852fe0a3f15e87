/**
 * The analyzer registry and runner. Adding a diagnostic code is adding one analyzer file and one
 * line in `ANALYZERS`.
 */
import { profileOf } from '../bindings/profiles';
import type { IndexedFile, Workspace } from '../index/snapshot';
import { isRoute, isService } from '../model/types';
import { parentGroupCore } from './parent-group-core';
import { parentGroupMissing } from './parent-group-missing';
import { parentGroupWrong } from './parent-group-wrong';
import { parentPortNotFound } from './parent-port-not-found';
import { parentSectionNotFound } from './parent-section-not-found';
import { parentServiceNotFound } from './parent-service-not-found';
import { routeKindConflict } from './route-kind-conflict';
import { parentServiceType } from './parent-service-type';
import { parentRefDuplicate } from './parent-ref-duplicate';
import { meshHostnamesIgnored } from './mesh-hostnames-ignored';
import { unmatchedRequests } from './unmatched-requests';
import { ruleWithoutBackends } from './rule-without-backends';
import { backendServiceNotFound } from './backend-service-not-found';
import { backendPortMissing } from './backend-port-missing';
import { backendPortNotFound } from './backend-port-not-found';
import { backendExternalname } from './backend-externalname';
import { backendKindUnsupported } from './backend-kind-unsupported';
import { backendGroupCore } from './backend-group-core';
import { duplicateObject } from './duplicate-object';
import { gatewayBackendNotPermitted } from './gateway-backend-not-permitted';
import { apiVersionDeprecated } from './api-version-deprecated';
import { consumerRouteUnsupported } from './consumer-route-unsupported';
import { waypointLabelMissing } from './waypoint-label-missing';
import type { AnalysisSettings, Analyzer, Finding } from './types';

export * from './types';

export const ANALYZERS: readonly Analyzer[] = [
  parentGroupMissing,
  parentGroupCore,
  parentGroupWrong,
  parentServiceNotFound,
  parentPortNotFound,
  parentSectionNotFound,
  parentServiceType,
  parentRefDuplicate,
  meshHostnamesIgnored,
  routeKindConflict,
  unmatchedRequests,
  ruleWithoutBackends,
  backendServiceNotFound,
  backendPortMissing,
  backendPortNotFound,
  backendExternalname,
  backendKindUnsupported,
  backendGroupCore,
  duplicateObject,
  gatewayBackendNotPermitted,
  apiVersionDeprecated,
  consumerRouteUnsupported,
  waypointLabelMissing,
];


function suppressed(file: IndexedFile, f: Finding): boolean {
  for (const s of file.suppressions) {
    if (!(s.codes.includes('*') || s.codes.includes(f.code))) continue;
    if (s.scope === 'next-line' ? f.span.start >= s.span.start && f.span.start <= s.span.end : f.span.start >= s.span.start && f.span.start < s.span.end) return true;
  }
  for (const o of file.objects) {
    if (o.disabledCodes.length && f.span.start >= o.span.start && f.span.start < o.span.end && (o.disabledCodes.includes(f.code) || o.disabledCodes.includes('*'))) return true;
  }
  return false;
}

function compareFindings(a: Finding, b: Finding): number {
  return a.span.start - b.span.start || a.span.end - b.span.end || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
}

/** Findings for one file, with overrides and suppressions applied, sorted by position. */
export function analyzeFile(ws: Workspace, path: string, settings: AnalysisSettings = {}): Finding[] {
  const file = ws.file(path);
  if (!file || file.objects.length === 0) return [];
  const ctx = { ws, file, profile: profileOf(ws.options.implementation) };
  let routes = false;
  let services = false;
  for (const o of file.objects) {
    if (isService(o)) services = true;
    else if (!routes && isRoute(o)) routes = true;
  }
  const out: Finding[] = [];
  for (const analyzer of ANALYZERS) {
    if (analyzer.reads === 'routes' ? !routes : analyzer.reads === 'services' && !services) continue;
    const override = settings.severity?.[analyzer.code];
    if (override === 'off') continue;
    let found: Finding[];
    try {
      found = analyzer.analyze(ctx);
    } catch (err) {
      // One broken analyzer must not hide the findings of the others.
      found = [];
      settings.onError?.(analyzer.code, path, err);
    }
    // Spans end on a node's last character already (the extraction trims block nodes' trailing line
    // breaks; a test holds every finding of the fixtures and corpus to it), so no text is read here.
    for (const f of found) {
      if (suppressed(file, f)) continue;
      out.push(override ? { ...f, severity: override } : f);
    }
  }
  return out.sort(compareFindings);
}

/** Findings for every file, by path. */
export function analyzeWorkspace(ws: Workspace, settings: AnalysisSettings = {}): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  const paths = [...ws.files()].map((f) => f.path).sort();
  for (const p of paths) {
    const f = analyzeFile(ws, p, settings);
    if (f.length) out.set(p, f);
  }
  return out;
}

export function analyzerFor(code: string): Analyzer | undefined {
  return ANALYZERS.find((a) => a.code === code);
}
