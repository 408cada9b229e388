// Assembles a UKI from systemd-stub and its payload sections, natively (what ukify does for a
// single-profile UKI): each section is appended after the stub's own, at the next
// SectionAlignment (RVA) and FileAlignment (file offset), read-only initialized data; the header
// gets the new section headers, NumberOfSections, SizeOfImage and SizeOfInitializedData; the
// CheckSum is 0 as ukify writes it. systemd-stub 257 (src/boot/pe.c) finds its sections by name:
// .osrel, .cmdline, .linux, .initrd. Pure.
import { parsePe, PeFormatError, SCN_CNT_INITIALIZED_DATA } from './pe.js';

const SCN_MEM_READ = 0x40000000;

export interface UkiSection {
  /** Up to 8 bytes: `.linux`, `.initrd`, `.cmdline`, `.osrel`, … */
  name: string;
  data: Buffer;
}

const align = (n: number, a: number) => Math.ceil(n / a) * a;

export function assembleUki(stub: Buffer, sections: UkiSection[]): Buffer {
  const pe = parsePe(stub);
  if (pe.certificateTableSize !== 0) throw new PeFormatError('the stub is signed: appending sections would void its signature');
  const coffSections = pe.timestampOffset - 2;
  const tableEnd = pe.sectionTableOffset + (pe.sections.length + sections.length) * 40;
  const firstData = Math.min(...pe.sections.filter((s) => s.rawSize > 0).map((s) => s.fileOffset));
  if (tableEnd > pe.sizeOfHeaders || tableEnd > firstData) throw new PeFormatError(`the stub's headers have no room for ${sections.length} more section headers`);
  let rva = align(Math.max(...pe.sections.map((s) => s.rva + Math.max(s.virtualSize, s.rawSize))), pe.sectionAlignment);
  let offset = align(Math.max(...pe.sections.map((s) => s.fileOffset + s.rawSize)), pe.fileAlignment);
  const parts: Buffer[] = [stub.subarray(0, offset)];
  if (parts[0]!.length < offset) parts.push(Buffer.alloc(offset - parts[0]!.length));
  const head = Buffer.from(stub.subarray(0, pe.sizeOfHeaders));
  let initialized = pe.sizeOfInitializedData;
  sections.forEach((s, i) => {
    if (Buffer.byteLength(s.name, 'latin1') > 8) throw new PeFormatError(`section name ${s.name} is longer than 8 bytes`);
    const raw = align(s.data.length, pe.fileAlignment);
    const h = pe.sectionTableOffset + (pe.sections.length + i) * 40;
    head.fill(0, h, h + 40);
    head.write(s.name, h, 'latin1');
    head.writeUInt32LE(s.data.length, h + 8);
    head.writeUInt32LE(rva, h + 12);
    head.writeUInt32LE(raw, h + 16);
    head.writeUInt32LE(offset, h + 20);
    head.writeUInt32LE((SCN_CNT_INITIALIZED_DATA | SCN_MEM_READ) >>> 0, h + 36);
    parts.push(s.data, Buffer.alloc(raw - s.data.length));
    initialized += raw;
    rva = align(rva + s.data.length, pe.sectionAlignment);
    offset += raw;
  });
  head.writeUInt16LE(pe.sections.length + sections.length, coffSections);
  head.writeUInt32LE(rva, pe.sizeOfImageOffset);
  head.writeUInt32LE(initialized >>> 0, pe.sizeOfInitializedDataOffset);
  head.writeUInt32LE(0, pe.checksumOffset);
  const out = Buffer.concat(parts);
  head.copy(out, 0);
  return out;
}
