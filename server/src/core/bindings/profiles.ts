/**
 * What each implementation profile changes (CONTRACT §3 table). Only these rules differ; everything
 * else follows GEP-1294.
 */
import type { Implementation } from '../options';

export interface Profile {
  readonly implementation: Implementation;
  /** `group: core` on a Service parent binds. */
  readonly coreGroupBinds: boolean;
  /** `sectionName` on a Service parent is ignored (the ref binds all ports, or the `port`). */
  readonly ignoresSectionName: boolean;
  /** How route kind conflicts on one port are handled. */
  readonly kindConflicts: 'resolve' | 'none' | 'per-identical-ref';
  /** A rule without backends forwards to the parent Service instead of answering 500. */
  readonly ruleWithoutBackendsForwards: boolean;
  /** Headless and ExternalName Services can be parents. */
  readonly headlessParentBinds: boolean;
  /** Consumer routes are applied. */
  readonly consumerRoutes: boolean;
  /** Parents need `istio.io/use-waypoint` on the Service or its Namespace. */
  readonly needsWaypoint: boolean;
  /** `group: core` on a Service backendRef resolves. */
  readonly coreBackendResolves: boolean;
  /** `policy.linkerd.io` HTTPRoutes bind like Gateway API HTTPRoutes. */
  readonly linkerdPolicyRoutes: boolean;
}

const GENERIC: Profile = {
  implementation: 'generic',
  coreGroupBinds: true,
  ignoresSectionName: false,
  kindConflicts: 'resolve',
  ruleWithoutBackendsForwards: false,
  headlessParentBinds: true,
  consumerRoutes: true,
  needsWaypoint: false,
  coreBackendResolves: true,
  linkerdPolicyRoutes: false,
};

const PROFILES: Record<Implementation, Profile> = {
  generic: GENERIC,
  istio: { ...GENERIC, implementation: 'istio', coreGroupBinds: false, ignoresSectionName: true, kindConflicts: 'none', coreBackendResolves: false },
  'istio-ambient': {
    ...GENERIC,
    implementation: 'istio-ambient',
    coreGroupBinds: false,
    ignoresSectionName: true,
    kindConflicts: 'none',
    coreBackendResolves: false,
    consumerRoutes: false,
    needsWaypoint: true,
  },
  linkerd: {
    ...GENERIC,
    implementation: 'linkerd',
    ignoresSectionName: true,
    kindConflicts: 'per-identical-ref',
    ruleWithoutBackendsForwards: true,
    headlessParentBinds: false,
    linkerdPolicyRoutes: true,
  },
  cilium: { ...GENERIC, implementation: 'cilium', consumerRoutes: false },
};

export function profileOf(implementation: Implementation): Profile {
  return PROFILES[implementation];
}

/** Route kinds in the order of GEP-1294 specificity: the first present on a port wins. */
export const KIND_RANK: Readonly<Record<string, number>> = { GRPCRoute: 0, HTTPRoute: 1, TLSRoute: 2, TCPRoute: 3 };
