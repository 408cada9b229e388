// An initramfs is a run of segments — uncompressed cpio, xz streams, zstd frames — that the
// kernel unpacks in order (zero padding between them allowed); a later member replaces an
// earlier one of the same name. Talos appends its extensions archive as one more segment.
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { CPIO_MAGIC, readCpio, type CpioHeader } from './cpio.js';
import { MediaError } from './errors.js';
import { xzDecompress } from './tools/xz.js';
import { zstdDecompress } from './tools/zstd.js';
import { zstdFrameLength, type ReadAt } from './zstd-frames.js';

export type SegmentKind = 'cpio' | 'xz' | 'zstd';

export interface Segment {
  kind: SegmentKind;
  start: number;
  /** Exclusive. */
  end: number;
}

const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

/** An initramfs that cannot be read as one: the medium is damaged or not what it claims. */
export class InitramfsFormatError extends MediaError {
  override name = 'InitramfsFormatError';
  constructor(message: string) {
    super('layout', `initramfs ${message}`, 'the medium is damaged or not a Talos ISO: download or build it again and compare its sha256');
  }
}

function reader(fh: FileHandle): ReadAt {
  return async (at, length) => {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, at);
    return buf.subarray(0, bytesRead);
  };
}

/** Offsets where an xz or zstd magic number appears, scanning the file in 1 MiB windows. */
async function magicOffsets(fh: FileHandle, size: number): Promise<number[]> {
  const found: number[] = [];
  const window = 1 << 20;
  const overlap = XZ_MAGIC.length - 1;
  const buf = Buffer.alloc(window + overlap);
  for (let pos = 0; pos < size; pos += window) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(window + overlap, size - pos), pos);
    const view = buf.subarray(0, bytesRead);
    for (const magic of [XZ_MAGIC, ZSTD_MAGIC]) {
      let i = view.indexOf(magic);
      while (i !== -1 && i < window) {
        found.push(pos + i);
        i = view.indexOf(magic, i + 1);
      }
    }
  }
  return [...new Set(found)].sort((a, b) => a - b);
}

/** End of an uncompressed cpio archive starting at `at` (after its trailer), by walking headers. */
async function cpioEnd(read: ReadAt, at: number, size: number): Promise<number> {
  let p = at;
  for (;;) {
    const h = await read(p, 110);
    if (h.length < 110 || h.toString('ascii', 0, 6) !== CPIO_MAGIC) throw new InitramfsFormatError(`bad cpio header at byte ${p}`);
    const filesize = parseInt(h.toString('ascii', 54, 62), 16);
    const namesize = parseInt(h.toString('ascii', 94, 102), 16);
    const nameEnd = p + 110 + namesize;
    const name = (await read(p + 110, namesize - 1)).toString('utf8');
    p = nameEnd + ((4 - (nameEnd % 4)) % 4);
    p += filesize + ((4 - (filesize % 4)) % 4);
    if (p > size) throw new InitramfsFormatError(`cpio member ${name} runs past the end of the file`);
    if (name === 'TRAILER!!!') return p;
  }
}

async function zstdRunEnd(read: ReadAt, at: number, size: number): Promise<number | undefined> {
  let p = at;
  for (;;) {
    const len = await zstdFrameLength(read, p, size);
    if (len === undefined) return p === at ? undefined : p;
    p += len;
    const next = await read(p, 4);
    if (next.length < 4 || !next.equals(ZSTD_MAGIC)) return p;
  }
}

async function skipZeros(read: ReadAt, at: number, size: number): Promise<number> {
  let p = at;
  while (p < size) {
    const chunk = await read(p, Math.min(65536, size - p));
    const nz = chunk.findIndex((b) => b !== 0);
    if (nz !== -1) return p + nz;
    p += chunk.length;
  }
  return p;
}

/** Splits an initramfs file into its segments without decompressing anything. */
export async function findSegments(file: string): Promise<Segment[]> {
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const read = reader(fh);
    const candidates = await magicOffsets(fh, size);
    const segments: Segment[] = [];
    let pos = await skipZeros(read, 0, size);
    while (pos < size) {
      const head = await read(pos, 6);
      if (head.toString('ascii') === CPIO_MAGIC) {
        const end = await cpioEnd(read, pos, size);
        segments.push({ kind: 'cpio', start: pos, end });
        pos = await skipZeros(read, end, size);
      } else if (head.subarray(0, 4).equals(ZSTD_MAGIC)) {
        const end = await zstdRunEnd(read, pos, size);
        if (end === undefined) throw new InitramfsFormatError(`damaged zstd frame at byte ${pos}`);
        segments.push({ kind: 'zstd', start: pos, end });
        pos = await skipZeros(read, end, size);
      } else if (head.equals(XZ_MAGIC)) {
        // An xz stream ends with the footer magic "YZ"; the next segment starts at the next
        // magic number that really opens a segment (a zstd magic inside xz data is checked by
        // walking its frame).
        let end = size;
        for (const c of candidates) {
          if (c <= pos) continue;
          const m = await read(c, 6);
          if (m.equals(XZ_MAGIC)) {
            end = c;
            break;
          }
          const zEnd = await zstdRunEnd(read, c, size);
          if (zEnd !== undefined && (zEnd === size || (await skipZeros(read, zEnd, size)) === size || candidates.includes(await skipZeros(read, zEnd, size)))) {
            end = c;
            break;
          }
        }
        // Trim the zero padding before the next segment.
        let trimmed = end;
        while (trimmed > pos) {
          const from = Math.max(pos, trimmed - 4096);
          const tail = await read(from, trimmed - from);
          let i = tail.length;
          while (i > 0 && tail[i - 1] === 0) i--;
          trimmed = from + i;
          if (i > 0) break;
        }
        segments.push({ kind: 'xz', start: pos, end: trimmed });
        pos = await skipZeros(read, end, size);
      } else {
        throw new InitramfsFormatError(`unknown data at byte ${pos} (neither cpio, xz nor zstd)`);
      }
    }
    return segments;
  } finally {
    await fh.close();
  }
}

/** The decompressed bytes of one segment, as a stream; await `done` afterwards for tool errors. */
export function openSegment(file: string, seg: Segment): { stream: Readable; done: Promise<void> } {
  const raw = createReadStream(file, { start: seg.start, end: seg.end - 1, highWaterMark: 1 << 20 });
  if (seg.kind === 'cpio') return { stream: raw, done: Promise.resolve() };
  const d = seg.kind === 'xz' ? xzDecompress(raw, file) : zstdDecompress(raw, file);
  return { stream: d.stdout, done: d.done };
}

export interface InitramfsScan {
  segments: Segment[];
  /** Last copy of each kept member, as the kernel would leave it after unpacking everything. */
  members: Map<string, Buffer>;
  /** Every member name seen, in order, with the segment index it came from. */
  names: { name: string; segment: number; header: CpioHeader }[];
}

/** Reads every segment in order, keeping the members `keep` selects (last one wins). */
export async function scanInitramfs(file: string, keep: (name: string) => boolean): Promise<InitramfsScan> {
  const segments = await findSegments(file);
  const members = new Map<string, Buffer>();
  const names: InitramfsScan['names'] = [];
  for (const [i, seg] of segments.entries()) {
    const { stream, done } = openSegment(file, seg);
    try {
      for await (const m of readCpio(stream, (h) => keep(normalize(h.name)))) {
        const name = normalize(m.name);
        names.push({ name, segment: i, header: m });
        if (m.data) members.set(name, m.data);
      }
    } catch (err) {
      stream.destroy();
      await done.catch(() => undefined);
      throw new InitramfsFormatError(`segment ${i + 1} (${seg.kind}, bytes ${seg.start}-${seg.end}): ${(err as Error).message}`);
    }
    await done;
  }
  return { segments, members, names };
}

/** Member names as the kernel resolves them: relative to /, without "./". */
export function normalize(name: string): string {
  return name.replace(/^(\.\/)+/, '').replace(/^\/+/, '');
}
