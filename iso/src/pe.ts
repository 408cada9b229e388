// Reads the parts of a PE/COFF image (an EFI application such as a UKI) that the media code
// needs: the section table, the header fields a section rewrite must update, the data
// directories (what must not move) and the certificate table (present when the image is signed).
// Field offsets: Microsoft PE/COFF specification, "Optional Header Windows-Specific Fields".

export interface PeSection {
  name: string;
  /** Address relative to the image base. */
  rva: number;
  virtualSize: number;
  fileOffset: number;
  rawSize: number;
  characteristics: number;
}

/** IMAGE_SCN_CNT_INITIALIZED_DATA: counted in SizeOfInitializedData. */
export const SCN_CNT_INITIALIZED_DATA = 0x40;

export interface PeInfo {
  /** File offsets of the COFF TimeDateStamp and the optional header CheckSum. */
  timestampOffset: number;
  checksumOffset: number;
  timestamp: number;
  imageBase: number;
  sectionAlignment: number;
  fileAlignment: number;
  sizeOfImage: number;
  sizeOfHeaders: number;
  sizeOfInitializedData: number;
  /** File offsets of SizeOfImage, SizeOfInitializedData and of the first section header. */
  sizeOfImageOffset: number;
  sizeOfInitializedDataOffset: number;
  sectionTableOffset: number;
  /** COFF symbol table pointer (image files should have none). */
  pointerToSymbolTable: number;
  /** Data directories (export, import, resource, …, base relocations, debug): RVA and size. */
  dataDirectories: { rva: number; size: number }[];
  sections: PeSection[];
  /** Size of the Authenticode certificate table; non-zero means the image is signed. */
  certificateTableSize: number;
}

export class PeFormatError extends Error {
  override name = 'PeFormatError';
}

/** Parses the headers; `head` must hold at least the headers and section table (4 KiB is plenty). */
export function parsePe(head: Buffer): PeInfo {
  if (head.length < 0x40 || head.toString('latin1', 0, 2) !== 'MZ') throw new PeFormatError('not a PE image (no MZ header)');
  const pe = head.readUInt32LE(0x3c);
  if (pe + 24 > head.length || head.toString('latin1', pe, pe + 4) !== 'PE\0\0') throw new PeFormatError('not a PE image (no PE signature)');
  const coff = pe + 4;
  const numberOfSections = head.readUInt16LE(coff + 2);
  const optSize = head.readUInt16LE(coff + 16);
  const opt = coff + 20;
  const magic = head.readUInt16LE(opt);
  if (magic !== 0x20b && magic !== 0x10b) throw new PeFormatError(`unknown optional header magic 0x${magic.toString(16)}`);
  const plus = magic === 0x20b;
  const imageBase = plus ? Number(head.readBigUInt64LE(opt + 24)) : head.readUInt32LE(opt + 28);
  const sectionAlignment = head.readUInt32LE(opt + 32);
  const dirs = opt + (plus ? 112 : 96);
  const numberOfDirs = head.readUInt32LE(opt + (plus ? 108 : 92));
  const certificateTableSize = numberOfDirs > 4 ? head.readUInt32LE(dirs + 4 * 8 + 4) : 0;
  const dataDirectories: { rva: number; size: number }[] = [];
  for (let i = 0; i < Math.min(numberOfDirs, 16); i++) dataDirectories.push({ rva: head.readUInt32LE(dirs + i * 8), size: head.readUInt32LE(dirs + i * 8 + 4) });
  const table = opt + optSize;
  if (table + numberOfSections * 40 > head.length) throw new PeFormatError('section table lies beyond the headers read');
  const sections: PeSection[] = [];
  for (let i = 0; i < numberOfSections; i++) {
    const s = table + i * 40;
    sections.push({
      name: head.toString('latin1', s, s + 8).replace(/\0.*$/, ''),
      virtualSize: head.readUInt32LE(s + 8),
      rva: head.readUInt32LE(s + 12),
      rawSize: head.readUInt32LE(s + 16),
      fileOffset: head.readUInt32LE(s + 20),
      characteristics: head.readUInt32LE(s + 36),
    });
  }
  return {
    timestampOffset: coff + 4,
    checksumOffset: opt + 64,
    timestamp: head.readUInt32LE(coff + 4),
    imageBase,
    sectionAlignment,
    fileAlignment: head.readUInt32LE(opt + 36),
    sizeOfImage: head.readUInt32LE(opt + 56),
    sizeOfHeaders: head.readUInt32LE(opt + 60),
    sizeOfInitializedData: head.readUInt32LE(opt + 8),
    sizeOfImageOffset: opt + 56,
    sizeOfInitializedDataOffset: opt + 8,
    sectionTableOffset: table,
    pointerToSymbolTable: head.readUInt32LE(coff + 8),
    dataDirectories,
    sections,
    certificateTableSize,
  };
}

/**
 * Folds 16-bit little-endian words into the running PE checksum sum (the CheckSum field itself
 * must be passed as zeros). Feed the whole file in order, then call `finishPeChecksum`.
 */
export function foldPeChecksum(sum: number, chunk: Buffer): number {
  let s = sum;
  for (let i = 0; i + 1 < chunk.length; i += 2) {
    s += chunk[i]! | (chunk[i + 1]! << 8);
    s = (s & 0xffff) + (s >>> 16);
  }
  if (chunk.length % 2 === 1) {
    s += chunk[chunk.length - 1]!;
    s = (s & 0xffff) + (s >>> 16);
  }
  return s;
}

export function finishPeChecksum(sum: number, fileLength: number): number {
  const folded = (sum & 0xffff) + (sum >>> 16);
  return ((folded & 0xffff) + fileLength) >>> 0;
}
