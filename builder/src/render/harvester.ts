import { installDevice, hostByName, networkByName, intToIp, parseCidr, type Host, type Lab } from '@lab/shared';
import type { LabSecrets } from '../secrets/index.js';
import { collectorEndpoints } from './collector.js';
import { RenderError } from './errors.js';
import { hostLinks, nameserversFor } from './host-network.js';
import { pxeNic } from './ipxe.js';
import { pxeUrls } from './pxe-urls.js';
import { toYaml } from './yaml.js';

/**
 * Harvester install configs (harvester-installer's config file): `create` for the first host of
 * the Harvester cluster, `join` for the others. The management interface is chosen by MAC; the
 * installer reports STARTED/SUCCEEDED/FAILED to the collector through `install.webhooks`, whose
 * payload is a Go template over the installer's host facts. Pure.
 */

const WEBHOOK_EVENTS = ['STARTED', 'SUCCEEDED', 'FAILED'] as const;

function netmask(prefix: number): string {
  return intToIp(prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);
}

function managementInterface(lab: Lab, host: Host) {
  const harvester = lab.clusters.harvester!;
  const link = hostLinks(lab, host).find((l) => l.network.name === harvester.network);
  if (!link) {
    throw new RenderError('ERR_LAB_HARVESTER_NO_NIC', `Harvester host ${host.name} has no NIC carrying network ${harvester.network}`, `add ${harvester.network} to a NIC's untagged or tagged list on host ${host.name}`);
  }
  if (!link.address) {
    throw new RenderError('ERR_LAB_HARVESTER_NO_ADDRESS', `Harvester host ${host.name} has no address on ${harvester.network}`, `add { network: ${harvester.network}, address: … } to host ${host.name}'s addresses`);
  }
  const net = link.network;
  const ip = link.address.split('/')[0]!;
  return {
    interfaces: [{ hwAddr: link.mac }],
    method: 'static',
    ip,
    subnet_mask: netmask(parseCidr(net.cidr).prefix),
    ...(net.gateway ? { gateway: net.gateway } : {}),
    default_route: true,
    ...(link.vlan !== undefined ? { vlan_id: link.vlan } : {}),
    bond_options: { mode: 'active-backup', miimon: 100 },
  };
}

export function harvesterConfig(lab: Lab, hostName: string, secrets: LabSecrets): Record<string, unknown> {
  const harvester = lab.clusters.harvester!;
  const host = hostByName(lab, hostName);
  const first = harvester.hosts[0] === hostName;
  // By /dev/disk/by-id/… when the lab gives the disk's WWN (or serial and model): kernel names
  // such as /dev/nvme0n1 follow enumeration order, which can change on a three-NVMe MS-02.
  const device = installDevice(host);
  if (!device) {
    throw new RenderError('ERR_LAB_NO_INSTALL_DISK', `Harvester host ${host.name} has no install disk Harvester can be told (installDisk needs a wwn, a serial with a model, or a path)`, `add installDisk: { wwn: eui.… } (from \`lsblk -o NAME,WWN\`) or installDisk: { path: /dev/nvme0n1 } to host ${host.name}`);
  }
  const c = collectorEndpoints(lab);
  const base = lab.pxe ? pxeUrls(`http://${lab.pxe.address}:${lab.pxe.httpPort}`) : undefined;
  const net = networkByName(lab, harvester.network);
  const reported = WEBHOOK_EVENTS.map((event) => ({
    event,
    method: 'POST',
    url: `${c.harvesterWebhook}?host=${encodeURIComponent(host.name)}&event=${event}`,
    headers: { 'Content-Type': ['application/json'], Authorization: [`Bearer ${secrets.collectorToken}`] },
    payload: `{"event":"${event}","hostname":"{{.Hostname}}","mac":"{{.MACAddr}}","ip":"{{.IPAddrV4}}"}`,
  }));
  // SUCCEEDED also tells the PXE service, so the host's next network boot exits to disk instead
  // of reinstalling (the installer sends it after writing the disk, before the reboot). First in
  // the list: the installer stops at the first webhook of an event that fails
  // (harvester-installer v1.5.0 pkg/console/webhooks.go, RendererWebhooks.Handle).
  const nic = pxeNic(host);
  const pxeDone = base && nic && host.boot === 'pxe'
    ? [{ event: 'SUCCEEDED', method: 'POST', url: base.installed(nic.mac, 'harvester'), headers: { Authorization: [`Bearer ${secrets.collectorToken}`] } }]
    : [];
  const webhooks = [...pxeDone, ...reported];
  return {
    scheme_version: 1,
    ...(first ? {} : { server_url: `https://${harvester.vip}:443` }),
    token: secrets.harvesterToken,
    os: {
      hostname: host.name,
      ssh_authorized_keys: [secrets.ssh.publicKey],
      password: secrets.login.passwordHash,
      dns_nameservers: nameserversFor(lab, net),
      ntp_servers: lab.site.ntp,
    },
    install: {
      mode: first ? 'create' : 'join',
      management_interface: managementInterface(lab, host),
      device,
      ...(first ? { vip: harvester.vip, vip_mode: 'static' } : {}),
      ...(base ? { iso_url: `${base.harvesterAssets(harvester.version)}/harvester-${harvester.version}-amd64.iso` } : {}),
      tty: 'tty1',
      automatic: true,
      // Only when the lab says so: without it the automatic install stops on any preflight
      // warning (harvester-installer v1.5.0 pkg/console/install_panels.go, Install.SkipChecks
      // `json:"skipchecks"` in pkg/config/config.go).
      ...(harvester.skipChecks ? { skipchecks: true } : {}),
      webhooks,
    },
  };
}

export function renderHarvesterConfig(lab: Lab, hostName: string, secrets: LabSecrets): string {
  return toYaml(harvesterConfig(lab, hostName, secrets));
}
