/**
 * Namespace inference as `kustomize build` would do it (CONTRACT §3): the nearest kustomization in
 * the file's folder or an ancestor folder, if it lists the file (or a folder holding it) in its
 * resources and sets `namespace:`, wins over `metadata.namespace`; else `metadata.namespace`; else
 * the configured default. Cluster-scoped kinds have no namespace.
 */
import { CLUSTER_SCOPED_KINDS } from '../model/types';
import type { K8sObject, KustomizationObject, NamespaceSource } from '../model/types';

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? (i === 0 ? '/' : '') : path.slice(0, i);
}

/** Joins and normalises a relative path against a folder (`.`, `..`, duplicate slashes). */
export function joinPath(dir: string, rel: string): string {
  const parts = (rel.startsWith('/') ? rel : `${dir}/${rel}`).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return (dir.startsWith('/') || rel.startsWith('/') ? '/' : '') + out.join('/');
}

/** The namespace a kustomization imposes on `file`, if any. */
export function kustomizeNamespace(file: string, kustomizations: ReadonlyMap<string, KustomizationObject>): string | undefined {
  if (kustomizations.size === 0) return undefined;
  let dir = dirname(file);
  for (;;) {
    const k = kustomizations.get(dir);
    if (k) {
      // Only the nearest kustomization counts, and only for files it lists.
      if (!k.setNamespace) return undefined;
      for (const r of k.resources) {
        const target = joinPath(dir, r);
        if (target === file || file.startsWith(target.endsWith('/') ? target : `${target}/`)) return k.setNamespace;
      }
      return undefined;
    }
    const parent = dirname(dir);
    if (parent === dir || dir === '') return undefined;
    dir = parent;
  }
}

export function resolveNamespace(
  o: K8sObject,
  kustomized: string | undefined,
  defaultNamespace: string,
): { namespace: string; namespaceSource: NamespaceSource } {
  if (o.kind === 'Kustomization' || CLUSTER_SCOPED_KINDS.has(o.kind)) return { namespace: '', namespaceSource: 'cluster' };
  if (kustomized) return { namespace: kustomized, namespaceSource: 'kustomization' };
  if (o.metadataNamespace) return { namespace: o.metadataNamespace.value, namespaceSource: 'metadata' };
  return { namespace: defaultNamespace, namespaceSource: 'default' };
}
