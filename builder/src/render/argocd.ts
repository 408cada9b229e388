import { isMap, parseAllDocuments } from 'yaml';
import type { Lab } from '@lab/shared';
import { talosArgocdNamespace, talosArgocdRootApplication } from '@lab/templates';
import { fill } from './fill.js';
import { RenderError } from './errors.js';
import type { InlineManifest } from './talos.js';

export const ARGOCD_NAMESPACE = 'argocd';
/** The image-cache entry (examples/genesis/images.yaml) that holds Argo CD's install.yaml. */
export const ARGOCD_IMAGE = 'argocd-install';

/** Kinds in Argo CD's install.yaml that are not namespaced. */
const CLUSTER_SCOPED = new Set(['CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'Namespace', 'APIService', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'PriorityClass', 'StorageClass']);

/**
 * Argo CD's install.yaml has no namespaces (it is meant for `kubectl apply -n argocd`), but Talos
 * applies inline manifests as they are: put every namespaced object into the Argo CD namespace.
 */
export function namespaceManifest(text: string, source: string): string {
  const docs = parseAllDocuments(text);
  const out: string[] = [];
  for (const [i, doc] of docs.entries()) {
    if (doc.errors.length > 0) throw new RenderError('ERR_ARGOCD_MANIFEST_INVALID', `${source}: document ${i + 1} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`, 'sync the Argo CD manifest again (`builder images sync argocd-install`)');
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isMap(doc.contents) || typeof (value as { kind?: unknown }).kind !== 'string') {
      throw new RenderError('ERR_ARGOCD_MANIFEST_INVALID', `${source}: document ${i + 1} is not a Kubernetes object (no kind)`, 'give the Argo CD install.yaml manifest');
    }
    const kind = (value as { kind: string }).kind;
    if (!CLUSTER_SCOPED.has(kind) && !doc.hasIn(['metadata', 'namespace'])) doc.setIn(['metadata', 'namespace'], ARGOCD_NAMESPACE);
    // Each document keeps its own `---` marker when it had one; the join below adds them uniformly.
    out.push(doc.toString({ lineWidth: 0 }).replace(/^---\n/, ''));
  }
  if (out.length === 0) throw new RenderError('ERR_ARGOCD_MANIFEST_INVALID', `${source} holds no Kubernetes objects`, 'give the Argo CD install.yaml manifest');
  return out.join('---\n');
}

/** The inline manifests that bootstrap Argo CD and hand the cluster to the lab's GitOps repository. */
export function argocdInlineManifests(lab: Lab, manifest: { text: string; source: string }): InlineManifest[] {
  const gitops = lab.clusters.platform?.gitops;
  if (!gitops) return [];
  const q = (s: string) => JSON.stringify(s);
  return [
    { name: 'argocd-namespace', contents: fill(talosArgocdNamespace, { namespace: ARGOCD_NAMESPACE }) },
    { name: 'argocd-install', contents: namespaceManifest(manifest.text, manifest.source) },
    {
      name: 'argocd-root-application',
      contents: fill(talosArgocdRootApplication, {
        name: q(`${lab.site.name}-root`),
        namespace: ARGOCD_NAMESPACE,
        repo: q(gitops.repo),
        path: q(gitops.path),
        revision: q(gitops.revision),
      }),
    },
  ];
}

