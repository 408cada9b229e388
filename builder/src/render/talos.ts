import { cniPlan, compareVersions, hostByName, type Host, type Lab, type PlatformCluster } from '@lab/shared';
import type { LabSecrets } from '../secrets/index.js';
import { collectorEndpoints } from './collector.js';
import { RenderError } from './errors.js';
import { hostLinks, nameserversFor, primaryLink } from './host-network.js';
import { toYamlDocuments } from './yaml.js';

/**
 * Talos v1.12 machine configuration, one multi-document file per platform host. In v1.12 the
 * v1alpha1 `machine.network` keeps only KubeSpan: host name, links, VLANs, resolvers and time
 * sync are separate documents (HostnameConfig, LinkAliasConfig, LinkConfig, VLANConfig,
 * ResolverConfig, TimeSyncConfig). Pure.
 */

export type TalosDocument = Record<string, unknown>;

export interface InlineManifest {
  name: string;
  contents: string;
}


/** A link alias per NIC, so documents refer to NICs by MAC and never by kernel name. */
const aliasOf = (nic: number) => `lab${nic}`;

/**
 * Talos's selector `wwid` matches `/sys/block/<dev>/wwid` (config.schema.json v1.12,
 * InstallDiskSelector): the `eui.`/`naa.`/`nvme.`/`t10.` form. A SATA WWN as lsblk writes it
 * (`0x5002…`) is not that form, so it selects nothing here and is left to Harvester's by-id.
 */
const SYSFS_WWID = /^(eui|naa|nvme|t10|uuid)\./;

function installSection(host: Host, cluster: PlatformCluster): Record<string, unknown> {
  const d = host.installDisk;
  const wwid = d?.wwn !== undefined && SYSFS_WWID.test(d.wwn) ? d.wwn : undefined;
  if (!d || (!d.path && !d.size && !d.type && !d.model && !d.serial && !wwid)) {
    throw new RenderError('ERR_LAB_NO_INSTALL_DISK', `host ${host.name} has no installDisk, so Talos would not know where to install`, `add installDisk: { size: ">= 100GB" } (or type, model, serial, wwn, path) to host ${host.name}`);
  }
  const selector: Record<string, string> = {};
  if (d.size) selector.size = d.size;
  if (d.model) selector.model = d.model;
  if (d.serial) selector.serial = d.serial;
  if (d.type) selector.type = d.type;
  if (wwid) selector.wwid = wwid;
  return {
    ...(Object.keys(selector).length > 0 ? { diskSelector: selector } : { disk: d.path }),
    image: `ghcr.io/siderolabs/installer:${cluster.talos}`,
    wipe: false,
    // As `talosctl gen config` writes it from v1.12 on (VersionContract.GrubUseUKICmdlineDefault,
    // siderolabs/talos pkg/machinery/config/generate/init.go): GRUB boots with the UKI's command line.
    ...(compareVersions(cluster.talos, 'v1.12.0') >= 0 ? { grubUseUKICmdline: true } : {}),
  };
}

/**
 * The PodSecurity admission defaults `talosctl gen config` writes for every Talos after v1.0
 * (VersionContract.PodSecurityAdmissionEnabled, pkg/machinery/config/generate/init.go at v1.12.0):
 * enforce baseline, audit and warn restricted, kube-system exempt.
 */
const POD_SECURITY = {
  name: 'PodSecurity',
  configuration: {
    apiVersion: 'pod-security.admission.config.k8s.io/v1alpha1',
    kind: 'PodSecurityConfiguration',
    defaults: { enforce: 'baseline', 'enforce-version': 'latest', audit: 'restricted', 'audit-version': 'latest', warn: 'restricted', 'warn-version': 'latest' },
    exemptions: { usernames: [], runtimeClasses: [], namespaces: ['kube-system'] },
  },
};

/** The API server's certificate names: the lab's, and the VIP the endpoint uses. */
function apiServerSans(cluster: PlatformCluster): string[] {
  return cluster.vip && !cluster.certSans.includes(cluster.vip) ? [...cluster.certSans, cluster.vip] : cluster.certSans;
}

export function networkDocuments(lab: Lab, host: Host): TalosDocument[] {
  const links = hostLinks(lab, host);
  const primary = primaryLink(lab, host);
  const docs: TalosDocument[] = [{ apiVersion: 'v1alpha1', kind: 'HostnameConfig', hostname: host.name }];
  const routesFor = (l: (typeof links)[number]) =>
    primary && l.network.name === primary.network.name && l.network.gateway ? { routes: [{ gateway: l.network.gateway }] } : {};

  host.nics.forEach((nic, i) => {
    const alias = aliasOf(i);
    docs.push({
      apiVersion: 'v1alpha1',
      kind: 'LinkAliasConfig',
      name: alias,
      selector: { match: `mac(link.permanent_addr) == "${nic.mac.toLowerCase().replace(/-/g, ':')}"` },
    });
    const untagged = links.find((l) => l.nic === i && l.vlan === undefined);
    if (untagged && !untagged.address) {
      docs.push({ apiVersion: 'v1alpha1', kind: 'LinkConfig', name: alias, up: true });
      docs.push({ apiVersion: 'v1alpha1', kind: 'DHCPv4Config', name: alias });
    } else {
      docs.push({
        apiVersion: 'v1alpha1',
        kind: 'LinkConfig',
        name: alias,
        up: true,
        ...(untagged?.address ? { addresses: [{ address: untagged.address }], ...routesFor(untagged) } : {}),
      });
    }
    for (const l of links.filter((x) => x.nic === i && x.vlan !== undefined && x.address)) {
      docs.push({
        apiVersion: 'v1alpha1',
        kind: 'VLANConfig',
        name: `${alias}.${l.vlan}`,
        vlanID: l.vlan,
        parent: alias,
        up: true,
        addresses: [{ address: l.address }],
        ...routesFor(l),
      });
    }
  });
  const vip = lab.clusters.platform?.vip;
  const vipLink = vip ? links.find((l) => l.network.name === host.addresses[0]?.network && l.address) : undefined;
  // Talos v1.12 moves the VIP from machine.network.interfaces[].vip to its own document, on the
  // link (or VLAN) that carries the shared network (website/content/v1.12/reference/configuration/network/layer2vipconfig.md).
  if (vip && vipLink) docs.push({ apiVersion: 'v1alpha1', kind: 'Layer2VIPConfig', name: vip, link: vipLink.vlan === undefined ? aliasOf(vipLink.nic) : `${aliasOf(vipLink.nic)}.${vipLink.vlan}` });
  const nameservers = primary ? nameserversFor(lab, primary.network) : lab.site.resolvers;
  docs.push({ apiVersion: 'v1alpha1', kind: 'ResolverConfig', nameservers: nameservers.map((address) => ({ address })) });
  docs.push({ apiVersion: 'v1alpha1', kind: 'TimeSyncConfig', ntp: { servers: lab.site.ntp } });
  return docs;
}

export function machineConfig(lab: Lab, host: Host, secrets: LabSecrets, inlineManifests: InlineManifest[]): TalosDocument {
  const cluster = lab.clusters.platform!;
  const t = secrets.talos;
  const k8s = cluster.kubernetes;
  const primary = primaryLink(lab, host);
  const encryption = t.secrets.secretboxencryptionsecret
    ? { secretboxEncryptionSecret: t.secrets.secretboxencryptionsecret }
    : { aescbcEncryptionSecret: t.secrets.aescbcencryptionsecret };
  return {
    version: 'v1alpha1',
    debug: false,
    machine: {
      type: 'controlplane',
      token: t.trustdinfo.token,
      ca: { crt: t.certs.os.crt, key: t.certs.os.key },
      certSANs: cluster.certSans,
      kubelet: {
        image: `ghcr.io/siderolabs/kubelet:${k8s}`,
        defaultRuntimeSeccompProfileEnabled: true,
        ...(primary ? { nodeIP: { validSubnets: [primary.network.cidr] } } : {}),
      },
      install: installSection(host, cluster),
      features: {
        diskQuotaSupport: true,
        kubePrism: { enabled: cluster.kubePrism.enabled, port: cluster.kubePrism.port },
        hostDNS: { enabled: true, forwardKubeDNSToHost: true },
      },
      nodeLabels: host.labels,
    },
    cluster: {
      id: t.cluster.id,
      secret: t.cluster.secret,
      controlPlane: { endpoint: cluster.endpoint },
      clusterName: cluster.name,
      network: {
        cni: { name: cniPlan(cluster).talos },
        dnsDomain: 'cluster.local',
        podSubnets: cluster.podCidrs,
        serviceSubnets: cluster.serviceCidrs,
      },
      token: t.secrets.bootstraptoken,
      ...encryption,
      ca: { crt: t.certs.k8s.crt, key: t.certs.k8s.key },
      aggregatorCA: { crt: t.certs.k8saggregator.crt, key: t.certs.k8saggregator.key },
      serviceAccount: { key: t.certs.k8sserviceaccount.key },
      apiServer: { image: `registry.k8s.io/kube-apiserver:${k8s}`, certSANs: apiServerSans(cluster), admissionControl: [POD_SECURITY] },
      controllerManager: { image: `registry.k8s.io/kube-controller-manager:${k8s}` },
      proxy: cluster.kubeProxy ? { image: `registry.k8s.io/kube-proxy:${k8s}` } : { disabled: true },
      scheduler: { image: `registry.k8s.io/kube-scheduler:${k8s}` },
      discovery: { enabled: true, registries: { kubernetes: { disabled: true }, service: {} } },
      etcd: { ca: { crt: t.certs.etcd.crt, key: t.certs.etcd.key } },
      ...(inlineManifests.length > 0 ? { inlineManifests } : {}),
      allowSchedulingOnControlPlanes: cluster.allowSchedulingOnControlPlanes,
    },
  };
}

/** Every document of one host's configuration, in the order they are written. */
export function talosDocuments(lab: Lab, hostName: string, secrets: LabSecrets, inlineManifests: InlineManifest[]): TalosDocument[] {
  const host = hostByName(lab, hostName);
  const c = collectorEndpoints(lab);
  return [
    machineConfig(lab, host, secrets, inlineManifests),
    ...networkDocuments(lab, host),
    { apiVersion: 'v1alpha1', kind: 'EventSinkConfig', endpoint: c.talosEvents },
    { apiVersion: 'v1alpha1', kind: 'KmsgLogConfig', name: 'collector', url: c.kmsg },
  ];
}

export function renderTalosConfig(lab: Lab, hostName: string, secrets: LabSecrets, inlineManifests: InlineManifest[]): string {
  return toYamlDocuments(talosDocuments(lab, hostName, secrets, inlineManifests));
}
