import type { Lab } from '@lab/shared';

/**
 * URL layout of the PXE service's HTTP server (http://<pxe.address>:<pxe.httpPort>/), which
 * serves the render output directory and the boot assets:
 *   /ipxe/<mac with dashes>.ipxe       per-host iPXE script
 *   /harvester/<host>.yaml             Harvester install config
 *   /talos/<host>.yaml                 Talos machine config
 *   /assets/harvester/<version>/…      Harvester kernel, initrd, rootfs, ISO
 *   /assets/talos/<version>/…          Talos kernel and initramfs
 *   /beacon/<mac>?step=…               the agent's beacon: an iPXE script reports it ran
 *   /v1/pxe/installed/<mac>            the agent's control API: install done (POST), re-arm (DELETE)
 */
export function pxeBase(lab: Lab): string | undefined {
  return lab.pxe ? `http://${lab.pxe.address}:${lab.pxe.httpPort}` : undefined;
}

/** Top-level paths the agent answers itself (beacon, control API), never files of the tree. */
export const AGENT_ENDPOINTS = ['beacon', 'v1'] as const;

export const macFileName = (mac: string) => mac.toLowerCase().replace(/[:-]/g, '-');

export const pxeUrls = (base: string) => ({
  ipxe: (mac: string) => `${base}/ipxe/${macFileName(mac)}.ipxe`,
  harvesterConfig: (host: string) => `${base}/harvester/${host}.yaml`,
  talosConfig: (host: string) => `${base}/talos/${host}.yaml`,
  harvesterAssets: (version: string) => `${base}/assets/harvester/${version}`,
  talosAssets: (version: string) => `${base}/assets/talos/${version}`,
  beacon: `${base}/beacon`,
  installed: (mac: string, source?: string) => `${base}/v1/pxe/installed/${macFileName(mac)}${source ? `?source=${source}` : ''}`,
});
