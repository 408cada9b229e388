import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Progress } from '../images/progress.js';
import { flushBuffers } from './tools/blockdev.js';

const CHUNK = 4 * 1024 * 1024;

export interface WriteResult {
  bytes: number;
  sha256: string;
  readBack: string;
}

export class ReadBackMismatch extends Error {}

/**
 * Copies the image onto the device, fsyncs, drops the device's cached blocks and reads the same
 * number of bytes back. Returns both hashes; the caller compares. O_EXCL on a block device makes
 * the kernel refuse a device that is mounted or claimed, even if it got mounted after the checks.
 */
export async function writeImage(image: string, device: string, progress: Progress, o: { flush?: (device: string) => Promise<void> } = {}): Promise<WriteResult> {
  const size = (await stat(image)).size;
  const src = await open(image, 'r');
  const dst = await open(device, constants.O_WRONLY | constants.O_EXCL);
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(CHUNK);
  let done = 0;
  try {
    progress.start('write', size, 0);
    while (done < size) {
      const { bytesRead } = await src.read(buf, 0, Math.min(CHUNK, size - done), done);
      if (bytesRead === 0) throw new Error(`the image ended early at byte ${done}`);
      const slice = buf.subarray(0, bytesRead);
      hash.update(slice);
      let off = 0;
      while (off < bytesRead) {
        const { bytesWritten } = await dst.write(slice, off, bytesRead - off, done + off);
        off += bytesWritten;
      }
      done += bytesRead;
      progress.update(done);
    }
    await dst.sync();
    progress.finish();
  } finally {
    await src.close();
    await dst.close();
  }
  await (o.flush ?? flushBuffers)(device);
  const back = await open(device, 'r');
  const check = createHash('sha256');
  let read = 0;
  try {
    progress.start('read back', size, 0);
    while (read < size) {
      const { bytesRead } = await back.read(buf, 0, Math.min(CHUNK, size - read), read);
      if (bytesRead === 0) break;
      check.update(buf.subarray(0, bytesRead));
      read += bytesRead;
      progress.update(read);
    }
    progress.finish();
  } finally {
    await back.close();
  }
  return { bytes: size, sha256: hash.digest('hex'), readBack: check.digest('hex') };
}
