import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { execa } from 'execa';
import { buildCpio, S_IFDIR, S_IFLNK, S_IFREG, type CpioMemberSpec } from '@lab/iso';
import { ensureKernel } from '../fixtures/standin/talos-standin.js';
import { BUSYBOX_INIT_PRELUDE } from '../fixtures/busybox-init.js';

/**
 * The guest for the end-to-end PXE boot: the Debian cloud kernel the stand-in ISOs use (fetched
 * once by test/fixtures/standin) and a busybox initramfs with node, its glibc libraries, the
 * agent bundle and an agent.yaml. Its init brings up virtio-net, takes a DHCP lease, and runs the
 * agent with the host role. Cached pieces live under test/fixtures/out/pxe-boot (gitignored).
 */
export const OUT = resolve(import.meta.dirname, '../fixtures/out/pxe-boot');
const VIRTIO = ['virtio_ring', 'virtio', 'virtio_pci_modern_dev', 'virtio_pci_legacy_dev', 'virtio_pci', 'failover', 'net_failover', 'virtio_net'];

const INIT = `${BUSYBOX_INIT_PRELUDE}echo "GUEST-INIT"
for m in ${VIRTIO.join(' ')}; do [ -f /lib/modules/$m.ko ] && insmod /lib/modules/$m.ko; done
ip link set lo up
ip link set eth0 up
udhcpc -i eth0 -n -q -t 20 -T 1 -s /etc/udhcpc.sh || echo "GUEST-NO-LEASE"
echo "GUEST-NET $(ip -4 addr show eth0 | grep inet)"
/usr/bin/node /agent/agent.cjs --config /etc/lab-agent/agent.yaml &
sleep 120
poweroff -f
`;

const UDHCPC = `#!/bin/sh
case "$1" in
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/\${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route add default via "$router"
    ;;
esac
exit 0
`;

/** glibc libraries node loads, from ldd. */
async function lddLibs(binary: string): Promise<string[]> {
  const r = await execa('ldd', [binary]);
  return [...r.stdout.matchAll(/(\/\S+\.so[^\s]*)/g)].map((m) => m[1] as string);
}

export interface BootFixture {
  vmlinuz: string;
  /** Directory the PXE service serves: ipxe.efi, vmlinuz, initrd.img and the iPXE scripts. */
  root: string;
}

/** Builds the served root for one guest. `agentYaml` is the guest agent's configuration. */
export async function buildBootRoot(opts: { root: string; agentBundle: string; agentYaml: string; mac: string; serverIp: string; httpPort: number }): Promise<BootFixture> {
  const k = await ensureKernel();
  const modDir = resolve(dirname(k.loop), '../..');
  const dir = (name: string): CpioMemberSpec => ({ name, mode: S_IFDIR | 0o755 });
  const file = async (name: string, src: string, mode = 0o644): Promise<CpioMemberSpec> => ({ name, mode: S_IFREG | mode, data: await readFile(src) });
  const members: CpioMemberSpec[] = ['bin', 'dev', 'etc', 'etc/lab-agent', 'lib', 'lib/modules', 'lib64', 'proc', 'sys', 'tmp', 'usr', 'usr/bin', 'agent', 'var', 'var/lib'].map(dir);
  members.push(await file('bin/busybox', '/bin/busybox', 0o755), { name: 'bin/sh', mode: S_IFLNK | 0o777, data: Buffer.from('busybox') });
  members.push({ name: 'init', mode: S_IFREG | 0o755, data: Buffer.from(INIT) }, { name: 'etc/udhcpc.sh', mode: S_IFREG | 0o755, data: Buffer.from(UDHCPC) });
  const modFiles = await findModules(modDir);
  for (const m of VIRTIO) {
    const src = modFiles.get(m);
    if (src) members.push(await file(`lib/modules/${m}.ko`, src));
  }
  const node = process.execPath;
  members.push(await file('usr/bin/node', node, 0o755));
  const seenDirs = new Set(['lib', 'lib64']);
  for (const lib of await lddLibs(node)) {
    const rel = lib.replace(/^\/+/, '');
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (!seenDirs.has(d)) {
        seenDirs.add(d);
        members.push(dir(d));
      }
    }
    members.push(await file(rel, lib, 0o755));
  }
  members.push(await file('agent/agent.cjs', opts.agentBundle));
  members.push({ name: 'etc/lab-agent/agent.yaml', mode: S_IFREG | 0o600, data: Buffer.from(opts.agentYaml) });

  await mkdir(join(opts.root, 'ipxe'), { recursive: true });
  await writeFile(join(opts.root, 'initrd.img'), buildCpio(members, 0));
  await copyFile(k.vmlinuz, join(opts.root, 'vmlinuz'));
  await copyFile('/usr/lib/ipxe/ipxe.efi', join(opts.root, 'ipxe.efi'));
  if (existsSync('/usr/lib/ipxe/undionly.kpxe')) await copyFile('/usr/lib/ipxe/undionly.kpxe', join(opts.root, 'undionly.kpxe'));
  const base = `http://${opts.serverIp}:${opts.httpPort}`;
  const macFile = opts.mac.replace(/:/g, '-');
  // The EFI stub finds the initrd by name through iPXE's file system: `initrd=initrd.img`.
  await writeFile(
    join(opts.root, 'ipxe', `${macFile}.ipxe`),
    `#!ipxe\nimgfetch ${base}/beacon/${macFile}?stage=script || echo beacon failed\nkernel ${base}/vmlinuz initrd=initrd.img console=ttyS0 panic=-1\ninitrd ${base}/initrd.img\nboot\n`,
  );
  return { vmlinuz: join(opts.root, 'vmlinuz'), root: opts.root };
}

async function findModules(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.ko')) out.set(e.name.slice(0, -3), p);
    }
  };
  await walk(dir);
  return out;
}
