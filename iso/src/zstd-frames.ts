// Finds where a zstd frame ends from the frame format (RFC 8878 §3.1), without decompressing:
// the initramfs scanner needs exact segment ends because zstd rejects trailing bytes. Reads only
// frame and block headers through `read`, so a large frame costs a few hundred small reads.

const ZSTD_MAGIC = 0xfd2fb528;

export type ReadAt = (at: number, length: number) => Promise<Buffer>;

/** Length of the frame starting at `at`, or undefined when the bytes there are not a whole frame. */
export async function zstdFrameLength(read: ReadAt, at: number, limit: number): Promise<number | undefined> {
  const head = await read(at, 18);
  if (head.length < 6) return undefined;
  const magic = head.readUInt32LE(0);
  if ((magic & 0xfffffff0) >>> 0 === 0x184d2a50) return 8 + head.readUInt32LE(4); // skippable frame
  if (magic !== ZSTD_MAGIC) return undefined;
  const fhd = head[4]!;
  const single = (fhd >> 5) & 1;
  const checksum = (fhd >> 2) & 1;
  let p = at + 5 + (single ? 0 : 1) + [0, 1, 2, 4][fhd & 3]! + [single ? 1 : 0, 2, 4, 8][fhd >> 6]!;
  for (;;) {
    if (p + 3 > limit) return undefined;
    const b = await read(p, 3);
    if (b.length < 3) return undefined;
    const h = b[0]! | (b[1]! << 8) | (b[2]! << 16);
    const type = (h >> 1) & 3;
    if (type === 3) return undefined;
    p += 3 + (type === 1 ? 1 : h >>> 3);
    if (h & 1) break;
  }
  p += checksum ? 4 : 0;
  return p <= limit ? p - at : undefined;
}
