import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { buildCpio, S_IFDIR, S_IFLNK, S_IFREG, type CpioMemberSpec } from '@lab/iso';
import type { Lab } from '@lab/shared';
import type { RehearsalPlan, VmPlan } from '../plan.js';
import { moduleFiles, moduleLoadOrder, type DemoKernel } from './kernel.js';
import { gatewayScript, nodeScript, switchScript } from './scripts.js';

/** Debian's busybox-static: one static binary, so the initramfs needs no libraries. */
export const BUSYBOX = '/bin/busybox';
/** virtio NICs, 802.1Q sub-interfaces and bridges (the gateway's br30). */
const MODULES = ['virtio_pci', 'virtio_net', '8021q', 'bridge'];

/**
 * One VM's demo payload as a cpio newc archive (uncompressed: the kernel unpacks it directly):
 * busybox, the kernel modules it loads, its init script and the collector token. The token makes
 * the archive a secret: write it 0600.
 */
export async function buildPayload(lab: Lab, plan: RehearsalPlan, vm: VmPlan, kernel: DemoKernel, token: string): Promise<Buffer> {
  const order = moduleLoadOrder(await moduleFiles(kernel.modules), (p) => readFileSync(p), MODULES);
  const names = order.map((p) => basename(p));
  const host = lab.hosts.find((h) => h.name === vm.host);
  const init = vm.role === 'switch' || !host ? switchScript(plan, vm, names) : vm.role === 'gateway' ? gatewayScript(lab, vm, names) : nodeScript(lab, host, vm, names);
  const dir = (name: string): CpioMemberSpec => ({ name, mode: S_IFDIR | 0o755 });
  const members: CpioMemberSpec[] = ['bin', 'dev', 'etc', 'etc/demo', 'lib', 'lib/modules', 'proc', 'sys', 'tmp'].map(dir);
  members.push({ name: 'bin/busybox', mode: S_IFREG | 0o755, data: await readFile(BUSYBOX) }, { name: 'bin/sh', mode: S_IFLNK | 0o777, data: Buffer.from('busybox') });
  for (const p of order) members.push({ name: `lib/modules/${basename(p)}`, mode: S_IFREG | 0o644, data: await readFile(p) });
  members.push({ name: 'init', mode: S_IFREG | 0o755, data: Buffer.from(init) });
  members.push({ name: 'etc/demo/token', mode: S_IFREG | 0o600, data: Buffer.from(token) });
  members.push({ name: 'etc/demo/README', mode: S_IFREG | 0o644, data: Buffer.from(`demo payload for ${vm.host}, built by builder rehearse --demo from ${kernel.pkg} and busybox-static\n`) });
  return buildCpio(members, 0);
}
