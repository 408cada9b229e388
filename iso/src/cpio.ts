// cpio "newc" (SVR4 without CRC): the format the Linux kernel unpacks from an initramfs.
// Layout of each member: a 110-byte ASCII header ("070701" + 13 eight-digit hex fields), the
// NUL-terminated name padded to 4 bytes, the data padded to 4 bytes. The archive ends with a
// member named "TRAILER!!!".

export const CPIO_MAGIC = '070701';
const HEADER_SIZE = 110;
const TRAILER = 'TRAILER!!!';

export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;

/** What a member looks like before its data: a deterministic archive fixes every field. */
export interface CpioHeader {
  name: string;
  /** File type and permission bits, for example `S_IFREG | 0o644`. */
  mode: number;
  size: number;
  uid: number;
  gid: number;
  mtime: number;
  nlink: number;
  ino: number;
}

export interface CpioMemberSpec {
  name: string;
  mode: number;
  /** Regular files: the bytes; directories: omitted. */
  data?: Uint8Array;
}

const pad4 = (n: number) => (4 - (n % 4)) % 4;

function hex8(value: number, field: string): string {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`cpio: field ${field} = ${value} does not fit 32 bits`);
  }
  return value.toString(16).toUpperCase().padStart(8, '0');
}

/** The header bytes of one member, including its padded name. Pure. */
export function encodeHeader(h: CpioHeader): Buffer {
  if (h.name.length === 0) throw new Error('cpio: empty member name');
  const name = Buffer.from(`${h.name}\0`, 'utf8');
  const fields = [h.ino, h.mode, h.uid, h.gid, h.nlink, h.mtime, h.size, 0, 0, 0, 0, name.length, 0];
  const names = ['ino', 'mode', 'uid', 'gid', 'nlink', 'mtime', 'filesize', 'devmajor', 'devminor', 'rdevmajor', 'rdevminor', 'namesize', 'check'];
  const text = CPIO_MAGIC + fields.map((v, i) => hex8(v, names[i]!)).join('');
  return Buffer.concat([Buffer.from(text, 'ascii'), name, Buffer.alloc(pad4(HEADER_SIZE + name.length))]);
}

/**
 * A whole archive in memory, deterministic: uid/gid 0, the given mtime, inodes numbered from 1 in
 * order. For small archives (the embed layer is a few kilobytes plus squashfs images); callers
 * that stream use `encodeHeader` and `padding` directly.
 */
export function buildCpio(members: CpioMemberSpec[], mtime: number): Buffer {
  const parts: Buffer[] = [];
  members.forEach((m, i) => {
    const data = m.data ? Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength) : Buffer.alloc(0);
    const isDir = (m.mode & 0o170000) === S_IFDIR;
    parts.push(encodeHeader({ name: m.name, mode: m.mode, size: data.length, uid: 0, gid: 0, mtime, nlink: isDir ? 2 : 1, ino: i + 1 }));
    parts.push(data, Buffer.alloc(pad4(data.length)));
  });
  parts.push(trailer());
  return Buffer.concat(parts);
}

export function trailer(): Buffer {
  return encodeHeader({ name: TRAILER, mode: 0, size: 0, uid: 0, gid: 0, mtime: 0, nlink: 1, ino: 0 });
}

export function padding(size: number): Buffer {
  return Buffer.alloc(pad4(size));
}

export interface CpioMember extends CpioHeader {
  /** Present when the `keep` predicate asked for it. */
  data?: Buffer;
}

export class CpioFormatError extends Error {
  override name = 'CpioFormatError';
}

/** Bounds on what a reader buffers, checked on the header before any data is read. */
export interface CpioLimits {
  /** Largest member `keep` may ask to hold in memory. */
  maxKeptBytes?: number;
  /** Longest member name; the kernel's initramfs unpacker refuses names past PATH_MAX (4096). */
  maxNameBytes?: number;
}
export const MAX_KEPT_BYTES = 64 << 20;
const MAX_NAME_BYTES = 4096;

/**
 * Streams the members of one or more concatenated newc archives (zero padding between them is
 * skipped, as the kernel does). Only members accepted by `keep` are buffered; the rest are
 * skipped as they pass, so memory stays at the size of the kept members — at most
 * `maxKeptBytes` each: a header claiming more (a decompression bomb) fails at once.
 */
export async function* readCpio(source: AsyncIterable<Uint8Array>, keep: (h: CpioHeader) => boolean = () => false, limits: CpioLimits = {}): AsyncGenerator<CpioMember> {
  const maxKept = limits.maxKeptBytes ?? MAX_KEPT_BYTES;
  const maxName = limits.maxNameBytes ?? MAX_NAME_BYTES;
  let buf: Buffer = Buffer.alloc(0);
  let offset = 0; // absolute offset of buf[0] in the stream, for error messages
  const it = source[Symbol.asyncIterator]();
  let done = false;

  async function need(n: number): Promise<boolean> {
    if (buf.length >= n) return true;
    const chunks: Buffer[] = [buf];
    let have = buf.length;
    while (have < n && !done) {
      const r = await it.next();
      if (r.done) done = true;
      else {
        chunks.push(Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength));
        have += r.value.byteLength;
      }
    }
    buf = Buffer.concat(chunks, have);
    return have >= n;
  }
  function consume(n: number): Buffer {
    const out = buf.subarray(0, n);
    buf = buf.subarray(n);
    offset += n;
    return out;
  }

  for (;;) {
    // Skip padding zeros between archives.
    while (await need(1)) {
      const nz = buf.findIndex((b) => b !== 0);
      if (nz === -1) consume(buf.length);
      else {
        consume(nz);
        break;
      }
    }
    if (!(await need(1))) return;
    if (!(await need(HEADER_SIZE))) throw new CpioFormatError(`truncated cpio header at byte ${offset}`);
    const text = buf.subarray(0, HEADER_SIZE).toString('ascii');
    if (!text.startsWith(CPIO_MAGIC)) {
      throw new CpioFormatError(`not a cpio newc header at byte ${offset} (found ${JSON.stringify(text.slice(0, 6))})`);
    }
    const field = (i: number) => {
      const s = text.slice(6 + i * 8, 14 + i * 8);
      if (!/^[0-9a-fA-F]{8}$/.test(s)) throw new CpioFormatError(`bad hex field ${i} in cpio header at byte ${offset}`);
      return parseInt(s, 16);
    };
    const header = { ino: field(0), mode: field(1), uid: field(2), gid: field(3), nlink: field(4), mtime: field(5), size: field(6) };
    const namesize = field(11);
    if (namesize > maxName) throw new CpioFormatError(`cpio header at byte ${offset} names a member ${namesize} bytes long (more than ${maxName})`);
    const nameTotal = namesize + pad4(HEADER_SIZE + namesize);
    if (!(await need(HEADER_SIZE + nameTotal))) throw new CpioFormatError(`truncated cpio name at byte ${offset}`);
    consume(HEADER_SIZE);
    const name = consume(nameTotal).subarray(0, Math.max(0, namesize - 1)).toString('utf8');
    if (name === TRAILER) continue;
    const member: CpioMember = { name, ...header };
    const dataTotal = header.size + pad4(header.size);
    if (keep(member)) {
      if (header.size > maxKept) {
        throw new CpioFormatError(`member ${name} at byte ${offset} claims ${header.size} bytes, more than the ${maxKept} read into memory (a damaged or hostile archive)`);
      }
      if (!(await need(dataTotal))) throw new CpioFormatError(`truncated data of ${name} at byte ${offset}`);
      member.data = Buffer.from(consume(dataTotal).subarray(0, header.size));
    } else {
      let left = dataTotal;
      while (left > 0) {
        if (!(await need(1))) throw new CpioFormatError(`truncated data of ${name} at byte ${offset}`);
        left -= consume(Math.min(left, buf.length)).length;
      }
    }
    yield member;
  }
}
