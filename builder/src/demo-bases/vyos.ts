// The demo VyOS base: a live ISO laid out as VyOS's live-build ISO is (the layout the gateway
// stick's builder reads), built from Debian parts because a real VyOS image cannot be fetched
// here. /live/vmlinuz (Debian's cloud kernel), /live/initrd.img (busybox doing live-boot's job),
// /live/filesystem.squashfs (busybox, Debian's ISC dhcrelay and the glibc libraries a Node
// single executable needs, and an init that loads the boot config as vyos-router does and
// applies what it models: vyos-gateway.ts), /boot/grub/grub.cfg, /.disk/info, /sha256sum.txt,
// and either ISOLINUX + GRUB's efi.img (live-build's `syslinux,grub-efi`, VyOS's amd64 default)
// or a GRUB hybrid (grub-pc + grub-efi). Labelled demo: volume id VyOS-DEMO, /.disk/info, the
// file name, the menu entries and the console.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { basename, dirname, join } from 'node:path';
import { buildCpio, buildLayerImage, S_IFDIR, S_IFLNK, S_IFREG, type CpioMemberSpec } from '@lab/iso';
import { UserError } from '../base/index.js';
import { moduleFiles, moduleLoadOrder, type DemoKernel } from '../rehearse/payload/kernel.js';
import { sharedLibraries } from '../rehearse/tools/ldd.js';
import { grubMkrescue, grubMkstandaloneEfi } from './tools/grub.js';
import { mtoolsPut } from './tools/mtools.js';
import { mkfsVfat } from './tools/vfat.js';
import { isohybridIsolinux } from './tools/xorriso.js';
import { demoGatewayInit } from './vyos-gateway.js';
import {
  DEMO_CONFIG_BOOT_DEFAULT,
  DEMO_EFI_EMBEDDED_CFG,
  DEMO_ISOLINUX_CFG,
  DEMO_POSTCONFIG,
  DEMO_VYOS_DISK_INFO,
  DEMO_VYOS_RELEASE,
  DEMO_VYOS_VOLUME_ID,
  demoGrubCfg,
  demoIsolinuxLiveCfg,
  liveBootInit,
} from './vyos-live.js';

/** `isolinux`: ISOLINUX for BIOS and GRUB's efi.img for UEFI (VyOS's amd64 build); `grub`: a GRUB hybrid for both. */
export type DemoVyosLayout = 'isolinux' | 'grub';

/** Modules the live system loads, by name (dependencies found from each module's modinfo): the medium, its layers, the gateway's VLANs and bridges. */
const MODULES = ['virtio_pci', 'virtio_blk', 'virtio_net', 'isofs', 'loop', 'squashfs', 'overlay', '8021q', 'bridge'];
const BUSYBOX = '/bin/busybox';
/** Debian's isc-dhcp-relay: the relay VyOS runs for `service dhcp-relay` (vyos-1x isc-dhcp-relay.service). */
const DHCRELAY = '/usr/sbin/dhcrelay';
/** What a Node single executable loads (the agent on the stick), as a Debian system such as VyOS has them. */
const NODE_LIBS = ['/lib/x86_64-linux-gnu/libdl.so.2', '/lib/x86_64-linux-gnu/libstdc++.so.6', '/lib/x86_64-linux-gnu/libm.so.6', '/lib/x86_64-linux-gnu/libgcc_s.so.1', '/lib/x86_64-linux-gnu/libpthread.so.0', '/lib/x86_64-linux-gnu/libc.so.6', '/lib64/ld-linux-x86-64.so.2'];
const ISOLINUX_BIN = '/usr/lib/ISOLINUX/isolinux.bin';
const ISOHDPFX = '/usr/lib/ISOLINUX/isohdpfx.bin';
const SYSLINUX_MODULES = '/usr/lib/syslinux/modules/bios';

export interface DemoVyosOptions {
  kernel: DemoKernel;
  /** Where built bases are kept (one file per inputs' hash). */
  cacheDir: string;
  layout?: DemoVyosLayout;
}

function need(path: string, pkg: string): string {
  if (!existsSync(path)) throw new UserError('ERR_DEMO_BASE_BUILD', `building the demo VyOS base: ${path} is missing`, `install ${pkg} (\`npm run setup\` does)`);
  return path;
}

/** The file a demo base built from these inputs has (pure but for reading the scripts' inputs). */
function cachedName(o: DemoVyosOptions, layout: DemoVyosLayout, modules: string[]): string {
  const key = createHash('sha256')
    .update([layout, o.kernel.pkg, o.kernel.vmlinuz, ...modules].join('\n'))
    .update(liveBootInit(modules))
    .update(demoGatewayInit())
    .update(demoGrubCfg())
    .update(demoIsolinuxLiveCfg())
    .update(DEMO_EFI_EMBEDDED_CFG)
    .update(DEMO_CONFIG_BOOT_DEFAULT)
    .digest('hex')
    .slice(0, 16);
  return `vyos-${DEMO_VYOS_RELEASE}-DEMO-${layout}-${key}.iso`;
}

async function initramfs(modules: string[]): Promise<Buffer> {
  const dir = (name: string): CpioMemberSpec => ({ name, mode: S_IFDIR | 0o755 });
  const members: CpioMemberSpec[] = [
    ...['bin', 'dev', 'lib', 'lib/modules', 'proc', 'sys', 'run', 'root'].map(dir),
    { name: 'bin/busybox', mode: S_IFREG | 0o755, data: await readFile(need(BUSYBOX, 'busybox-static')) },
    { name: 'bin/sh', mode: S_IFLNK | 0o777, data: Buffer.from('busybox') },
    { name: 'init', mode: S_IFREG | 0o755, data: Buffer.from(liveBootInit(modules.map((m) => basename(m)))) },
  ];
  for (const m of modules) members.push({ name: `lib/modules/${basename(m)}`, mode: S_IFREG | 0o644, data: await readFile(m) });
  // gzip: the kernel unpacks it itself.
  return gzipSync(buildCpio(members, 0), { level: 6 });
}

async function rootfs(dir: string): Promise<void> {
  const put = async (path: string, data: string | Buffer, mode = 0o644) => {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), data);
    await chmod(join(dir, path), mode);
  };
  await put('bin/busybox', await readFile(BUSYBOX), 0o755);
  await symlink('busybox', join(dir, 'bin/sh'));
  await put('sbin/init', demoGatewayInit(), 0o755);
  await put('opt/vyatta/etc/config/scripts/vyos-postconfig-bootup.script', DEMO_POSTCONFIG, 0o755);
  await put('opt/vyatta/etc/config.boot.default', DEMO_CONFIG_BOOT_DEFAULT);
  await put('etc/hostname', 'vyos\n');
  await put('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\n');
  await put('etc/group', 'root:x:0:\nvyattacfg:x:105:\n');
  await put('etc/demo/README', `VyOS DEMO base ${DEMO_VYOS_RELEASE}, built by builder from Debian parts (busybox-static, isc-dhcp-relay, a Debian kernel): not VyOS\n`);
  await mkdir(join(dir, 'etc/systemd/system/multi-user.target.wants'), { recursive: true });
  for (const d of ['proc', 'sys', 'dev', 'run', 'tmp', 'root', 'var/log', 'var/lib', 'usr/bin', 'usr/sbin', 'sbin']) await mkdir(join(dir, d), { recursive: true });
  // live-boot's compatibility path: /usr/lib/live/mount is /run/live.
  await mkdir(join(dir, 'usr/lib/live'), { recursive: true });
  await symlink('/run/live', join(dir, 'usr/lib/live/mount'));
  const libs = new Set([...NODE_LIBS, ...(await sharedLibraries(need(DHCRELAY, 'isc-dhcp-relay')))]);
  await put(DHCRELAY.slice(1), readFileSync(DHCRELAY), 0o755);
  for (const lib of libs) if (!existsSync(join(dir, lib.slice(1)))) await put(lib.slice(1), await readFile(lib), 0o755);
}

async function isolinuxTree(tree: string, work: string): Promise<void> {
  await mkdir(join(tree, 'isolinux'), { recursive: true });
  await copyFile(need(ISOLINUX_BIN, 'isolinux'), join(tree, 'isolinux/isolinux.bin'));
  for (const m of ['ldlinux.c32', 'menu.c32', 'libutil.c32', 'libcom32.c32']) await copyFile(need(join(SYSLINUX_MODULES, m), 'syslinux-common'), join(tree, 'isolinux', m));
  await writeFile(join(tree, 'isolinux/isolinux.cfg'), DEMO_ISOLINUX_CFG);
  await writeFile(join(tree, 'isolinux/live.cfg'), demoIsolinuxLiveCfg());
  const embedded = join(work, 'embedded.cfg');
  await writeFile(embedded, DEMO_EFI_EMBEDDED_CFG);
  const efi = join(work, 'bootx64.efi');
  await grubMkstandaloneEfi(efi, embedded);
  const img = join(tree, 'boot/grub/efi.img');
  await mkfsVfat(img, 8192);
  await mtoolsPut(img, ['EFI', 'EFI/boot'], efi, 'EFI/boot/bootx64.efi');
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Builds (or finds in `cacheDir`) the demo VyOS base and returns its path. Written to a temporary name and renamed. */
export async function buildDemoVyosIso(o: DemoVyosOptions): Promise<string> {
  const layout = o.layout ?? 'isolinux';
  const modules = moduleLoadOrder(await moduleFiles(o.kernel.modules), (p) => readFileSync(p), MODULES);
  const out = join(o.cacheDir, cachedName(o, layout, modules));
  if (existsSync(out)) return out;
  const work = `${out}.${process.pid}.work`;
  await rm(work, { recursive: true, force: true });
  try {
    const tree = join(work, 'iso');
    for (const d of ['live', 'boot/grub', '.disk']) await mkdir(join(tree, d), { recursive: true });
    await copyFile(o.kernel.vmlinuz, join(tree, 'live/vmlinuz'));
    await writeFile(join(tree, 'live/initrd.img'), await initramfs(modules));
    const root = join(work, 'rootfs');
    await rootfs(root);
    await buildLayerImage(root, join(tree, 'live/filesystem.squashfs'), 0);
    await writeFile(join(tree, 'boot/grub/grub.cfg'), demoGrubCfg());
    await writeFile(join(tree, '.disk/info'), DEMO_VYOS_DISK_INFO);
    await writeFile(join(tree, 'DEMO-NOT-VYOS.txt'), `This ISO is the VyOS DEMO base that builder builds from Debian parts when the pinned VyOS ISO is not in the image cache.\nIt is not VyOS: it applies the interfaces, addresses, static routes and DHCP relay of the config it boots and ignores the rest.\n`);
    if (layout === 'isolinux') await isolinuxTree(tree, work);
    // live-build's binary_checksums: sha256 of every file, paths relative to the ISO root.
    const files = ['.disk/info', 'boot/grub/grub.cfg', 'live/filesystem.squashfs', 'live/initrd.img', 'live/vmlinuz', ...(layout === 'isolinux' ? ['isolinux/live.cfg'] : [])];
    const sums: string[] = [];
    for (const f of files) sums.push(`${sha256(await readFile(join(tree, f)))}  ./${f}`);
    await writeFile(join(tree, 'sha256sum.txt'), `${sums.join('\n')}\n`);
    await mkdir(o.cacheDir, { recursive: true });
    const tmp = join(work, 'out.iso');
    if (layout === 'isolinux') await isohybridIsolinux(tree, tmp, DEMO_VYOS_VOLUME_ID, need(ISOHDPFX, 'isolinux'));
    else await grubMkrescue(tree, tmp, DEMO_VYOS_VOLUME_ID);
    await chmod(tmp, 0o644);
    await rename(tmp, out);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return out;
}

/** Whether an ISO's /.disk/info (or volume id) says it is a demo base that builder built. Pure. */
export function isDemoVyos(diskInfo: string | undefined): boolean {
  return diskInfo !== undefined && diskInfo.startsWith('VyOS DEMO base');
}
