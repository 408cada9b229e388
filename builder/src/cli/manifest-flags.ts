import { UsageError } from '../base/index.js';
import type { ManifestChoice } from '../render/index.js';

/**
 * The four flags that choose the Talos configs' inline manifests, taken alike by `render` and by
 * make-usb (whose freshness check renders as render did): Argo CD's install.yaml from a file or
 * none, the Cilium manifest from a file or none.
 */
export const MANIFEST_FLAGS = {
  'argocd-manifest': { type: 'string' },
  'without-argocd': { type: 'boolean' },
  'cilium-manifest': { type: 'string' },
  'without-cni': { type: 'boolean' },
} as const;

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

const given = (v: Values[string]): string | undefined => (typeof v === 'string' ? v : undefined);

/** The manifest flags as the render options name them; a file and its "without" flag exclude each other. */
export function manifestChoice(values: Values): ManifestChoice {
  const choice = { manifest: given(values['argocd-manifest']), ciliumManifest: given(values['cilium-manifest']), withoutArgocd: values['without-argocd'] === true, withoutCni: values['without-cni'] === true };
  if (choice.withoutArgocd && choice.manifest) throw new UsageError('ERR_USAGE_FLAG_CONFLICT', '--without-argocd and --argocd-manifest exclude each other', 'pass one of them');
  if (choice.withoutCni && choice.ciliumManifest) throw new UsageError('ERR_USAGE_FLAG_CONFLICT', '--without-cni and --cilium-manifest exclude each other', 'pass one of them');
  return choice;
}
