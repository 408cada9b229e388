// make-usb on Talos v1.12's other two ISO kinds (pkg/imager/out.go outISO picks them by the ISO
// output's `bootloader`): `grub` (pkg/imager/iso/grub.go: grub-mkrescue alone, GRUB boots BIOS
// and, from its own /efi.img, UEFI; no UKI) and `sd-boot` (pkg/imager/iso/uefi.go: UEFI only,
// systemd-boot and the UKI on an ESP appended as MBR partition 2, no /boot tree). The stand-ins
// are built from real parts in those layouts (test/fixtures/standin/talos-standin.ts says what
// they do not model; here also: Debian's GRUB 2.06 and its grub-mkrescue stand in for the GRUB
// Talos builds, and no Mac firmware boots the grub ISO's HFS+ side). QEMU boots each output the
// way its kind boots: the sd-boot one with OVMF and the systemd-boot 257 menu from a USB stick,
// the grub one from CD-ROM in BIOS mode and in UEFI mode (OVMF loads GRUB from /efi.img).
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../builder/src/cli/dispatch.js';
import { memoryIo } from '../../builder/src/base/index.js';
import { readIsoFacts } from '../../iso/src/iso-facts.js';
import { treeWith } from '../../iso/src/iso-tree.js';
import { rebuildArgs } from '../../iso/src/mkisofs-report.js';
import { buildStandinIso, WIPE_ARG } from '../fixtures/standin/talos-standin.js';
import { bootSerial, SDBOOT_DEFAULT } from './qemu.js';

const CONFIG = `version: v1alpha1
machine:
  type: worker
  token: k8u1vz.m2ql0c3bq5n7x9rt
  network:
    hostname: w-1
cluster:
  clusterName: platform
  secretboxEncryptionSecret: c2VjcmV0Ym94LWtpbmRzLXRlc3Qtc2VjcmV0LXZhbHVlMTI=
`;
const CONFIG_SHA = createHash('sha256').update(CONFIG).digest('hex');
const SECRETS = ['k8u1vz.m2ql0c3bq5n7x9rt', 'c2VjcmV0Ym94LWtpbmRz'];

let dir: string;
let configFile: string;

async function builder(...argv: string[]) {
  const io = memoryIo(dir);
  const code = await dispatch(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

const cmdlineOf = (serial: string) => /STANDIN-CMDLINE (.*)/.exec(serial)?.[1] ?? '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'iso-kinds-'));
  configFile = join(dir, 'w-1.yaml');
  await writeFile(configFile, CONFIG, { mode: 0o600 });
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('an sd-boot ISO (UEFI only, no /boot tree) that already carries a layer', () => {
  let out: string;
  beforeAll(async () => {
    const base = await buildStandinIso({ bootloader: 'sd-boot', existingLayer: true });
    const facts = await readIsoFacts(base);
    // The layout is the imager's: no GRUB, no BIOS entry, the ESP as partition 2.
    expect(facts.files.some((f) => f.startsWith('/boot/'))).toBe(false);
    expect(facts.bootEntries.map((e) => e.platform)).toEqual(['UEFI']);
    out = join(dir, 'sd-boot.iso');
    const r = await builder('make-usb', '--target', 'um760', '--base', base, '--config', configFile, '--out', out);
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote ${out} (Talos v1.12.0 sd-boot ISO,`);
  }, 180_000);

  it("embeds the config in the UKI's .initrd, keeps the base's layer, and media show/verify read it", async () => {
    const shown = JSON.parse((await builder('media', 'show', out, '--json')).stdout);
    expect(shown).toMatchObject({ bootloader: 'sd-boot', bootModes: ['uefi'], talosVersion: 'v1.12.0' });
    expect(shown.bootEntries.map((e: { loader: string }) => e.loader)).toEqual(['uki', 'uki']);
    expect(shown.layers.map((l: { image: string; name: string }) => `${l.image} ${l.name}`)).toEqual(['0.sqsh standin-tools', '1.sqsh embedded-config']);
    expect(shown.embeddedConfig.sha256).toBe(CONFIG_SHA);
    expect(JSON.parse(await readFile(`${out}.json`, 'utf8')).bootloader).toBe('sd-boot');
    const v = await builder('media', 'verify', out);
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);
    const text = await builder('media', 'show', out);
    expect(text.stdout).toContain('kind         talos-iso (sd-boot)');
    for (const s of SECRETS) expect(text.stdout).not.toContain(s);
  }, 60_000);

  it('boots from a USB stick with OVMF and systemd-boot 257: the default profile sees the config', async () => {
    const serial = await bootSerial(out, 'uefi', 'usb', 150_000, SDBOOT_DEFAULT);
    expect(serial).toContain('EXTENSION-MOUNTED 0.sqsh');
    expect(serial).toContain('EXTENSION-MOUNTED 1.sqsh');
    expect(serial).toContain(`CONFIG-SHA256 ${CONFIG_SHA}`);
    expect(cmdlineOf(serial)).not.toContain(WIPE_ARG);
  }, 200_000);
});

describe('a grub ISO (GRUB for BIOS and UEFI, no UKI)', () => {
  let out: string;
  beforeAll(async () => {
    const base = await buildStandinIso({ bootloader: 'grub' });
    const facts = await readIsoFacts(base);
    expect(facts.esp).toBeUndefined();
    expect(facts.bootEntries.map((e) => `${e.platform} ${e.path}`)).toEqual(['BIOS /boot/grub/i386-pc/eltorito.img', 'UEFI /efi.img']);
    out = join(dir, 'grub.iso');
    const r = await builder('make-usb', '--target', 'um760', '--base', base, '--config', configFile, '--out', out, '--json');
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ bootloader: 'grub', configSha256: CONFIG_SHA });
  }, 180_000);

  it('keeps the boot layout (El Torito BIOS and /efi.img, its GPT partition, HFS+) and media show/verify read it', async () => {
    const facts = await readIsoFacts(out);
    expect(facts.bootEntries.map((e) => `${e.platform} ${e.path}`)).toEqual(['BIOS /boot/grub/i386-pc/eltorito.img', 'UEFI /efi.img']);
    const flat = facts.report.map((l) => l.join(' '));
    expect(flat).toContain('-efi-boot-part --efi-boot-image');
    expect(flat).toContain('-hfsplus');
    const shown = JSON.parse((await builder('media', 'show', out, '--json')).stdout);
    expect(shown).toMatchObject({ bootloader: 'grub', bootModes: ['bios', 'uefi'] });
    expect(shown.uki).toBeUndefined();
    expect(shown.bootEntries.map((e: { loader: string }) => e.loader)).toEqual(['grub', 'grub']);
    expect(shown.embeddedConfig.sha256).toBe(CONFIG_SHA);
    const v = await builder('media', 'verify', out);
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);
  }, 60_000);

  it('boots from CD-ROM in BIOS mode and the guest reads the embedded config', async () => {
    const serial = await bootSerial(out, 'bios');
    expect(serial).toContain('EXTENSION-MOUNTED 0.sqsh');
    expect(serial).toContain(`CONFIG-SHA256 ${CONFIG_SHA}`);
  }, 150_000);

  it("boots from CD-ROM in UEFI mode (OVMF loads GRUB from /efi.img, which finds the rebuilt ISO's tree)", async () => {
    const serial = await bootSerial(out, 'uefi');
    expect(serial).toContain(`CONFIG-SHA256 ${CONFIG_SHA}`);
    expect(cmdlineOf(serial)).toContain('talos.halt_if_installed=1');
  }, 150_000);

  it('media verify names a grub ISO whose UEFI boot image has no removable-media loader', async () => {
    const facts = await readIsoFacts(out);
    const efi = join(dir, 'empty-efi.img');
    await execa('truncate', ['-s', '4M', efi]);
    await execa('mkfs.vfat', ['-n', 'EFI', efi]);
    await execa('mmd', ['-i', efi, '::/EFI']); // a FAT image with an EFI folder but no loader in it
    const tree = join(dir, 'tree');
    await treeWith(out, facts.report, [['/efi.img', efi]], tree);
    const broken = join(dir, 'grub-no-loader.iso');
    await execa('xorriso', rebuildArgs({ base: out, out: broken, report: facts.report, map: [], tree, volumeSetId: facts.volumeSetId, epoch: 0 }));
    const v = await builder('media', 'verify', broken);
    expect(v.code).toBe(1);
    expect(v.stderr).toContain("GRUB's UEFI boot image /efi.img has no /EFI/BOOT/BOOTX64.EFI");
    // A sidecar that records another kind (an sd-boot ISO's, beside this grub one) is named.
    await writeFile(`${broken}.json`, JSON.stringify({ kind: 'talos-iso', bootloader: 'sd-boot' }));
    const side = await builder('media', 'verify', broken);
    expect(side.stderr).toContain('grub-no-loader.iso.json records bootloader sd-boot, but this ISO is grub');
  }, 60_000);
});
