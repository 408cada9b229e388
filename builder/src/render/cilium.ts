// Cilium as the platform cluster's CNI, delivered as a Talos inline manifest. The offline bring-up
// cannot run helm, so the manifest is `helm template` output made once elsewhere and pinned by
// sha256 in images.yaml; the render embeds those bytes unchanged (so the config carries exactly the
// pinned file) and only checks that the settings the lab decides are the ones it was rendered with.
// The settings and the values behind them follow Talos's Cilium guide (siderolabs/docs
// public/kubernetes-guides/cni/deploying-cilium.mdx: ipam.mode=kubernetes, kubeProxyReplacement,
// k8sServiceHost=localhost and k8sServicePort=7445 for KubePrism). Cilium's chart writes them to the
// `cilium-config` ConfigMap (`ipam`, `kube-proxy-replacement`; cilium/cilium
// install/kubernetes/cilium/templates/cilium-configmap.yaml) and, for the API server address, to the
// KUBERNETES_SERVICE_HOST/PORT environment of the agent's and the operator's containers.
import { parseAllDocuments } from 'yaml';
import type { Lab } from '@lab/shared';
import { RenderError } from './errors.js';
import type { InlineManifest } from './talos.js';

export const CILIUM_INLINE_NAME = 'cilium';

export interface PinnedManifest {
  text: string;
  /** Where it was read from (the cache path or --cilium-manifest FILE), for messages. */
  source: string;
}

type Obj = { kind?: unknown; metadata?: { name?: unknown }; data?: Record<string, unknown>; spec?: unknown };
type Container = { name?: string; env?: { name?: string; value?: unknown }[] };

function objects(m: PinnedManifest): Obj[] {
  const out: Obj[] = [];
  for (const [i, doc] of parseAllDocuments(m.text).entries()) {
    if (doc.errors.length > 0) throw new RenderError('ERR_CNI_MANIFEST_INVALID', `${m.source}: document ${i + 1} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`, 'render the Cilium manifest again with `helm template` (the command is beside the image in images.yaml) and import it');
    const v = doc.toJS() as unknown;
    if (v && typeof v === 'object') out.push(v as Obj);
  }
  return out;
}

function containersOf(o: Obj): Container[] {
  const pod = (o.spec as { template?: { spec?: { containers?: Container[]; initContainers?: Container[] } } } | undefined)?.template?.spec;
  return [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])];
}

const find = (objs: Obj[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata?.name === name);

/** `k8sServiceHost=localhost` `k8sServicePort=7445` as every container that talks to the API server has them. */
function checkApiServer(objs: Obj[], m: PinnedManifest, port: number, mismatch: (what: string, set: string) => never): void {
  const agent = find(objs, 'DaemonSet', 'cilium');
  if (!agent) throw new RenderError('ERR_CNI_MANIFEST_INVALID', `${m.source} has no DaemonSet cilium: it is not Cilium's install manifest`, 'give the output of `helm template cilium cilium/cilium …` (see images.yaml)');
  const workloads = [agent, find(objs, 'Deployment', 'cilium-operator')].filter((o): o is Obj => o !== undefined);
  let seen = 0;
  for (const w of workloads) {
    for (const c of containersOf(w)) {
      for (const e of c.env ?? []) {
        const want = e.name === 'KUBERNETES_SERVICE_HOST' ? 'localhost' : e.name === 'KUBERNETES_SERVICE_PORT' ? String(port) : undefined;
        if (want === undefined) continue;
        seen++;
        if (String(e.value) !== want) mismatch(`${String(w.kind)} ${String(w.metadata?.name)} container ${c.name ?? '?'} has ${e.name}=${String(e.value)}, but the lab reaches the API server through KubePrism at localhost:${port}`, `--set k8sServiceHost=localhost --set k8sServicePort=${port}`);
      }
    }
  }
  if (seen === 0) mismatch(`DaemonSet cilium has no KUBERNETES_SERVICE_HOST: without kube-proxy it cannot reach the API server, and the lab reaches it through KubePrism at localhost:${port}`, `--set k8sServiceHost=localhost --set k8sServicePort=${port}`);
}

/**
 * The Cilium inline manifest for the platform cluster: the pinned text as it is, after checking
 * that it was rendered with what the lab decides (kube-proxy replacement, KubePrism, IPAM). Pure.
 */
export function ciliumInlineManifest(lab: Lab, m: PinnedManifest, image: string): InlineManifest {
  const cluster = lab.clusters.platform!;
  const objs = objects(m);
  const mismatch = (what: string, set: string): never => {
    throw new RenderError(
      'ERR_CNI_MANIFEST_MISMATCH',
      `${m.source}: the pinned Cilium manifest was rendered with other settings than the lab's: ${what}`,
      `render it again with \`helm template\` and ${set} (the full command is beside ${image} in images.yaml), pin its new sha256 under ${image} and \`builder images import FILE --name ${image}\``,
    );
  };
  const config = find(objs, 'ConfigMap', 'cilium-config');
  if (!config) throw new RenderError('ERR_CNI_MANIFEST_INVALID', `${m.source} has no ConfigMap cilium-config: it is not Cilium's install manifest`, 'give the output of `helm template cilium cilium/cilium …` (see images.yaml)');
  const data = config.data ?? {};
  const kpr = String(data['kube-proxy-replacement']);
  const wantKpr = cluster.kubeProxy ? 'false' : 'true';
  if (kpr !== wantKpr) mismatch(`cilium-config has kube-proxy-replacement "${kpr}", but the lab has kubeProxy: ${cluster.kubeProxy}`, `--set kubeProxyReplacement=${wantKpr}`);
  // Talos's guide: IPAM mode must be kubernetes (the pod CIDRs are Talos's podSubnets).
  if (String(data.ipam) !== 'kubernetes') mismatch(`cilium-config has ipam "${String(data.ipam)}", but on Talos it must be "kubernetes"`, '--set ipam.mode=kubernetes');
  if (!cluster.kubeProxy) checkApiServer(objs, m, cluster.kubePrism.port, mismatch);
  return { name: CILIUM_INLINE_NAME, contents: m.text };
}
