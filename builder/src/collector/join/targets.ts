import { nodeAddresses, type Lab } from '@lab/shared';
import type { KubeCredentials, TalosCredentials } from './credentials.js';

/** What the join watchers talk to, decided purely from the lab and the rendered credentials. */
export interface JoinTargets {
  platform?: {
    kube?: KubeCredentials;
    talos?: TalosCredentials;
    /** Each platform host's apid endpoint (its first static address) and whether it runs etcd. */
    hosts: { name: string; endpoint: string; controlPlane: boolean }[];
    /** The host Argo CD events are reported against (the first platform host). */
    reportHost: string;
    argocdNamespace: string;
  };
  harvester?: {
    /** Each host's address on clusters.harvester.network (see nodeAddresses). */
    hosts: { name: string; address: string }[];
    ssh: { user: string; port: number; privateKey: string; knownHostsFile: string; command?: string };
    /** Tests only: reach the API at this origin instead of the host's address. */
    apiOverride?: (host: string) => string | undefined;
  };
}

/** Argo CD's namespace in its install manifest. */
export const ARGOCD_NAMESPACE = 'argocd';

export function planJoinTargets(lab: Lab, creds: { kube?: KubeCredentials; talos?: TalosCredentials; sshKey?: string; knownHostsFile: string }): JoinTargets {
  const out: JoinTargets = {};
  const byName = new Map(lab.hosts.map((h) => [h.name, h]));
  const platform = lab.clusters.platform;
  if (platform && (creds.kube || creds.talos)) {
    const hosts = platform.hosts.flatMap((name) => {
      const h = byName.get(name);
      const endpoint = h?.addresses[0]?.address;
      // The platform's hosts are its control plane (role controlplane, or vm in Genesis phase 4).
      return endpoint && h ? [{ name, endpoint, controlPlane: true }] : [];
    });
    out.platform = { hosts, reportHost: platform.hosts[0]!, argocdNamespace: ARGOCD_NAMESPACE };
    if (creds.kube) out.platform.kube = creds.kube;
    if (creds.talos) out.platform.talos = creds.talos;
  }
  const harvester = lab.clusters.harvester;
  if (harvester && creds.sshKey) {
    // SSH and the Kubernetes API listen on the management address, the one its Node reports.
    const hosts = harvester.hosts.flatMap((name) => {
      const h = byName.get(name);
      const address = h ? nodeAddresses(lab, h)[0] : undefined;
      return address ? [{ name, address }] : [];
    });
    out.harvester = { hosts, ssh: { user: 'rancher', port: 22, privateKey: creds.sshKey, knownHostsFile: creds.knownHostsFile } };
  }
  return out;
}
