// Rewrites sections of a UKI in place, natively: the section table keeps its order, so every
// profile keeps its sections and a new base `.initrd` is seen by every profile (systemd-stub 257,
// src/boot/pe.c: the sections before the first `.profile` are the base; a profile's own section
// of the same name overrides the base's). objcopy's remove-and-add puts the section after the
// profiles, where it belongs to the last profile only. The TimeDateStamp stays the base's; the
// CheckSum is recomputed only when the base had one (Talos's assembler and ukify write 0).
import { createReadStream } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { finishPeChecksum, foldPeChecksum, type PeInfo } from './pe.js';
import { planSectionRewrite, type PeLayout } from './pe-layout.js';

export interface SectionReplacement {
  index: number;
  /** New contents: a file (streamed) or bytes. */
  file?: string;
  data?: Buffer;
}

async function copyFromFile(src: string | FileHandle, from: number, length: number, out: FileHandle, at: number): Promise<void> {
  const stream = typeof src === 'string' ? createReadStream(src, { highWaterMark: 1 << 20 }) : createReadStream('', { fd: src.fd, start: from, end: from + length - 1, autoClose: false, highWaterMark: 1 << 20 });
  let pos = at;
  for await (const chunk of stream) {
    const b = chunk as Buffer;
    await out.write(b, 0, b.length, pos);
    pos += b.length;
  }
}

function patchHeaders(head: Buffer, pe: PeInfo, layout: PeLayout): void {
  for (const s of layout.sections) {
    const h = pe.sectionTableOffset + s.index * 40;
    head.writeUInt32LE(s.virtualSize, h + 8);
    head.writeUInt32LE(s.rva, h + 12);
    head.writeUInt32LE(s.rawSize, h + 16);
    head.writeUInt32LE(s.fileOffset, h + 20);
  }
  head.writeUInt32LE(layout.sizeOfImage, pe.sizeOfImageOffset);
  head.writeUInt32LE(layout.sizeOfInitializedData, pe.sizeOfInitializedDataOffset);
  head.writeUInt32LE(0, pe.checksumOffset);
}

/** Writes `out`: `uki` with the given sections' contents replaced. */
export async function rewriteUkiSections(uki: string, pe: PeInfo, replacements: SectionReplacement[], out: string): Promise<PeLayout> {
  const lengths = new Map<number, number>();
  for (const r of replacements) lengths.set(r.index, r.data ? r.data.length : (await stat(r.file!)).size);
  const layout = planSectionRewrite(pe, lengths);
  const src = await open(uki, 'r');
  const dst = await open(out, 'w+', 0o600);
  try {
    const head = Buffer.alloc(layout.headerEnd);
    await src.read(head, 0, head.length, 0);
    const hadChecksum = head.readUInt32LE(pe.checksumOffset) !== 0;
    patchHeaders(head, pe, layout);
    await dst.write(head, 0, head.length, 0);
    for (const s of layout.sections) {
      if (s.rawSize === 0) continue;
      const r = replacements.find((x) => x.index === s.index);
      if (r?.data) await dst.write(r.data, 0, r.data.length, s.fileOffset);
      else if (r?.file) await copyFromFile(r.file, 0, s.virtualSize, dst, s.fileOffset);
      else if (s.source.kind === 'original') await copyFromFile(src, s.source.from, s.source.length, dst, s.fileOffset);
    }
    // The gaps (alignment padding) are holes, read back as zeros; the file ends where the last
    // section's raw data ends.
    await dst.truncate(layout.fileSize);
    if (hadChecksum) {
      let sum = 0;
      for await (const chunk of createReadStream('', { fd: dst.fd, start: 0, autoClose: false, highWaterMark: 1 << 20 })) sum = foldPeChecksum(sum, chunk as Buffer);
      const b = Buffer.alloc(4);
      b.writeUInt32LE(finishPeChecksum(sum, layout.fileSize));
      await dst.write(b, 0, 4, pe.checksumOffset);
    }
  } finally {
    await src.close();
    await dst.close();
  }
  return layout;
}
