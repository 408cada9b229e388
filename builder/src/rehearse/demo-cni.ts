import type { Lab } from '@lab/shared';

/**
 * The CNI a rehearsal's Talos configs carry when the lab asks for Cilium as an inline manifest:
 * the real render embeds the pinned, pre-rendered Cilium manifest from the image cache, which a
 * demo rehearsal does not have. This stands in for it with Cilium's own object names (its agent
 * DaemonSet `cilium` and its operator in kube-system), labelled demo; the demo node takes the
 * DaemonSet as its CNI arriving (payload/talos-running.ts). It configures nothing.
 */
export const DEMO_CILIUM_INSTALL = [
  '# demo: the names of Cilium\'s manifest objects only (builder rehearse --demo), not Cilium',
  'apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: cilium\n  namespace: kube-system\n  labels:\n    demo: "true"\n    k8s-app: cilium\n',
  'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cilium-operator\n  namespace: kube-system\n  labels:\n    demo: "true"\nspec:\n  replicas: 1\n',
].join('\n---\n');

/** Whether the lab's platform cluster takes its CNI as Cilium in an inline manifest (`cni: { name: cilium, via: inline }`). */
export function wantsInlineCilium(lab: Lab): boolean {
  // Read loosely: the lab model's cni is a name or { name, via } depending on its version.
  const cni: unknown = lab.clusters.platform?.cni;
  return typeof cni === 'object' && cni !== null && (cni as { name?: unknown }).name === 'cilium' && (cni as { via?: unknown }).via === 'inline';
}
