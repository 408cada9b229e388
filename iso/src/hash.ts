import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';

/** sha256 of a file, streaming. */
export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

async function writeAll(fh: FileHandle, data: Buffer): Promise<void> {
  let off = 0;
  while (off < data.length) off += (await fh.write(data, off, data.length - off)).bytesWritten;
}

export interface HashingFile {
  sink: Writable;
  /** sha256 and size of everything written; call once the sink finished. */
  digest: () => { sha256: string; size: number };
}

/**
 * A stream that hashes what passes through it on its way into `file` (created, never an existing
 * file, with `mode`), so the sha256 of a written file needs no second read.
 */
export async function openHashingFile(file: string, mode: number): Promise<HashingFile> {
  const fh = await open(file, 'wx', mode);
  const h = createHash('sha256');
  let size = 0;
  const take = (data: Buffer): Promise<void> => {
    h.update(data);
    size += data.length;
    return writeAll(fh, data);
  };
  const sink = new Writable({
    highWaterMark: 4 << 20,
    write(chunk: Buffer, _enc, cb) {
      take(chunk).then(() => cb(), cb);
    },
    // Chunks that queued up while a write was in flight go to disk in one call.
    writev(chunks, cb) {
      take(Buffer.concat(chunks.map((c) => c.chunk as Buffer))).then(() => cb(), cb);
    },
    final(cb) {
      fh.close().then(() => cb(), cb);
    },
    destroy(err, cb) {
      fh.close().then(
        () => cb(err),
        () => cb(err),
      );
    },
  });
  return { sink, digest: () => ({ sha256: h.digest('hex'), size }) };
}
