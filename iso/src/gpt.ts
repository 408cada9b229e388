// A GUID partition table for a disk image (UEFI 2.10 §5.3): protective MBR, the primary header
// at LBA 1 with 128 entries of 128 bytes from LBA 2, and the backup entries and header at the
// end of the disk, each header carrying the CRC32s of itself and of the entry array. Pure.
import { randomUUID } from 'node:crypto';
import { crc32 } from 'node:zlib';

export const GPT_TYPES = {
  /** EFI System Partition. */
  esp: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B',
  /** Linux filesystem data. */
  linux: '0FC63DAF-8483-4772-8E79-3D69D8477DE4',
} as const;

export interface GptPartition {
  /** The partition name (UTF-16LE, up to 36 characters): what the kernel shows as PARTNAME. */
  name: string;
  type: string;
  firstLba: number;
  lastLba: number;
  guid?: string;
}

const SECTOR = 512;
const ENTRIES = 128;
const ENTRY_SIZE = 128;
/** Sectors of the entry array (16 KiB). */
export const GPT_ENTRY_SECTORS = (ENTRIES * ENTRY_SIZE) / SECTOR;
/** The first LBA a partition may start at, aligned to 1 MiB as partitioners do. */
export const GPT_FIRST_LBA = 2048;

/** A GUID in its on-disk mixed-endian form. */
function guidBytes(guid: string): Buffer {
  const h = guid.replace(/-/g, '');
  const b = Buffer.from(h, 'hex');
  if (b.length !== 16) throw new Error(`not a GUID: ${guid}`);
  return Buffer.concat([Buffer.from(b.subarray(0, 4)).reverse(), Buffer.from(b.subarray(4, 6)).reverse(), Buffer.from(b.subarray(6, 8)).reverse(), b.subarray(8)]);
}

function header(totalSectors: number, backup: boolean, entriesCrc: number, diskGuid: string): Buffer {
  const h = Buffer.alloc(SECTOR);
  const last = totalSectors - 1;
  h.write('EFI PART', 0, 'latin1');
  h.writeUInt32LE(0x00010000, 8);
  h.writeUInt32LE(92, 12);
  h.writeBigUInt64LE(BigInt(backup ? last : 1), 24);
  h.writeBigUInt64LE(BigInt(backup ? 1 : last), 32);
  h.writeBigUInt64LE(BigInt(2 + GPT_ENTRY_SECTORS), 40);
  h.writeBigUInt64LE(BigInt(last - 1 - GPT_ENTRY_SECTORS), 48);
  guidBytes(diskGuid).copy(h, 56);
  h.writeBigUInt64LE(BigInt(backup ? last - GPT_ENTRY_SECTORS : 2), 72);
  h.writeUInt32LE(ENTRIES, 80);
  h.writeUInt32LE(ENTRY_SIZE, 84);
  h.writeUInt32LE(entriesCrc, 88);
  h.writeUInt32LE(crc32(h.subarray(0, 92)), 16);
  return h;
}

/** The sectors to write at the start (LBA 0–33) and at the end (the last 33) of a disk of `totalSectors`. */
export function gptTables(totalSectors: number, partitions: GptPartition[], diskGuid: string = randomUUID()): { start: Buffer; end: Buffer } {
  const lastUsable = totalSectors - 2 - GPT_ENTRY_SECTORS;
  const entries = Buffer.alloc(ENTRIES * ENTRY_SIZE);
  partitions.forEach((p, i) => {
    if (p.firstLba < 2 + GPT_ENTRY_SECTORS || p.lastLba > lastUsable || p.lastLba < p.firstLba) throw new Error(`partition ${p.name} (${p.firstLba}–${p.lastLba}) lies outside the usable sectors`);
    const e = i * ENTRY_SIZE;
    guidBytes(p.type).copy(entries, e);
    guidBytes(p.guid ?? randomUUID()).copy(entries, e + 16);
    entries.writeBigUInt64LE(BigInt(p.firstLba), e + 32);
    entries.writeBigUInt64LE(BigInt(p.lastLba), e + 40);
    entries.write(p.name.slice(0, 36), e + 56, 'utf16le');
  });
  const entriesCrc = crc32(entries);
  // The protective MBR: one partition of type 0xEE covering the disk (up to 2 TiB).
  const mbr = Buffer.alloc(SECTOR);
  mbr.set([0x00, 0x00, 0x02, 0x00, 0xee, 0xff, 0xff, 0xff], 446);
  mbr.writeUInt32LE(1, 454);
  mbr.writeUInt32LE(Math.min(totalSectors - 1, 0xffffffff), 458);
  mbr.writeUInt16LE(0xaa55, 510);
  return { start: Buffer.concat([mbr, header(totalSectors, false, entriesCrc, diskGuid), entries]), end: Buffer.concat([entries, header(totalSectors, true, entriesCrc, diskGuid)]) };
}
