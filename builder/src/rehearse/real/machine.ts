import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { cachePaths, checkCached, loadManifest, manifestPathFor } from '../../images/index.js';
import type { ImageState, MachineFacts } from './needs.js';

/**
 * Whether a stock guest kernel can run on this machine's KVM. /dev/kvm alone does not say: a
 * nested host may offer only kvm-pvm (Linux's pagetable-based VMs), which runs PVM-enabled guest
 * kernels only, and Talos's, VyOS's and Harvester's kernels are not; hardware virtualisation is
 * kvm_intel or kvm_amd.
 */
export async function kvmUsable(sys = '/sys/module', dev = '/dev/kvm'): Promise<MachineFacts['kvm']> {
  if (!existsSync(dev)) return { ok: false, why: `${dev} does not exist` };
  const hw = ['kvm_intel', 'kvm_amd'].find((m) => existsSync(`${sys}/${m}`));
  if (!hw) return { ok: false, why: existsSync(`${sys}/kvm_pvm`) ? 'this host offers only kvm-pvm, which runs PVM-enabled guest kernels, not the stock kernels Talos, VyOS and Harvester boot' : 'neither kvm_intel nor kvm_amd is loaded' };
  try {
    await access(dev, constants.R_OK | constants.W_OK);
  } catch {
    return { ok: false, why: `${dev} is not readable and writable by this user` };
  }
  return { ok: true };
}

export async function machineFacts(): Promise<MachineFacts> {
  const meminfo = await readFile('/proc/meminfo', 'utf8').catch(() => '');
  const kb = Number(/^MemAvailable:\s+(\d+) kB/m.exec(meminfo)?.[1] ?? 0);
  return { kvm: await kvmUsable(), memAvailableMiB: Math.floor(kb / 1024), cpus: availableParallelism() };
}

/** The state of each named image in the lab's images.yaml and the image cache. */
export async function imageStates(names: string[], o: { labFile: string; cwd: string; cacheDir: string }): Promise<Record<string, ImageState>> {
  const file = manifestPathFor(o.labFile, o.cwd);
  const manifest = existsSync(file) ? await loadManifest(file, o.cwd) : { images: [] as { name: string; sha256?: string }[] };
  const cache = cachePaths(o.cacheDir);
  const out: Record<string, ImageState> = {};
  for (const name of names) {
    const entry = manifest.images.find((i) => i.name === name);
    if (!entry) out[name] = 'not in images.yaml';
    else if (!entry.sha256) out[name] = 'not pinned';
    else {
      const c = await checkCached(cache, entry.sha256);
      out[name] = c.state === 'ok' ? 'cached' : c.state === 'missing' ? 'missing' : 'damaged';
    }
  }
  return out;
}
