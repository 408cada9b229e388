import { createSocket } from 'node:dgram';

/**
 * A raw TFTP peer for the refusal and malformed-packet tests: it sends exactly the bytes given
 * (real clients normalise `..` and leading slashes away) and collects what comes back.
 */
export async function exchange(port: number, packets: Buffer[], waitMs = 300, gapMs = 0): Promise<Buffer[]> {
  const sock = createSocket('udp4');
  const got: Buffer[] = [];
  sock.on('message', (m) => got.push(m));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  for (const p of packets) {
    sock.send(p, port, '127.0.0.1');
    if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
  }
  await new Promise((r) => setTimeout(r, waitMs));
  sock.close();
  return got;
}

export function rrq(name: string, opts: Record<string, string> = {}): Buffer {
  const extra = Object.entries(opts).map(([k, v]) => `${k}\0${v}\0`).join('');
  return Buffer.concat([Buffer.from([0, 1]), Buffer.from(`${name}\0octet\0${extra}`, 'latin1')]);
}

export function errorCode(p: Buffer | undefined): number | null {
  return p && p.length >= 4 && p.readUInt16BE(0) === 5 ? p.readUInt16BE(2) : null;
}
