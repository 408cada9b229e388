/** TFTP wire format (RFC 1350) with option extension (RFC 2347/2348/2349). Pure. */
export const OP = { RRQ: 1, WRQ: 2, DATA: 3, ACK: 4, ERROR: 5, OACK: 6 } as const;

export const ERR = { notDefined: 0, notFound: 1, accessViolation: 2, illegal: 4, unknownTid: 5, badOption: 8 } as const;

export interface ReadRequest {
  filename: string;
  mode: string;
  /** Lower-cased option names with their raw values. */
  options: Record<string, string>;
}

/** Parses a request packet, or returns a reason it is not a well-formed read request. */
export function parseRequest(buf: Buffer): ReadRequest | { error: string; code: number } {
  if (buf.length < 4) return { error: 'Illegal TFTP operation.', code: ERR.illegal };
  const op = buf.readUInt16BE(0);
  if (op === OP.WRQ) return { error: 'Access violation.', code: ERR.accessViolation };
  if (op !== OP.RRQ) return { error: 'Illegal TFTP operation.', code: ERR.illegal };
  const fields: string[] = [];
  let pos = 2;
  while (pos < buf.length) {
    const nul = buf.indexOf(0, pos);
    if (nul < 0) return { error: 'Illegal TFTP operation.', code: ERR.illegal };
    fields.push(buf.toString('latin1', pos, nul));
    pos = nul + 1;
  }
  const [filename, mode, ...rest] = fields;
  if (!filename || mode === undefined) return { error: 'Illegal TFTP operation.', code: ERR.illegal };
  const options: Record<string, string> = {};
  for (let i = 0; i + 1 < rest.length; i += 2) options[(rest[i] ?? '').toLowerCase()] = rest[i + 1] ?? '';
  return { filename, mode: mode.toLowerCase(), options };
}

export function dataPacket(block: number, body: Buffer): Buffer {
  const p = Buffer.allocUnsafe(4 + body.length);
  p.writeUInt16BE(OP.DATA, 0);
  p.writeUInt16BE(block & 0xffff, 2);
  body.copy(p, 4);
  return p;
}

export function errorPacket(code: number, message: string): Buffer {
  const msg = Buffer.from(message, 'latin1');
  const p = Buffer.alloc(5 + msg.length);
  p.writeUInt16BE(OP.ERROR, 0);
  p.writeUInt16BE(code, 2);
  msg.copy(p, 4);
  return p;
}

export function oackPacket(options: Record<string, string>): Buffer {
  const parts = [Buffer.from([0, OP.OACK])];
  for (const [k, v] of Object.entries(options)) parts.push(Buffer.from(`${k}\0${v}\0`, 'latin1'));
  return Buffer.concat(parts);
}

/** An ACK's block number, or null for anything that is not a well-formed ACK. */
export function ackBlock(buf: Buffer): number | null {
  if (buf.length < 4 || buf.readUInt16BE(0) !== OP.ACK) return null;
  return buf.readUInt16BE(2);
}

export interface Negotiated {
  blksize: number;
  timeoutMs: number;
  /** RFC 7440: blocks sent before waiting for an ACK (1 = RFC 1350 lock-step). */
  windowsize: number;
  /** Options to echo in an OACK; empty means plain RFC 1350 (no OACK). */
  reply: Record<string, string>;
}

/** Most bytes one window may hold: bounds a transfer's memory whatever the client asks. */
export const MAX_WINDOW_BYTES = 1 << 20;

/** Decides the options to accept; sizes outside the RFC ranges are left out of the OACK. */
export function negotiate(req: ReadRequest, size: number, maxBlksize: number, maxWindow = 64): Negotiated {
  const reply: Record<string, string> = {};
  let blksize = 512;
  let timeoutMs = 1000;
  const b = Number(req.options.blksize);
  if (req.options.blksize !== undefined && Number.isInteger(b) && b >= 8) {
    blksize = Math.min(b, maxBlksize, 65464);
    reply.blksize = String(blksize);
  }
  if (req.options.tsize !== undefined) reply.tsize = String(size);
  // RFC 7440 windowsize 1..65535; EDK2's MTFTP4 asks for it. Answered with what we accept.
  let windowsize = 1;
  const w = Number(req.options.windowsize);
  if (req.options.windowsize !== undefined && Number.isInteger(w) && w >= 1 && w <= 65535) {
    windowsize = Math.max(1, Math.min(w, maxWindow, Math.floor(MAX_WINDOW_BYTES / blksize)));
    reply.windowsize = String(windowsize);
  }
  const t = Number(req.options.timeout);
  if (req.options.timeout !== undefined && Number.isInteger(t) && t >= 1 && t <= 255) {
    timeoutMs = t * 1000;
    reply.timeout = String(t);
  }
  return { blksize, timeoutMs, windowsize, reply };
}
