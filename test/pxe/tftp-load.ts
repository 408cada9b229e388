import { createSocket } from 'node:dgram';

/**
 * A TFTP read client with RFC 2348 blksize and RFC 7440 windowsize, for the windowsize and load
 * tests (tftp-hpa's client and curl do not ask for windowsize). It retransmits its request until
 * answered — a server at its cap drops requests, as RFC 1350 clients expect — and ACKs the last
 * in-order block at each window's end, or on a timeout (then the server resends from there).
 */
export async function tftpGet(o: { port: number; host?: string; name: string; bind?: string; blksize?: number; windowsize?: number; timeoutMs?: number }): Promise<{ data: Buffer; oack: Record<string, string> }> {
  const blksize = o.blksize ?? 512;
  const ws = o.windowsize ?? 1;
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, o.bind ?? '127.0.0.1', () => r()));
  const opts: Record<string, string> = { blksize: String(blksize), ...(o.windowsize ? { windowsize: String(ws) } : {}) };
  const rrq = Buffer.concat([Buffer.from([0, 1]), Buffer.from(`${o.name}\0octet\0${Object.entries(opts).map(([k, v]) => `${k}\0${v}\0`).join('')}`, 'latin1')]);
  const parts: Buffer[] = [];
  let got = 0; // last in-order block (unwrapped)
  let peer: { address: string; port: number } | null = null;
  let inWindow = 0;
  let oack: Record<string, string> = {};
  let size = blksize;
  let window = ws;
  let done = false;
  const ack = (n: number) => {
    const b = Buffer.from([0, 4, (n >> 8) & 255, n & 255]);
    if (peer) sock.send(b, peer.port, peer.address);
  };
  try {
    return await new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout;
      let tries = 0;
      const deadline = setTimeout(() => reject(new Error(`${o.name}: no complete transfer within 120 s (${got} blocks)`)), 120_000);
      const kick = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          if (++tries > 60) return reject(new Error(`${o.name}: the server stopped answering after block ${got}`));
          if (!peer) sock.send(rrq, o.port, o.host ?? '127.0.0.1');
          else ack(got & 0xffff);
          kick();
        }, o.timeoutMs ?? 1000);
      };
      sock.on('message', (m, r) => {
        const op = m.readUInt16BE(0);
        // Dallying (RFC 1350 §6): a resent last block means our final ACK was lost; ACK it again.
        if (done) return op === 3 ? ack(m.readUInt16BE(2)) : undefined;
        if (op === 5) return reject(new Error(`${o.name}: TFTP error ${m.readUInt16BE(2)} ${m.subarray(4).toString()}`));
        peer ??= { address: r.address, port: r.port };
        tries = 0;
        if (op === 6) {
          const f = m.subarray(2).toString('latin1').split('\0');
          oack = {};
          for (let i = 0; i + 1 < f.length; i += 2) if (f[i]) oack[f[i] as string] = f[i + 1] as string;
          size = Number(oack.blksize ?? 512);
          window = Number(oack.windowsize ?? 1);
          ack(0);
          return kick();
        }
        if (op !== 3) return;
        const n = m.readUInt16BE(2);
        if (n !== ((got + 1) & 0xffff)) {
          // Out of order or a resend: ACK what we have so the server resends from there.
          ack(got & 0xffff);
          inWindow = 0;
          return kick();
        }
        got++;
        parts.push(Buffer.from(m.subarray(4)));
        const last = m.length - 4 < size;
        if (last || ++inWindow >= window) {
          ack(n);
          inWindow = 0;
        }
        if (last) {
          clearTimeout(timer);
          clearTimeout(deadline);
          done = true;
          return resolve({ data: Buffer.concat(parts), oack });
        }
        kick();
      });
      sock.send(rrq, o.port, o.host ?? '127.0.0.1');
      kick();
    });
  } finally {
    setTimeout(() => sock.close(), 3000).unref();
  }
}
