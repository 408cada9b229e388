// The demo Talos base: an ISO in Talos v1.12's dual-boot layout (talos-layout.ts) whose kernel is
// Debian's cloud kernel and whose initramfs is the rehearsal's demo Talos node for USB
// (rehearse/payload/talos-usb.ts), so make-usb can build the UM760 stick where the real Talos ISO
// is not in the image cache. The node it boots reads everything from the config make-usb embeds;
// only its prepared event frames are the lab's (one set per USB-booted Talos host, found by the
// config's hostname), so a demo base is built for one lab. Labelled demo wherever it shows: the
// volume set id `Talos-v1.12.0-demo` (which Talos version parsing reads as v1.12.0-demo), the
// volume id `TALOS_V1_12_0_DEMO`, the file name, the os-release PRETTY_NAME. It holds no secret.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Lab } from '@lab/shared';
import { buildTalosUsbInitramfs, talosHostInputs } from '../rehearse/payload/initramfs.js';
import { ensureDemoKernel } from '../rehearse/payload/kernel.js';
import { buildTalosLayoutIso } from './talos-layout.js';
import { ensureTrixie } from './trixie.js';
import { zstdCompress } from './tools/zstd.js';

/** The Talos version the demo base claims (the lab's platform version's minimum for an embedded config). */
export const DEMO_TALOS_VERSION = 'v1.12.0';
/** Bump when the recipe changes, so cached demo bases are rebuilt. */
const RECIPE = 'talos-demo-base-2';
// The imager's ISO command line (pkg/imager/imager.go buildCmdline: the platform,
// talos.halt_if_installed=1 for ISOs) with the demo's serial console and panic=-1.
const CMDLINE = 'console=ttyS0 panic=-1 talos.platform=metal talos.halt_if_installed=1 lab.demo=1';

export interface DemoTalosBase {
  path: string;
  /** Volume set id, e.g. Talos-v1.12.0-demo. */
  label: string;
  /** The hosts whose event frames it carries. */
  hosts: string[];
  /** The Debian kernel package it boots. */
  kernelPkg: string;
  /** Whether this call built it (false: it was in the cache). */
  built: boolean;
}

/** The lab's Talos hosts a stick boots: the platform cluster's hosts with boot: usb. Pure. */
export function usbTalosHosts(lab: Lab): string[] {
  const platform = lab.clusters.platform?.hosts ?? [];
  return lab.hosts.filter((h) => h.boot === 'usb' && platform.includes(h.name)).map((h) => h.name);
}

/** Builds the demo Talos base for `lab` into `<cacheDir>/demo-bases/` (or finds it there). */
export async function ensureDemoTalosBase(lab: Lab, cacheDir: string): Promise<DemoTalosBase> {
  const kernel = await ensureDemoKernel(cacheDir);
  const hosts = usbTalosHosts(lab);
  const laptop = /^https?:\/\/([^/:]+)/.exec(lab.collector.url)?.[1] ?? '';
  const cpio = await buildTalosUsbInitramfs(lab, kernel, hosts.map((h) => talosHostInputs(lab, h, `demo-usb-${h}-`)), laptop);
  const version = `${DEMO_TALOS_VERSION}-demo`;
  const label = `Talos-${version}`;
  const trixie = await ensureTrixie(cacheDir);
  const key = createHash('sha256').update(RECIPE).update(cpio).update(kernel.vmlinuz).update(trixie.versions).digest('hex').slice(0, 16);
  const path = join(cacheDir, 'demo-bases', `talos-demo-${DEMO_TALOS_VERSION}-${key}.iso`);
  const facts = { path, label, hosts, kernelPkg: kernel.pkg };
  if (existsSync(path)) return { ...facts, built: false };
  await buildTalosLayoutIso({ out: path, bootloader: 'dual-boot', version, label, kernel: { vmlinuz: kernel.vmlinuz, version: basename(kernel.modules) }, initramfs: await zstdCompress(cpio), cmdline: CMDLINE, trixie });
  return { ...facts, built: true };
}
