// Replaces a UKI's .initrd: the old section is removed and the new one added after every other
// section (objcopy keeps the stub and the other sections as they are). objcopy stamps PE images
// with the current time, so the base UKI's timestamp is put back and the checksum recomputed.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { finishPeChecksum, foldPeChecksum, nextSectionVma, parsePe, type PeInfo } from './pe.js';
import * as objcopy from './tools/objcopy.js';

/** Where the new .initrd goes. Pure. */
export function planInitrdReplace(pe: PeInfo): { vma: number } {
  return { vma: nextSectionVma(pe, '.initrd') };
}

async function restoreTimestamp(file: string, timestamp: number): Promise<void> {
  const fh = await open(file, 'r+');
  try {
    const head = Buffer.alloc(8192);
    await fh.read(head, 0, head.length, 0);
    const pe = parsePe(head);
    const stamp = Buffer.alloc(4);
    stamp.writeUInt32LE(timestamp);
    await fh.write(stamp, 0, 4, pe.timestampOffset);
    const zero = Buffer.alloc(4);
    const old = head.readUInt32LE(pe.checksumOffset);
    await fh.write(zero, 0, 4, pe.checksumOffset);
    if (old === 0) return;
    let sum = 0;
    let length = 0;
    for await (const chunk of createReadStream('', { fd: fh.fd, start: 0, autoClose: false, highWaterMark: 1 << 20 })) {
      sum = foldPeChecksum(sum, chunk as Buffer);
      length += (chunk as Buffer).length;
    }
    const sumBuf = Buffer.alloc(4);
    sumBuf.writeUInt32LE(finishPeChecksum(sum, length));
    await fh.write(sumBuf, 0, 4, pe.checksumOffset);
  } finally {
    await fh.close();
  }
}

export async function replaceInitrd(uki: string, pe: PeInfo, initrd: string, out: string): Promise<void> {
  const { vma } = planInitrdReplace(pe);
  await objcopy.rewriteSections(uki, out, ['.initrd'], [{ name: '.initrd', file: initrd, vma }]);
  await restoreTimestamp(out, pe.timestamp);
}
