import { addressOn, installDevice, hostByName, networkByName, intToIp, parseCidr, type Lab } from '@lab/shared';
import { nameserversFor } from './host-network.js';
import { pxeNic } from './ipxe.js';
import { pxeUrls } from './pxe-urls.js';
import { toYaml } from './yaml.js';

/**
 * Tinkerbell `Hardware` (tinkerbell.org/v1alpha1) for a PXE-booted host: its MAC, the DHCP
 * answer Smee should give when the host has a static address on its boot network, and the
 * iPXE script URL, so Tinkerbell can take over provisioning from the lab's PXE service. Pure.
 *
 * Field names from tinkerbell v0.25.0 `api/v1alpha1/tinkerbell/hardware.go`: `interfaces[].dhcp`
 * (`mac`, `hostname`, `lease_time`, `name_servers`, `arch`, `uefi`, `ip` {`address`, `netmask`,
 * `gateway`}), `netboot` (`allowPXE`, `allowWorkflow`, `ipxe.url`), `disks[].device`. Smee's
 * default (reservation) mode answers only with `dhcp.ip`: `smee/internal/dhcp/conv.go`
 * (toDHCPData) makes the offer's address from it and requires the netmask with an IPv4 address.
 */
export function tinkerbellHardware(lab: Lab, hostName: string, base: string): string {
  const host = hostByName(lab, hostName);
  const nic = pxeNic(host)!;
  const mac = nic.mac.toLowerCase().replace(/-/g, ':');
  const bootNet = nic.untagged ? networkByName(lab, nic.untagged) : undefined;
  const ip = bootNet ? addressOn(host, bootNet.name) : undefined;
  const prefix = bootNet ? parseCidr(bootNet.cidr).prefix : 0;
  const dhcp: Record<string, unknown> = {
    mac,
    hostname: host.name,
    arch: 'x86_64',
    uefi: host.firmware === 'uefi',
    lease_time: bootNet?.dhcp?.lease ?? 86400,
  };
  if (bootNet && ip) {
    dhcp.ip = { address: ip, netmask: intToIp(prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0), ...(bootNet.gateway ? { gateway: bootNet.gateway } : {}) };
    dhcp.name_servers = nameserversFor(lab, bootNet);
  }
  const device = installDevice(host);
  return toYaml({
    apiVersion: 'tinkerbell.org/v1alpha1',
    kind: 'Hardware',
    metadata: {
      name: host.name,
      namespace: 'tink-system',
      labels: { 'lab.gilman.io/site': lab.site.name, 'lab.gilman.io/role': host.role, 'lab.gilman.io/model': host.model },
    },
    spec: {
      ...(device ? { disks: [{ device }] } : {}),
      metadata: { instance: { id: mac, hostname: host.name } },
      interfaces: [{ dhcp, netboot: { allowPXE: true, allowWorkflow: true, ipxe: { url: pxeUrls(base).ipxe(mac) } } }],
    },
  });
}
