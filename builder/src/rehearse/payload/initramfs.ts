import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { buildCpio, S_IFDIR, S_IFLNK, S_IFREG, type CpioMemberSpec } from '@lab/iso';
import type { Lab } from '@lab/shared';
import type { RehearsalPlan, VmPlan } from '../plan.js';
import { moduleFiles, moduleLoadOrder, type DemoKernel } from './kernel.js';
import { nodeScript, switchScript, talosPxeScript, talosScript } from './scripts.js';
import { talosUsbScript } from './talos-usb.js';
import { harvesterInstallerScript, UDHCPC_SCRIPT } from './harvester-installer.js';
import { harvesterNodeScript, NODE_GROUP, NODE_PASSWD, RKE2_SERVER_CA, RKE2_YAML, SUDO_SHIM } from './harvester-node.js';
import { grpcFrame, installedEvents, installFailedEvents, isoBootEvents, readyEvents, registeredEvents, type DemoTalosEvent } from './talos-events.js';
import { sharedLibraries } from '../tools/ldd.js';

/** Debian's busybox-static: one static binary, so the initramfs needs no libraries. */
export const BUSYBOX = '/bin/busybox';
/** virtio NICs and disks, 802.1Q sub-interfaces and bridges (the gateway's br30). NVMe is built in. */
const MODULES = ['virtio_pci', 'virtio_net', 'virtio_blk', '8021q', 'bridge'];
/** Debian's curl speaks plaintext HTTP/2, which is all a gRPC unary call to the sink needs. */
export const CURL = '/usr/bin/curl';
/** Debian's dropbear-bin: the installed Harvester node's SSH server. */
export const DROPBEAR = '/usr/sbin/dropbear';
/** Where Talos's embedded-config extension puts the machine config (DESIGN.md). */
export const TALOS_CONFIG = 'usr/local/etc/talos/config.yaml';

export interface TalosPayloadInputs {
  /** The host's rendered machine config (embedded as Talos's imager embeds it). */
  config: string;
  hostname: string;
  addresses: string[];
  /** Why the install fails when no disk matches (the selector, in words). */
  noDiskReason: string;
  /** A prefix that makes this rehearsal's event ids unique. */
  idPrefix: string;
  /** Where the demo APIs listen (the laptop's address), for the node's relays (the node that runs on from its disk). */
  demoApis?: string;
}

/** A demo Talos node's event inputs: its hostname and addresses, the words of a failed disk match, `idPrefix` for unique ids. */
export function talosHostInputs(lab: Lab, host: string, idPrefix: string): Omit<TalosPayloadInputs, 'config'> {
  const h = lab.hosts.find((x) => x.name === host);
  const selector = Object.entries(h?.installDisk ?? {}).map(([k, v]) => `${k} ${String(v)}`).join(', ') || 'none';
  return { hostname: host, addresses: (h?.addresses ?? []).map((a) => a.address), noDiskReason: `failed to find a disk matching the install disk selector (${selector}) (demo)`, idPrefix };
}

function eventFiles(dir: string, events: DemoTalosEvent[], idPrefix: string, start: number): CpioMemberSpec[] {
  return events.map((e, i) => {
    const n = String(start + i).padStart(2, '0');
    // A fixed-width id: `demo` + rehearsal + sequence number.
    return { name: `${dir}/${n}-${e.type}.bin`, mode: S_IFREG | 0o644, data: grpcFrame(e, `${idPrefix}${n}`) };
  });
}

/** A Talos node's prepared events under `dir`: boot/, then installed/ or failed/ (the script picks). */
function talosEvents(dir: string, t: Omit<TalosPayloadInputs, 'config'>): CpioMemberSpec[] {
  const out: CpioMemberSpec[] = ['boot', 'installed', 'failed', 'registered', 'ready'].map((d) => ({ name: `${dir}/${d}`, mode: S_IFDIR | 0o755 }));
  const boot = isoBootEvents(t.hostname, t.addresses);
  out.push(...eventFiles(`${dir}/boot`, boot, t.idPrefix, 0));
  out.push(...eventFiles(`${dir}/installed`, installedEvents(t.hostname, t.addresses), t.idPrefix, boot.length));
  out.push(...eventFiles(`${dir}/failed`, installFailedEvents(t.noDiskReason), t.idPrefix, 50));
  out.push(...eventFiles(`${dir}/registered`, registeredEvents(t.hostname), t.idPrefix, 60));
  out.push(...eventFiles(`${dir}/ready`, readyEvents(), t.idPrefix, 70));
  return out;
}

async function binaryWithLibraries(binary: string): Promise<CpioMemberSpec[]> {
  const out: CpioMemberSpec[] = [];
  const dirs = new Set<string>();
  for (const path of [binary, ...(await sharedLibraries(binary))]) {
    const rel = path.replace(/^\/+/, '');
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (!dirs.has(d)) {
        dirs.add(d);
        out.push({ name: d, mode: S_IFDIR | 0o755 });
      }
    }
    out.push({ name: rel, mode: S_IFREG | 0o755, data: readFileSync(path) });
  }
  return out;
}

/**
 * One VM's demo payload as a gzip-compressed cpio newc archive (the kernel unpacks it):
 * busybox, the kernel modules it loads, its init script and the collector token. The token makes
 * the archive a secret: write it 0600.
 */
export async function buildPayload(lab: Lab, plan: RehearsalPlan, vm: VmPlan, kernel: DemoKernel, token: string, talos?: TalosPayloadInputs): Promise<Buffer> {
  const { members, modules: names } = await baseMembers(kernel);
  const host = lab.hosts.find((h) => h.name === vm.host);
  // (The gateway boots its stick instead: rehearse/gateway-stick.ts.)
  const init = vm.role === 'switch' || !host ? switchScript(plan, vm, names) : talos ? talosScript(lab, host, vm, names) : nodeScript(lab, host, vm, names);
  const dir = (name: string): CpioMemberSpec => ({ name, mode: S_IFDIR | 0o755 });
  members.push({ name: 'init', mode: S_IFREG | 0o755, data: Buffer.from(init) });
  if (talos) {
    members.push(...(await binaryWithLibraries(CURL)));
    members.push(...['usr/local', 'usr/local/etc', 'usr/local/etc/talos', 'talos'].map(dir));
    // Talos v1.12.1 and later write it 0400 (DESIGN.md); the archive itself is 0600.
    members.push({ name: TALOS_CONFIG, mode: S_IFREG | 0o400, data: Buffer.from(talos.config) });
    members.push(...talosEvents('talos', talos));
    if (talos.demoApis) members.push(...['run', 'www'].map(dir), { name: 'etc/demo/apis', mode: S_IFREG | 0o644, data: Buffer.from(`${talos.demoApis}\n`) });
  }
  members.push({ name: 'etc/demo/token', mode: S_IFREG | 0o600, data: Buffer.from(token) });
  members.push({ name: 'etc/demo/README', mode: S_IFREG | 0o644, data: Buffer.from(`demo payload for ${vm.host}, built by builder rehearse --demo from ${kernel.pkg} and busybox-static\n`) });
  // gzip: the kernel unpacks it itself, and the firmware has a third as much to load.
  return gzipSync(buildCpio(members, 0), { level: 6 });
}

/** The busybox base every payload starts from: directories, busybox, and the kernel modules it loads (in load order). */
async function baseMembers(kernel: DemoKernel, extraModules: string[] = []): Promise<{ members: CpioMemberSpec[]; modules: string[] }> {
  const order = moduleLoadOrder(await moduleFiles(kernel.modules), (p) => readFileSync(p), [...MODULES, ...extraModules]);
  const dir = (name: string): CpioMemberSpec => ({ name, mode: S_IFDIR | 0o755 });
  const members: CpioMemberSpec[] = ['bin', 'dev', 'etc', 'etc/demo', 'lib', 'lib/modules', 'proc', 'sys', 'tmp'].map(dir);
  members.push({ name: 'bin/busybox', mode: S_IFREG | 0o755, data: await readFile(BUSYBOX) }, { name: 'bin/sh', mode: S_IFLNK | 0o777, data: Buffer.from('busybox') });
  for (const p of order) members.push({ name: `lib/modules/${basename(p)}`, mode: S_IFREG | 0o644, data: await readFile(p) });
  return { members, modules: order.map((p) => basename(p)) };
}

/**
 * The demo Harvester installer's initrd (gzip cpio newc), one for every Harvester host: busybox,
 * curl with its libraries, the init script of harvester-installer.ts. It holds no secret: like
 * the real installer it fetches its config (and the webhooks' token) from the PXE service.
 */
export async function buildHarvesterInstaller(kernel: DemoKernel): Promise<Buffer> {
  const { members, modules } = await baseMembers(kernel);
  members.push({ name: 'init', mode: S_IFREG | 0o755, data: Buffer.from(harvesterInstallerScript(modules)) });
  members.push({ name: 'etc/udhcpc.sh', mode: S_IFREG | 0o755, data: Buffer.from(UDHCPC_SCRIPT) });
  members.push(...(await binaryWithLibraries(CURL)));
  members.push({ name: 'etc/demo/README', mode: S_IFREG | 0o644, data: Buffer.from(`demo Harvester installer, built by builder rehearse --demo from ${kernel.pkg}, busybox-static and curl: not Harvester\n`) });
  return gzipSync(buildCpio(members, 0), { level: 6 });
}

/**
 * The installed demo Harvester node's initramfs (gzip cpio newc), one for every Harvester host:
 * busybox, curl and dropbear with their libraries, harvester-node.ts's init, and the demo
 * cluster's RKE2 credentials (rke2.yaml 0600: a secret, so is the archive) and where the demo
 * APIs listen. Who the node is comes from /oem/harvester.config on its disk, not from here.
 */
export async function buildHarvesterNode(kernel: DemoKernel, cluster: { ca: string; rke2Yaml: string }, demoApis: string): Promise<Buffer> {
  const { members, modules } = await baseMembers(kernel);
  const dir = (name: string): CpioMemberSpec => ({ name, mode: S_IFDIR | 0o755 });
  members.push({ name: 'init', mode: S_IFREG | 0o755, data: Buffer.from(harvesterNodeScript(modules)) });
  members.push(...(await binaryWithLibraries(CURL)), ...(await binaryWithLibraries(DROPBEAR)));
  members.push(...['run', 'root', 'home', 'home/rancher', 'etc/rancher', 'etc/rancher/rke2', 'var', 'var/lib', 'var/lib/rancher', 'var/lib/rancher/rke2', 'var/lib/rancher/rke2/agent'].map(dir));
  members.push({ name: 'etc/passwd', mode: S_IFREG | 0o644, data: Buffer.from(NODE_PASSWD) }, { name: 'etc/group', mode: S_IFREG | 0o644, data: Buffer.from(NODE_GROUP) });
  members.push({ name: 'usr/bin/sudo', mode: S_IFREG | 0o755, data: Buffer.from(SUDO_SHIM) });
  members.push({ name: RKE2_YAML, mode: S_IFREG | 0o600, data: Buffer.from(cluster.rke2Yaml) }, { name: RKE2_SERVER_CA, mode: S_IFREG | 0o644, data: Buffer.from(cluster.ca) });
  members.push({ name: 'etc/demo/apis', mode: S_IFREG | 0o644, data: Buffer.from(`${demoApis}\n`) });
  members.push({ name: 'etc/demo/README', mode: S_IFREG | 0o644, data: Buffer.from(`demo Harvester node, built by builder rehearse --demo from ${kernel.pkg}, busybox-static, curl and dropbear-bin: not Harvester\n`) });
  return gzipSync(buildCpio(members, 0), { level: 6 });
}

/**
 * The demo Talos initramfs the PXE service serves to phase 4's hosts (gzip cpio newc): busybox,
 * curl, the PXE Talos script, each host's prepared events under talos/<hostname>, and the demo
 * APIs' address for its relays. No config and no token: the node fetches its machine config from talos.config= as Talos does.
 */
export async function buildTalosPxeInitrd(lab: Lab, kernel: DemoKernel, hosts: Omit<TalosPayloadInputs, 'config'>[], demoApis: string): Promise<Buffer> {
  const { members, modules } = await baseMembers(kernel);
  members.push({ name: 'init', mode: S_IFREG | 0o755, data: Buffer.from(talosPxeScript(lab, modules)) });
  // Where the node relays its apid and API server ports (the laptop's address: no secret).
  members.push(...['run', 'www'].map((name) => ({ name, mode: S_IFDIR | 0o755 })), { name: 'etc/demo/apis', mode: S_IFREG | 0o644, data: Buffer.from(`${demoApis}\n`) });
  members.push({ name: 'etc/udhcpc.sh', mode: S_IFREG | 0o755, data: Buffer.from(UDHCPC_SCRIPT) });
  members.push(...(await binaryWithLibraries(CURL)));
  members.push({ name: 'talos', mode: S_IFDIR | 0o755 });
  for (const h of hosts) members.push({ name: `talos/${h.hostname}`, mode: S_IFDIR | 0o755 }, ...talosEvents(`talos/${h.hostname}`, h));
  members.push({ name: 'etc/demo/README', mode: S_IFREG | 0o644, data: Buffer.from(`demo Talos node for PXE, built by builder rehearse --demo from ${kernel.pkg}, busybox-static and curl: not Talos\n`) });
  return gzipSync(buildCpio(members, 0), { level: 6 });
}

/** What the demo Talos base's initramfs loads on top of the payloads' modules: the extension layers are loop-mounted squashfs images; efivarfs shows what booted it. */
const LAYER_MODULES = ['loop', 'squashfs', 'efivarfs'];

/**
 * The demo Talos base ISO's initramfs (a cpio newc archive, uncompressed: the ISO builder
 * compresses it as Talos v1.12 does, zstd): busybox, curl, the USB Talos script (talos-usb.ts),
 * the prepared event frames of each of `hosts` under talos/<hostname>, and the demo APIs'
 * address. No config and no token: the config comes from the embedded-config layer make-usb adds.
 */
export async function buildTalosUsbInitramfs(lab: Lab, kernel: DemoKernel, hosts: Omit<TalosPayloadInputs, 'config'>[], demoApis: string): Promise<Buffer> {
  const { members, modules } = await baseMembers(kernel, LAYER_MODULES);
  members.push({ name: 'init', mode: S_IFREG | 0o755, data: Buffer.from(talosUsbScript(lab, hosts.map((h) => h.hostname), modules)) });
  members.push(...['run', 'www', 'ext', 'usr', 'usr/local', 'usr/local/etc', 'talos'].map((name) => ({ name, mode: S_IFDIR | 0o755 })), { name: 'etc/demo/apis', mode: S_IFREG | 0o644, data: Buffer.from(`${demoApis}\n`) });
  members.push(...(await binaryWithLibraries(CURL)));
  for (const h of hosts) members.push({ name: `talos/${h.hostname}`, mode: S_IFDIR | 0o755 }, ...talosEvents(`talos/${h.hostname}`, h));
  members.push({ name: 'etc/demo/README', mode: S_IFREG | 0o644, data: Buffer.from(`demo Talos base (the initramfs), built by builder make-usb --demo-base from ${kernel.pkg}, busybox-static and curl: not Talos\n`) });
  return buildCpio(members, 0);
}
