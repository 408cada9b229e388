// End to end: `builder make-usb` on stand-in Talos ISOs (real Talos ISOs cannot be downloaded
// here; test/fixtures/standin builds them from Talos's own layout with systemd 257's ukify, stub
// and boot manager, and says what it does not model), then QEMU boots the output in BIOS mode
// (GRUB) and UEFI mode (OVMF, systemd-boot 257, both UKI profiles picked from its menu) and the
// stand-in's init prints its command line and the sha256 of the config it found through
// /extensions.yaml.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, truncate, copyFile, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../builder/src/cli/dispatch.js';
import { memoryIo } from '../../builder/src/base/index.js';
import { buildStandinIso, WIPE_ARG } from '../fixtures/standin/talos-standin.js';
import { bootSerial, SDBOOT_DEFAULT, SDBOOT_SECOND } from './qemu.js';
import { execa } from 'execa';
import { copyRange } from '../../iso/src/esp.js';
import { readIsoFacts } from '../../iso/src/iso-facts.js';
import { rebuildArgs } from '../../iso/src/mkisofs-report.js';

const CONFIG = `version: v1alpha1
machine:
  type: controlplane
  token: tq7xhm.9jfo2uyx0lsbb3wz
  ca:
    crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJQekNCOHFBREFnRUNBaEVBd2NLZz09
    key: LS0tLS1CRUdJTiBFRDI1NTE5IFBSSVZBVEUgS0VZLS0tLS0KTUM0Q0FRQXdCUVlES1dWd0JDSUVJ
  network:
    hostname: cp-1
cluster:
  clusterName: platform
  controlPlane:
    endpoint: https://cp-1.lab.internal:6443
  secretboxEncryptionSecret: 9a3kP0m3Rk1Yc2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=
---
apiVersion: v1alpha1
kind: EventSinkConfig
endpoint: 10.0.2.2:4002
`;
const CONFIG_SHA = createHash('sha256').update(CONFIG).digest('hex');
const SECRET_BITS = ['tq7xhm.9jfo2uyx0lsbb3wz', 'LS0tLS1CRUdJTiBFRDI1NTE5', '9a3kP0m3Rk1Y'];

let dir: string;
let configFile: string;
let base: string;
let layered: string;

async function builder(...argv: string[]) {
  const io = memoryIo(dir);
  const code = await dispatch(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

const fileSha = async (f: string) => createHash('sha256').update(await readFile(f)).digest('hex');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'make-usb-e2e-'));
  configFile = join(dir, 'cp-1.yaml');
  await writeFile(configFile, CONFIG, { mode: 0o600 });
  base = await buildStandinIso({ version: 'v1.12.0' });
  layered = await buildStandinIso({ version: 'v1.12.0', existingLayer: true });
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('make-usb --target um760 on a stand-in Talos v1.12 ISO', () => {
  let out: string;

  beforeAll(async () => {
    out = join(dir, 'cp-1-um760.iso');
    const r = await builder('make-usb', '--target', 'um760', '--base', base, '--config', configFile, '--out', out);
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`config   sha256 ${CONFIG_SHA}`);
  }, 120_000);

  it('writes the ISO (mode 0600) and a sidecar with its sha256 and every input hash', async () => {
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    const sidecar = JSON.parse(await readFile(`${out}.json`, 'utf8'));
    expect(sidecar.output.sha256).toBe(await fileSha(out));
    expect(sidecar.inputs.baseIso.sha256).toBe(await fileSha(base));
    expect(sidecar.inputs.config.sha256).toBe(CONFIG_SHA);
    expect(sidecar.target).toBe('um760');
    expect(JSON.stringify(sidecar)).not.toContain(SECRET_BITS[0]);
  });

  const cmdlineOf = (serial: string) => /STANDIN-CMDLINE (.*)/.exec(serial)?.[1] ?? '';

  it('boots from CD-ROM in BIOS mode (GRUB, default entry) and the guest reads the embedded config', async () => {
    const serial = await bootSerial(out, 'bios');
    expect(serial).toContain('EXTENSION-MOUNTED 0.sqsh');
    expect(serial).toContain(`CONFIG-SHA256 ${CONFIG_SHA}`);
    expect(cmdlineOf(serial)).not.toContain(WIPE_ARG);
  }, 150_000);

  it("boots the UKI's default profile (main) in UEFI mode and the guest reads the embedded config", async () => {
    const serial = await bootSerial(out, 'uefi', 'cdrom', 150_000, SDBOOT_DEFAULT);
    expect(serial).toContain('Reset system disk'); // the 257 boot manager lists both profiles
    expect(serial).toContain('EXTENSION-MOUNTED 0.sqsh');
    expect(serial).toContain(`CONFIG-SHA256 ${CONFIG_SHA}`);
    expect(cmdlineOf(serial)).toContain('talos.halt_if_installed=1');
    expect(cmdlineOf(serial)).not.toContain(WIPE_ARG);
  }, 150_000);

  it("boots the UKI's reset profile, picked from the boot menu, and it sees the same config", async () => {
    const serial = await bootSerial(out, 'uefi', 'cdrom', 150_000, SDBOOT_SECOND);
    expect(cmdlineOf(serial)).toContain(WIPE_ARG);
    expect(serial).toContain(`CONFIG-SHA256 ${CONFIG_SHA}`);
  }, 150_000);

  it('gives byte-identical output for the same inputs', async () => {
    const again = join(dir, 'again.iso');
    await new Promise((r) => setTimeout(r, 1100)); // a different wall-clock second must not matter
    const r = await builder('make-usb', '--target', 'um760', '--base', base, '--config', configFile, '--out', again);
    expect(r.code).toBe(0);
    expect(await fileSha(again)).toBe(await fileSha(out));
  }, 120_000);

  it('--json prints what was written, for machines', async () => {
    const o = join(dir, 'json.iso');
    const r = await builder('make-usb', '--target', 'um760', '--base', base, '--config', configFile, '--out', o, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ out: o, sidecar: `${o}.json`, talosVersion: 'v1.12.0', configSha256: CONFIG_SHA, kernelArgs: [], layers: [{ image: '0.sqsh', name: 'embedded-config' }] });
    expect(j.sha256).toBe(await fileSha(o));
    for (const s of SECRET_BITS) expect(r.stdout).not.toContain(s);
  }, 120_000);

  it('media show reports version, boot modes, layers and the config summary with secrets redacted', async () => {
    const r = await builder('media', 'show', out, '--json');
    expect(r.code).toBe(0);
    const shown = JSON.parse(r.stdout);
    expect(shown).toMatchObject({ target: 'um760', talosVersion: 'v1.12.0', secureBoot: false, volumeId: 'TALOS_V1_12_0', bootModes: ['bios', 'uefi'] });
    expect(shown.layers).toEqual([{ image: '0.sqsh', name: 'embedded-config', version: CONFIG_SHA }]);
    expect(shown.embeddedConfig.sha256).toBe(CONFIG_SHA);
    expect(shown.embeddedConfig.summary).toMatchObject({ machineType: 'controlplane', hostname: 'cp-1', clusterName: 'platform', eventSink: '10.0.2.2:4002' });
    const text = await builder('media', 'show', out);
    expect(text.stdout).toContain('token: "[redacted]"');
    for (const s of SECRET_BITS) {
      expect(r.stdout).not.toContain(s);
      expect(text.stdout).not.toContain(s);
    }
  }, 60_000);

  it('media verify passes the output and fails a damaged copy', async () => {
    const ok = await builder('media', 'verify', out);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);

    const tampered = join(dir, 'tampered.iso');
    await copyFile(out, tampered);
    await writeFile(`${tampered}.json`, await readFile(`${out}.json`));
    const fh = await import('node:fs/promises').then((m) => m.open(tampered, 'r+'));
    await fh.write(Buffer.from('X'), 0, 1, (await stat(tampered)).size - 4096);
    await fh.close();
    const bad = await builder('media', 'verify', tampered);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/sidecar: sha256 \w+ differs/);

    // The UKI's copy in the ISO 9660 tree left as the base's (what make-usb wrote before): the
    // ESP and the tree disagree, and a stick made by copying the ISO's files would boot that one.
    const facts = await readIsoFacts(out);
    const esp = join(dir, 'esp.img');
    await copyRange(out, facts.esp!.start, facts.esp!.end, esp);
    const baseUki = join(dir, 'base-uki.efi');
    await execa('xorriso', ['-osirrox', 'on', '-indev', base, '-extract', '/EFI/Linux/Talos-v1.12.0.efi', baseUki]);
    const stale = join(dir, 'stale-tree.iso');
    await execa('xorriso', rebuildArgs({ base: out, out: stale, report: facts.report, map: [['/EFI/Linux/Talos-v1.12.0.efi', baseUki]], esp, volumeSetId: facts.volumeSetId, epoch: 0 }));
    const staleTree = await builder('media', 'verify', stale);
    expect(staleTree.code).toBe(1);
    expect(staleTree.stderr).toContain("the ISO 9660 tree's /EFI/Linux/Talos-v1.12.0.efi differs from the ESP's");

    const cut = join(dir, 'cut.iso');
    await copyFile(out, cut);
    await truncate(cut, Math.floor((await stat(cut)).size * 0.6));
    const broken = await builder('media', 'verify', cut);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/esp|ESP|cannot read/);
  }, 60_000);
});

describe('make-usb on a base that already carries an extension layer', () => {
  it('keeps the layer listed and mounted, next to the embedded config (booted from a USB stick, UEFI)', async () => {
    const out = join(dir, 'layered.iso');
    const r = await builder('make-usb', '--target', 'um760', '--base', layered, '--config', configFile, '--out', out);
    expect(r.code).toBe(0);
    const shown = JSON.parse((await builder('media', 'show', out, '--json')).stdout);
    expect(shown.layers.map((l: { image: string; name: string }) => `${l.image} ${l.name}`)).toEqual(['0.sqsh standin-tools', '1.sqsh embedded-config']);
    const serial = await bootSerial(out, 'uefi', 'usb', 150_000, SDBOOT_DEFAULT);
    expect(serial).toContain('EXTENSION-MOUNTED 0.sqsh');
    expect(serial).toContain('EXTENSION-MOUNTED 1.sqsh');
    expect(serial).toContain(`CONFIG-SHA256 ${CONFIG_SHA}`);
  }, 200_000);
});

describe('make-usb refusals', () => {
  const leftovers = async () => (await readdir(dir)).filter((f) => f.startsWith('refused') || f.includes('.tmp'));

  it('refuses a Secure Boot ISO and says what to use instead', async () => {
    const sb = await buildStandinIso({ version: 'v1.12.0', secureBoot: true });
    const r = await builder('make-usb', '--target', 'um760', '--base', sb, '--config', configFile, '--out', join(dir, 'refused-sb.iso'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is a Secure Boot Talos ISO');
    expect(r.stderr).toContain('how to fix: use the non-Secure-Boot metal ISO');
    expect(r.stderr).not.toMatch(/internal error|at .*\.ts:\d+/);
    expect(await leftovers()).toEqual([]);
  }, 120_000);

  it('refuses a base whose UKI is signed, even without the Secure Boot label', async () => {
    const signed = await buildStandinIso({ version: 'v1.12.0', signedUki: true });
    const r = await builder('make-usb', '--target', 'um760', '--base', signed, '--config', configFile, '--out', join(dir, 'refused-signed.iso'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is a Secure Boot Talos ISO (signed UKI /EFI/Linux/Talos-v1.12.0.efi)');
    expect(await leftovers()).toEqual([]);
  }, 120_000);

  it('refuses a base whose UKI has its .initrd after the profiles (what objcopy leaves), and media verify names it', async () => {
    const broken = await buildStandinIso({ version: 'v1.12.0', initrdAfterProfiles: true });
    const v = await builder('media', 'verify', broken);
    expect(v.code).toBe(1);
    expect(v.stderr).toContain('profile 0 (main, the default) has no .initrd and would boot without an initramfs');
    expect(v.stderr).toContain('in profile reset');
    const r = await builder('make-usb', '--target', 'um760', '--base', broken, '--config', configFile, '--out', join(dir, 'refused-objcopy.iso'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(".initrd sits after its .profile sections (in profile reset)");
    expect(await leftovers()).toEqual([]);
  }, 120_000);

  it('refuses Talos older than v1.12', async () => {
    const old = await buildStandinIso({ version: 'v1.11.5' });
    const r = await builder('make-usb', '--target', 'um760', '--base', old, '--config', configFile, '--out', join(dir, 'refused-old.iso'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is Talos v1.11.5; embedding a config needs Talos v1.12.0 or later');
    expect(await leftovers()).toEqual([]);
  }, 120_000);

  it('refuses a base whose sha256 is not the recorded one', async () => {
    const r = await builder('make-usb', '--target', 'um760', '--base', base, '--base-sha256', 'ab'.repeat(32), '--config', configFile, '--out', join(dir, 'refused-sha.iso'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`but the cache records ${'ab'.repeat(32)}`);
    expect(r.stderr).toContain('builder images verify');
    expect(existsSync(join(dir, 'refused-sha.iso'))).toBe(false);
  }, 60_000);

  it('says clearly when the base is not an ISO at all', async () => {
    const r = await builder('make-usb', '--target', 'um760', '--base', configFile, '--config', configFile, '--out', join(dir, 'refused-notiso.iso'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(configFile);
    expect(r.stderr).not.toContain('internal error');
    expect(await leftovers()).toEqual([]);
  }, 60_000);

  it('names the missing config file', async () => {
    const r = await builder('make-usb', '--target', 'um760', '--base', base, '--config', join(dir, 'nope.yaml'), '--out', join(dir, 'refused-noconfig.iso'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no Talos config at ${join(dir, 'nope.yaml')}`);
  });
});
