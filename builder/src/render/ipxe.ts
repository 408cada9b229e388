import { hostByName, type Host, type Lab } from '@lab/shared';
import { ipxeHarvester, ipxeTalos } from '@lab/templates';
import { collectorEndpoints } from './collector.js';
import { fill } from './fill.js';
import { pxeUrls } from './pxe-urls.js';

/** The NIC a host PXE-boots from: the first with an untagged network (PXE happens untagged). */
export function pxeNic(host: Host) {
  return host.nics.find((n) => n.untagged) ?? host.nics[0];
}

/** iPXE script for a Harvester host: boots the installer with its config URL. Pure. */
export function harvesterIpxe(lab: Lab, hostName: string, base: string): string {
  const harvester = lab.clusters.harvester!;
  const u = pxeUrls(base);
  return fill(ipxeHarvester, {
    host: hostName,
    version: harvester.version,
    mode: harvester.hosts[0] === hostName ? 'create' : 'join',
    assets: u.harvesterAssets(harvester.version),
    configUrl: u.harvesterConfig(hostName),
    beacon: u.beacon,
  });
}

/** iPXE script for a PXE-booted Talos host: the kernel fetches its machine config over HTTP. Pure. */
export function talosIpxe(lab: Lab, hostName: string, base: string): string {
  const cluster = lab.clusters.platform!;
  const u = pxeUrls(base);
  hostByName(lab, hostName);
  return fill(ipxeTalos, {
    host: hostName,
    version: cluster.talos,
    assets: u.talosAssets(cluster.talos),
    configUrl: u.talosConfig(hostName),
    eventSink: collectorEndpoints(lab).talosEvents,
    beacon: u.beacon,
  });
}
