// What the runbook says about the platform cluster's pod network: how to see it come up, and how
// its inline manifests are (not) updated. Facts from Talos v1.12.0: the manifest controller only
// creates objects that are missing and never updates one (internal/app/machined/pkg/controllers/k8s/
// manifest_apply.go); `talosctl upgrade-k8s` syncs the bootstrap manifests, inline ones included,
// with the cluster (pkg/cluster/kubernetes/talos_managed.go, syncManifests); the node is Ready only
// once a CNI runs (siderolabs/docs kubernetes-guides/cni/deploying-cilium.mdx).
import { cniPlan, type Lab } from '@lab/shared';
import type { Block } from './model.js';
import type { RunbookContext } from './facts.js';

/** Blocks for the step where the first node must become Ready. */
export function cniBlocks(c: RunbookContext, K: string, T: string, ip: string): Block[] {
  const platform = c.lab.clusters.platform;
  if (!platform) return [];
  const cni = cniPlan(platform);
  if (cni.ciliumImage) {
    return [
      { type: 'p', text: `Cilium comes with the node’s configuration (inline manifest \`cilium\`, from the pinned image \`${cni.ciliumImage}\`): the node turns Ready when its agent runs.` },
      { type: 'commands', where: 'laptop', lines: [`kubectl --kubeconfig ${K} -n kube-system rollout status daemonset/cilium --timeout=10m`] },
      {
        type: 'note',
        text: `Talos creates the objects of its inline manifests (Cilium, and Argo CD with the root application) only when they are missing: it never updates them, so editing the machine configuration later changes nothing in the cluster. To change Cilium: render the new manifest with helm, pin and import it (images.yaml), \`builder render\`, apply the new config to every control-plane node (\`talosctl --talosconfig ${T} --nodes ${ip} apply-config --file ${c.stateDir}/rendered/talos/<host>.yaml\`, each host in turn), then \`talosctl --talosconfig ${T} --nodes ${ip} upgrade-k8s --to ${platform.kubernetes}\`, which applies the bootstrap and inline manifests to the cluster again. Once Argo CD runs, you can let it own Cilium instead: commit the same pre-rendered manifest to the GitOps repository.`,
      },
    ];
  }
  if (cni.talos === 'none' && cni.arrives) {
    return [{ type: 'p', text: 'The lab applies its CNI by hand (cni: { name: none, via: manual }): the node stays NotReady, and bootstrap waits, until you do. Talos gives about ten minutes before it reboots to retry.' }];
  }
  return [];
}

/** The remedy for a node that joined but is not healthy, as far as the CNI explains it. */
export function cniRemedy(lab: Lab): Block[] {
  const platform = lab.clusters.platform;
  if (!platform) return [];
  const cni = cniPlan(platform);
  if (cni.ciliumImage) return [{ type: 'p', text: 'Nodes stay NotReady until Cilium runs: check `kubectl -n kube-system get pods -l k8s-app=cilium`. A Cilium agent that cannot reach the API server usually means KubePrism is off or on another port than the manifest was rendered for (`builder render` checks this).' }];
  if (cni.talos === 'none') return [{ type: 'p', text: 'The lab installs no CNI with Talos (cni: none): nodes stay NotReady until one runs. Apply it first.' }];
  return [];
}
