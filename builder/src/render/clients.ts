import { addressOn, hostByName, type Lab } from '@lab/shared';
import type { LabSecrets } from '../secrets/index.js';
import { toYaml } from './yaml.js';

/** `talosconfig` and the admin `kubeconfig`, from the admin credentials kept with the secrets. Pure. */

function platformAddresses(lab: Lab): string[] {
  const cluster = lab.clusters.platform!;
  const endpointHost = new URL(cluster.endpoint).hostname;
  const out: string[] = [];
  for (const name of cluster.hosts) {
    const host = hostByName(lab, name);
    const primary = host.addresses[0];
    const ip = primary ? addressOn(host, primary.network) : undefined;
    if (ip) out.push(ip);
  }
  return out.length > 0 ? out : [endpointHost];
}

export function renderTalosconfig(lab: Lab, secrets: LabSecrets): string {
  const cluster = lab.clusters.platform!;
  const addresses = platformAddresses(lab);
  return toYaml({
    context: cluster.name,
    contexts: {
      [cluster.name]: {
        endpoints: addresses,
        nodes: [addresses[0]],
        ca: secrets.talos.certs.os.crt,
        crt: secrets.admin.talos.crt,
        key: secrets.admin.talos.key,
      },
    },
  });
}

export function renderKubeconfig(lab: Lab, secrets: LabSecrets): string {
  const cluster = lab.clusters.platform!;
  const user = `admin@${cluster.name}`;
  return toYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster.name, cluster: { server: cluster.endpoint, 'certificate-authority-data': secrets.talos.certs.k8s.crt } }],
    users: [{ name: user, user: { 'client-certificate-data': secrets.admin.kubernetes.crt, 'client-key-data': secrets.admin.kubernetes.key } }],
    contexts: [{ name: user, context: { cluster: cluster.name, namespace: 'default', user } }],
    'current-context': user,
    preferences: {},
  });
}
