import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Streams a file through sha256 (never holds it in memory); `onBytes` sees each chunk's size. */
export async function sha256File(path: string, onBytes?: (n: number) => void, into: Hash = createHash('sha256')): Promise<string> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    into.update(chunk as Buffer);
    onBytes?.((chunk as Buffer).length);
  }
  return into.copy().digest('hex');
}

export const isSha256 = (s: string) => /^[0-9a-f]{64}$/.test(s);
