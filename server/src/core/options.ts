/** Engine settings shared by the CLI and the language server. */

export type Implementation = 'generic' | 'istio' | 'istio-ambient' | 'linkerd' | 'cilium';
export const IMPLEMENTATIONS: readonly Implementation[] = ['generic', 'istio', 'istio-ambient', 'linkerd', 'cilium'];

export type CrdChannel = 'standard' | 'experimental';

export interface EngineOptions {
  /** Namespace of objects with none set (CONTRACT §3). */
  readonly defaultNamespace: string;
  readonly implementation: Implementation;
  readonly crdChannel: CrdChannel;
}

export const DEFAULT_OPTIONS: EngineOptions = {
  defaultNamespace: 'default',
  implementation: 'generic',
  crdChannel: 'standard',
};

export function isImplementation(v: string): v is Implementation {
  return (IMPLEMENTATIONS as readonly string[]).includes(v);
}
