import { execa } from 'execa';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCpio, S_IFREG } from '../src/cpio.js';
import { findSegments, scanInitramfs } from '../src/initramfs.js';
import { appendedPartitions, intervalRange, parseReport, rebuildArgs, splitLine, xorrisoDate, epochFromIsoDate } from '../src/mkisofs-report.js';
import { finishPeChecksum, foldPeChecksum, parsePe } from '../src/pe.js';
import { zstdFrameLength } from '../src/zstd-frames.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'iso-formats-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const REPORT = `-V 'TALOS_V1_12_0'
--modification-date='2026112611490100'
--grub2-mbr --interval:local_fs:0s-15s:zero_mbrpt,zero_gpt:'/x/base.iso'
-partition_offset 16
-append_partition 2 28732ac11ff8d211ba4b00a0c93ec93b --interval:local_fs:36864d-75775d::'/x/base.iso'
-appended_part_as_gpt
-c '/boot.catalog'
-b '/boot/grub/i386-pc/eltorito.img'
-no-emul-boot
-boot-load-size 4
-boot-info-table
-eltorito-alt-boot
-e '--interval:appended_partition_2_start_9216s_size_38912d:all::'
-no-emul-boot
-boot-load-size 38912
`;

describe('xorriso as_mkisofs report', () => {
  it('splits quoted arguments', () => {
    expect(splitLine(`--grub2-mbr --interval:local_fs:0s-15s:zero_mbrpt:'/a b/c.iso'`)).toEqual(['--grub2-mbr', '--interval:local_fs:0s-15s:zero_mbrpt:/a b/c.iso']);
    expect(splitLine(`-V 'it'"'"'s'`)).toEqual(['-V', "it's"]);
  });
  it('finds the ESP byte range (512-byte d units, end inclusive)', () => {
    expect(intervalRange('--interval:local_fs:36864d-75775d::/x/base.iso')).toEqual({ start: 36864 * 512, end: 75776 * 512, file: '/x/base.iso' });
    expect(appendedPartitions(parseReport(REPORT))).toEqual([{ number: 2, type: '28732ac11ff8d211ba4b00a0c93ec93b', start: 36864 * 512, end: 75776 * 512 }]);
  });
  it('replays the boot setup with the new ESP, fixed dates and a derived GPT GUID', () => {
    const args = rebuildArgs({ base: '/x/base.iso', out: '/o.iso', report: parseReport(REPORT), map: [['/boot/initramfs.xz', '/w/i']], esp: '/w/esp.img', volumeSetId: 'Talos-v1.12.0', epoch: 1_700_000_000 });
    const line = args.join(' ');
    expect(line).toContain('-indev /x/base.iso -outdev /o.iso -map /w/i /boot/initramfs.xz');
    expect(line).toContain('-append_partition 2 28732ac11ff8d211ba4b00a0c93ec93b /w/esp.img');
    expect(line).toContain('-e --interval:appended_partition_2:all:: -no-emul-boot');
    expect(line).toContain('-boot-load-size 4');
    expect(line).not.toContain('38912');
    expect(line).toContain(`--modification-date=${xorrisoDate(1_700_000_000)}`);
    expect(line).toContain('-volset Talos-v1.12.0');
    expect(line).toContain('gpt_disk_guid=volume_date_uuid');
    expect(line).toContain('-volume_date all_file_dates =1700000000');
  });
  it('converts ISO dates both ways', () => {
    expect(epochFromIsoDate(xorrisoDate(1_700_000_000))).toBe(1_700_000_000);
    expect(epochFromIsoDate('0000000000000000')).toBeUndefined();
  });
});

describe('PE checksum', () => {
  it('matches the checksum objcopy writes', async () => {
    const out = join(dir, 'stub.efi');
    await writeFile(join(dir, 'blob'), 'x'.repeat(1001));
    await execa('objcopy', ['--add-section', `.x=${join(dir, 'blob')}`, '--change-section-vma', '.x=0x9000000', '/usr/lib/systemd/boot/efi/linuxx64.efi.stub', out]);
    const bytes = await readFile(out);
    const pe = parsePe(bytes);
    const written = bytes.readUInt32LE(pe.checksumOffset);
    expect(written).not.toBe(0);
    const zeroed = Buffer.from(bytes);
    zeroed.writeUInt32LE(0, pe.checksumOffset);
    expect(finishPeChecksum(foldPeChecksum(0, zeroed), zeroed.length)).toBe(written);
    expect(pe.sections.map((s) => s.name)).toContain('.x');
  });
});

describe('signed UKI detection', () => {
  it('reads the Authenticode certificate table size (non-zero means signed)', async () => {
    const stub = await readFile('/usr/lib/systemd/boot/efi/linuxx64.efi.stub');
    expect(parsePe(stub).certificateTableSize).toBe(0);
    // Data directory 4 (certificate table) of a PE32+ optional header: offset 112 + 4*8, size at +4.
    const signed = Buffer.from(stub);
    const opt = signed.readUInt32LE(0x3c) + 24;
    signed.writeUInt32LE(stub.length, opt + 112 + 32);
    signed.writeUInt32LE(2048, opt + 112 + 36);
    expect(parsePe(signed).certificateTableSize).toBe(2048);
  });

  it('rejects what is not a PE image', () => {
    expect(() => parsePe(Buffer.from('#!/bin/sh\n'.padEnd(200, ' ')))).toThrow(/not a PE image/);
  });
});

describe('initramfs segments', () => {
  it('splits xz + padding + zstd + zstd exactly and reads the last extensions.yaml', async () => {
    const seg = (name: string, text: string) => buildCpio([{ name, mode: S_IFREG | 0o644, data: Buffer.from(text) }], 0);
    const xz = (await execa('xz', ['-C', 'crc32', '-c'], { input: seg('init', 'base'), encoding: 'buffer' })).stdout;
    const z1 = (await execa('zstd', ['-c', '-q'], { input: seg('extensions.yaml', 'layers: []\n'), encoding: 'buffer' })).stdout;
    const z2 = (await execa('zstd', ['-c', '-q', '--no-check'], { input: seg('extensions.yaml', 'layers: [second]\n'), encoding: 'buffer' })).stdout;
    const file = join(dir, 'initramfs');
    await writeFile(file, Buffer.concat([xz, Buffer.alloc(12), z1, z2]));
    const segs = await findSegments(file);
    expect(segs.map((s) => s.kind)).toEqual(['xz', 'zstd']);
    expect(segs[0]).toEqual({ kind: 'xz', start: 0, end: xz.length });
    expect(segs[1]).toEqual({ kind: 'zstd', start: xz.length + 12, end: xz.length + 12 + z1.length + z2.length });
    const scan = await scanInitramfs(file, (n) => n === 'extensions.yaml');
    expect(scan.members.get('extensions.yaml')?.toString()).toBe('layers: [second]\n');
    expect(scan.names.map((n) => n.name)).toEqual(['init', 'extensions.yaml', 'extensions.yaml']);
  });

  it('walks zstd frame headers to the exact frame length', async () => {
    const data = Buffer.alloc(300_000, 'abcdefgh');
    const z = (await execa('zstd', ['-c', '-q', '-19'], { input: data, encoding: 'buffer' })).stdout;
    const file = join(dir, 'z');
    await writeFile(file, Buffer.concat([z, Buffer.from('trailing')]));
    const fh = await open(file, 'r');
    const read = async (at: number, n: number) => {
      const b = Buffer.alloc(n);
      const { bytesRead } = await fh.read(b, 0, n, at);
      return b.subarray(0, bytesRead);
    };
    expect(await zstdFrameLength(read, 0, z.length + 8)).toBe(z.length);
    await fh.close();
  });
});
