import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePe } from '../../iso/src/pe.js';
import { ensureDemoKernel } from '../../builder/src/rehearse/payload/kernel.js';
import { buildHarvesterNode } from '../../builder/src/rehearse/payload/initramfs.js';
import { buildInstalledImage, ensureSystemdStub } from '../../builder/src/rehearse/payload/installed-image.js';
import { OVMF_CODE, OVMF_VARS } from '../../builder/src/rehearse/vm.js';

// The demo Harvester image the rehearsal serves at install.iso_url, booted as the installed
// MS-02 boots it: OVMF (no network boot here) from an NVMe disk holding the image, with
// /oem/harvester.config written to COS_OEM as the demo installer writes it (a tar archive).
// Shows: the GPT, the ESP's removable-media loader (a UKI of trixie's systemd-stub 257 with the
// demo kernel and the node's initramfs) boot, and the node takes its hostname, management
// address and SSH keys from the persisted config. Not modelled here: the network (its one NIC
// is a datagram socket on loopback with no peer), RKE2 and Harvester (see harvester-node.ts).
const CACHE = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'lab-builder', 'rehearse');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const CONFIG = `scheme_version: 1
token: demo-token
os:
  hostname: ms02-9
  ssh_authorized_keys:
    - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDemoKeyDemoKeyDemoKeyDemoKeyDemoKeyDemoK lab@demo
install:
  mode: create
  management_interface:
    interfaces:
      - hwAddr: 02:00:00:00:09:09
    method: static
    ip: 10.10.10.19
    subnet_mask: 255.255.255.0
    gateway: 10.10.10.1
    vlan_id: 10
  device: /dev/nvme0n1
`;

describe('the demo Harvester image', () => {
  it('boots under OVMF from its ESP (a systemd-stub 257 UKI) and the node reads who it is from /oem/harvester.config', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hv-image-'));
    dirs.push(dir);
    const kernel = await ensureDemoKernel(CACHE);
    const stub = await ensureSystemdStub(CACHE);
    expect(stub.pkg).toMatch(/^systemd-boot-efi_257\./);
    const initrd = await buildHarvesterNode(kernel, { ca: 'demo-ca\n', rke2Yaml: 'demo\n' }, '192.0.2.1');
    const image = await buildInstalledImage({ stub: stub.stub, kernel: kernel.vmlinuz, initrd, cmdline: 'console=ttyS0 panic=-1', work: join(dir, 'work') });
    expect(image.toString('latin1', 512, 520)).toBe('EFI PART');
    const disk = join(dir, 'disk.raw');
    await writeFile(disk, image);
    const fh = await open(disk, 'r+');
    await fh.truncate(256 << 20);
    // What the installer's save_configs leaves on COS_OEM: a tar holding harvester.config.
    const oem = join(dir, 'oem');
    await execa('mkdir', ['-p', oem]);
    await writeFile(join(oem, 'harvester.config'), CONFIG);
    const tar = (await execa('busybox', ['tar', '-cf', '-', '-C', oem, 'harvester.config'], { encoding: 'buffer' })).stdout as Uint8Array;
    // The second GPT entry (COS_OEM): its first LBA, read from the image's own table.
    const oemFirst = Number(image.readBigUInt64LE(1024 + 128 + 32));
    expect(oemFirst).toBeGreaterThan(2048);
    await fh.write(Buffer.from(tar), 0, tar.length, oemFirst * 512);
    await fh.close();
    const vars = join(dir, 'vars.fd');
    await writeFile(vars, await readFile(OVMF_VARS));
    const serial = join(dir, 'serial.log');
    const q = execa('qemu-system-x86_64', ['-accel', 'tcg', '-m', '256', '-smp', '1', '-display', 'none', '-monitor', 'none', '-nodefaults', '-no-reboot', '-serial', `file:${serial}`,
      '-drive', `if=pflash,format=raw,readonly=on,file=${OVMF_CODE}`, '-drive', `if=pflash,format=raw,file=${vars}`,
      '-netdev', 'dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=47911,remote.type=inet,remote.host=127.0.0.1,remote.port=47912', '-device', 'virtio-net-pci,netdev=n0,mac=02:00:00:00:09:09,romfile=',
      '-drive', `file=${disk},if=none,id=d0,format=raw`, '-device', 'nvme,drive=d0,serial=demo,bootindex=1'], { reject: false });
    let log = '';
    const deadline = Date.now() + 240_000;
    try {
      while (!log.includes('sshd (dropbear) on') && Date.now() < deadline && q.exitCode === null) {
        await new Promise((r) => setTimeout(r, 1000));
        log = await readFile(serial, 'utf8').catch(() => '');
      }
    } finally {
      q.kill('SIGKILL');
      await q;
    }
    expect(log).toContain('demo: Harvester node stand-in, booted from its disk');
    expect(log).toMatch(/demo: read \/oem\/harvester.config from \/dev\/nvme0n1p2/);
    expect(log).toContain('demo: management interface eth0.10 10.10.10.19');
    expect(log).toContain('demo: sshd (dropbear) on 10.10.10.19:22 for rancher (1 keys)');
  }, 300_000);

  it('appends the UKI sections after the stub\'s own, aligned, in the order systemd-stub reads', async () => {
    const stub = await ensureSystemdStub(CACHE);
    const { assembleUki } = await import('../../iso/src/uki-assemble.js');
    const base = parsePe(await readFile(stub.stub));
    const uki = assembleUki(await readFile(stub.stub), [{ name: '.cmdline', data: Buffer.from('x\0') }, { name: '.linux', data: Buffer.alloc(5000, 1) }]);
    const pe = parsePe(uki);
    expect(pe.sections.map((s) => s.name)).toEqual([...base.sections.map((s) => s.name), '.cmdline', '.linux']);
    const linux = pe.sections.at(-1)!;
    expect(linux.rva % pe.sectionAlignment).toBe(0);
    expect(linux.fileOffset % pe.fileAlignment).toBe(0);
    expect(uki.subarray(linux.fileOffset, linux.fileOffset + 5000).every((b) => b === 1)).toBe(true);
    expect(pe.sizeOfImage).toBe(Math.ceil((linux.rva + linux.virtualSize) / pe.sectionAlignment) * pe.sectionAlignment);
  });
});
