import { mkdir, rm, writeFile, copyFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Lab } from '@lab/shared';
import { renderLab, type RenderedFile } from '../render/index.js';
import { SERVED_PXE_DIRS } from '../media/rendered.js';
import { IPXE_LOADERS } from '../boot-tree/index.js';
import type { LabSecrets } from '../secrets/index.js';

/**
 * The tree the rehearsal's PXE service serves (pure planning here, one write below): what
 * `builder render` writes for the PXE service (ipxe/, harvester/, talos/ — rendered with the
 * rehearsal's secrets, without the Argo CD bootstrap and the Cilium manifest), Debian's iPXE loaders for TFTP, and the
 * demo's boot files at the URLs the rendered iPXE scripts name, so the scripts run unchanged.
 */
export interface ServedFile {
  path: string;
  /** Copied from this file, or written from `data`. */
  src?: string;
  data?: Buffer | string;
  mode: number;
}

/** What a rendered iPXE script fetches, as paths under the PXE service's HTTP root. */
export interface ScriptFetches {
  kernel?: string;
  initrd?: string;
  /** dracut's `root=live:URL` (Harvester's live root). */
  live?: string;
}

export function scriptFetches(script: string, base: string): ScriptFetches {
  const under = (url: string | undefined) => (url?.startsWith(`${base}/`) ? url.slice(base.length + 1) : undefined);
  const kernel = under(/^kernel\s+(\S+)/m.exec(script)?.[1]);
  const initrd = under(/^initrd\s+(\S+)/m.exec(script)?.[1]);
  const live = under(/\broot=live:(\S+)/.exec(script)?.[1]);
  return { ...(kernel ? { kernel } : {}), ...(initrd ? { initrd } : {}), ...(live ? { live } : {}) };
}

export interface DemoBootFiles {
  /** The demo kernel (Debian's), served as every script's kernel. */
  kernel: string;
  /** The demo Harvester installer's initrd. */
  harvesterInitrd?: Buffer;
  /** The demo Talos node's initramfs (phase 4's PXE-booted Talos hosts). */
  talosInitrd?: Buffer;
  /**
   * The demo Harvester image (installed-image.ts), served at the configs' install.iso_url. It
   * carries the demo cluster's RKE2 admin kubeconfig: 0600 in the tree.
   */
  harvesterImage?: Buffer;
}

const DEMO_README = `These boot files are demo stand-ins made by \`builder rehearse --demo\` from Debian parts
(the Debian cloud kernel, busybox-static, curl): not Harvester's or Talos's. The rendered iPXE
scripts fetch them at the paths the real assets will have.
`;

export function planPxeRoot(lab: Lab, secrets: LabSecrets, demo: DemoBootFiles): ServedFile[] {
  const base = `http://${lab.pxe!.address}:${lab.pxe!.httpPort}`;
  // The demo nodes run no CNI: their configs leave out the Cilium inline manifest as they leave out Argo CD.
  const rendered: RenderedFile[] = renderLab({ lab, secrets, withoutArgocd: true, withoutCni: true, gateway: false });
  const files = new Map<string, ServedFile>();
  for (const f of rendered) if (SERVED_PXE_DIRS.includes(f.path.split('/')[0]!)) files.set(f.path, { path: f.path, data: f.content, mode: f.mode });
  for (const [name, src] of Object.entries(IPXE_LOADERS)) files.set(name, { path: name, src, mode: 0o644 });
  const harvesterHosts = new Set(lab.clusters.harvester?.hosts ?? []);
  for (const f of rendered.filter((r) => r.path.startsWith('harvester/'))) {
    const iso = /^\s+iso_url:\s*(\S+)/m.exec(f.content)?.[1];
    const path = iso?.startsWith(`${base}/`) ? iso.slice(base.length + 1) : undefined;
    if (path && demo.harvesterImage) files.set(path, { path, data: demo.harvesterImage, mode: 0o600 });
  }
  for (const f of rendered.filter((r) => r.path.startsWith('ipxe/'))) {
    const script = f.content;
    const fetches = scriptFetches(script, base);
    const harvester = [...harvesterHosts].some((h) => script.includes(`# ${h}: Harvester`));
    const initrd = harvester ? demo.harvesterInitrd : demo.talosInitrd;
    if (fetches.kernel) files.set(fetches.kernel, { path: fetches.kernel, src: demo.kernel, mode: 0o644 });
    if (fetches.initrd && initrd) files.set(fetches.initrd, { path: fetches.initrd, data: initrd, mode: 0o644 });
    if (fetches.live) files.set(fetches.live, { path: fetches.live, data: 'demo: a placeholder for Harvester\'s live root (not a squashfs)\n', mode: 0o644 });
    const dir = fetches.kernel ? dirname(fetches.kernel) : undefined;
    if (dir) files.set(`${dir}/README.demo`, { path: `${dir}/README.demo`, data: DEMO_README, mode: 0o644 });
  }
  return [...files.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** Writes the tree into `root`, replacing what an earlier rehearsal left there. */
export async function writePxeRoot(root: string, files: ServedFile[]): Promise<void> {
  await rm(root, { recursive: true, force: true });
  for (const f of files) {
    const out = join(root, f.path);
    await mkdir(dirname(out), { recursive: true, mode: 0o755 });
    if (f.src) await copyFile(f.src, out);
    else await writeFile(out, f.data ?? '', { mode: f.mode });
  }
}
