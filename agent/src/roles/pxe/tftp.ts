import { createSocket, type Socket } from 'node:dgram';
import { open, type FileHandle } from 'node:fs/promises';
import { createServer, type TFTPServer, type TftpHandler, type TftpRequestContext } from 'tftp-server';
import { ackBlock, dataPacket, ERR, errorPacket, negotiate, oackPacket, parseRequest, type ReadRequest } from './tftp-packet.js';
import { resolveUnderRoot } from './paths.js';

/**
 * TFTP on npm `tftp-server`, extended. We keep its socket, its demultiplexing of clients by
 * address and port, and its handler routes (`register`). We replace its per-transfer machine
 * (connection.js, through the `connectionFactory` seam) because that one ignores blksize/tsize,
 * wants the whole file as one Buffer, and writes the block number with writeUInt16BE, which
 * throws past block 65535 (32 MB at 512-byte blocks). Ours negotiates blksize, tsize, timeout and
 * RFC 7440 windowsize (EDK2's MTFTP4 asks for 4: NetworkPkg.dec PcdPxeTftpWindowSize), streams
 * the file from disk in bounded chunks, caps concurrent transfers in all and per client (the
 * memory bound is stated at Slots), lets the block counter roll over to 0 as tftp-hpa does, and checks
 * every packet's length before reading it. Each transfer then runs on its own socket, connected
 * to the client, from a fresh port (RFC 1350's transfer identifier; tftp-server answers from the
 * listening port): a connected socket sends without a per-packet address lookup, which roughly
 * halves the time per block on loopback.
 */

/** What a route hands back: a file to stream. */
export interface TftpSource {
  size: number;
  read(position: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

export interface TftpTransferInfo {
  address: string;
  port: number;
  filename: string;
  size: number;
  blksize: number;
  windowsize: number;
}

export interface TftpEvents {
  start(info: TftpTransferInfo): void;
  /** A request dropped because a cap on concurrent transfers was reached (the client retries). */
  busy(info: { address: string; filename: string; reason: string }): void;
  done(info: TftpTransferInfo & { ms: number }): void;
  error(info: { address: string; filename: string; reason: string }): void;
}

export interface TftpOptions {
  root: string;
  port: number;
  address?: string;
  maxBlksize?: number;
  /** Largest RFC 7440 window accepted (blocks); further capped to MAX_WINDOW_BYTES of data. */
  maxWindowsize?: number;
  /** Transfers at once, in all and per client address (defaults 64 and 4). */
  maxTransfers?: number;
  maxTransfersPerClient?: number;
  retries?: number;
  events: Partial<TftpEvents>;
}

export class TftpService {
  private readonly server: TFTPServer;
  private readonly opts: TftpOptions;
  private readonly slots: Slots;

  constructor(opts: TftpOptions) {
    this.opts = opts;
    this.slots = new Slots(opts.maxTransfers ?? 64, opts.maxTransfersPerClient ?? 4);
    this.server = createServer('udp4');
    this.server.connectionFactory = { run: (ctx, onEnd) => this.runTransfer(ctx, onEnd) };
    this.server.register(this.rootHandler());
    // A socket error (for example a port in use) is reported by listen(); later ones are logged
    // by the caller's error hook and must not take the process down.
    this.server.socket.on('error', (err) => this.opts.events.error?.({ address: '', filename: '', reason: err.message }));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(new Error(`TFTP cannot listen on port ${this.opts.port}: ${err.message}`));
      this.server.socket.once('error', onError);
      this.server.socket.once('listening', () => {
        this.server.socket.off('error', onError);
        resolve();
      });
      this.server.bind({ port: this.opts.port, address: this.opts.address ?? '0.0.0.0' });
    });
    return this.server.socket.address().port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.destroy(() => resolve()));
  }

  private rootHandler(): TftpHandler {
    return (req, respond, next) => {
      resolveUnderRoot(this.opts.root, req.filename).then(
        async (path) => {
          if (path === null) return next(new Error('Access violation.'));
          let fh: FileHandle;
          try {
            fh = await open(path, 'r');
          } catch {
            return next();
          }
          const st = await fh.stat();
          if (!st.isFile()) {
            await fh.close();
            return next();
          }
          const size = st.size;
          const source: TftpSource = {
            size,
            read: async (position, length) => {
              const buf = Buffer.allocUnsafe(length);
              const { bytesRead } = await fh.read(buf, 0, length, position);
              return buf.subarray(0, bytesRead);
            },
            close: () => fh.close(),
          };
          respond(source);
        },
        () => next(new Error('Access violation.')),
      );
    };
  }

  private runTransfer(ctx: { request: Buffer; clientKey: string; address: string; port: number; routes?: unknown }, onEnd: () => void): { next(arg: null): void } {
    const t = new Transfer(this.server, this.opts, ctx.clientKey, ctx.address, ctx.port, onEnd, this.slots);
    // tftp-server stores the returned handle after run() returns; starting later keeps an
    // immediate refusal from ending the transfer before it is registered.
    queueMicrotask(() => t.begin(ctx.request));
    return { next: () => t.finish() };
  }
}

/** Read-ahead per transfer: the file is read in chunks of this size (or one window, if larger). */
export const CHUNK_BYTES = 256 * 1024;

class Transfer {
  private source: TftpSource | null = null;
  private req: ReadRequest | null = null;
  private blksize = 512;
  private timeoutMs = 1000;
  private windowsize = 1;
  /** Last block the client acknowledged (unwrapped); 0 before the first; -1 while an OACK waits. */
  private acked = -1;
  private lastBlock = 0;
  private oack: Buffer | null = null;
  private tries = 0;
  private timer: NodeJS.Timeout | null = null;
  private again: () => void = () => undefined;
  private chunk: { start: number; data: Buffer } | null = null;
  /** Bumped per window sent: a read that finishes after a newer window began is dropped. */
  private generation = 0;
  private startedAt = 0;
  private ended = false;
  private started = false;
  private readonly onAck = (msg: Buffer) => this.handleAck(msg);
  /** The transfer's own socket, connected to the client, once a file is being sent. */
  private sock: Socket | null = null;

  constructor(
    private readonly server: TFTPServer,
    private readonly opts: TftpOptions,
    private readonly clientKey: string,
    private readonly address: string,
    private readonly port: number,
    private readonly onEnd: () => void,
    private readonly slots: Slots,
  ) {}

  begin(request: Buffer): void {
    this.server.ingress.on(this.clientKey, this.onAck);
    const parsed = parseRequest(request);
    if ('error' in parsed) return this.fail(parsed.code, parsed.error, '');
    this.req = parsed;
    // Over the caps the request is dropped unanswered: the client sends it again after its
    // timeout (RFC 1350), by when a slot may be free — an ERROR would end its boot instead.
    const refusal = this.slots.take(this.address);
    if (refusal) {
      this.opts.events.busy?.({ address: this.address, filename: parsed.filename, reason: refusal });
      return this.finish();
    }
    this.started = true;
    const routes = this.server.routes;
    const ctx: TftpRequestContext = { filename: parsed.filename, mode: parsed.mode, address: this.address, port: this.port, clientKey: this.clientKey };
    const tryRoute = (i: number): void => {
      if (this.ended) return;
      const route = routes[i];
      if (i >= routes.length) return this.fail(ERR.notFound, 'File not found.', parsed.filename);
      if (!route) return tryRoute(i + 1);
      const f = route.filter;
      if (f !== undefined && !(f instanceof RegExp ? f.test(parsed.filename) : f === parsed.filename)) return tryRoute(i + 1);
      route.handler(
        ctx,
        (data) => void this.accept(toSource(data)),
        (err) => (err instanceof Error ? this.fail(codeFor(err.message), err.message, parsed.filename) : tryRoute(i + 1)),
      );
    };
    tryRoute(0);
  }

  finish(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.started) this.slots.give(this.address);
    if (this.timer) clearTimeout(this.timer);
    this.server.ingress.removeListener(this.clientKey, this.onAck);
    this.sock?.close();
    this.sock = null;
    this.chunk = null;
    void this.source?.close().catch(() => undefined);
    this.onEnd();
  }

  private async accept(source: TftpSource): Promise<void> {
    if (this.ended || !this.req) {
      await source.close();
      return;
    }
    this.source = source;
    try {
      this.sock = await this.openTransferSocket();
    } catch (err) {
      return this.fail(ERR.notDefined, 'Server error.', this.req.filename, (err as Error).message);
    }
    if (this.ended) return;
    const n = negotiate(this.req, source.size, this.opts.maxBlksize ?? 65464, this.opts.maxWindowsize ?? 64);
    this.blksize = n.blksize;
    this.timeoutMs = n.timeoutMs;
    this.windowsize = n.windowsize;
    // Block n holds bytes [(n-1)·blksize, n·blksize); a file of exact multiple ends with an empty block.
    this.lastBlock = Math.floor(source.size / this.blksize) + 1;
    this.startedAt = performance.now();
    this.opts.events.start?.(this.info());
    if (Object.keys(n.reply).length > 0) {
      this.oack = oackPacket(n.reply);
      this.acked = -1;
      this.sendOack(true);
    } else {
      this.acked = 0;
      await this.sendWindow(true);
    }
  }

  private openTransferSocket(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const sock = createSocket('udp4');
      sock.once('error', reject);
      const local = this.opts.address && this.opts.address !== '0.0.0.0' ? this.opts.address : undefined;
      sock.bind({ port: 0, ...(local ? { address: local } : {}) }, () => {
        sock.connect(this.port, this.address, () => {
          sock.off('error', reject);
          // Late send errors (the client went away) end only this transfer.
          sock.on('error', () => this.finish());
          sock.on('message', this.onAck);
          resolve(sock);
        });
      });
    });
  }

  private info(): TftpTransferInfo {
    return { address: this.address, port: this.port, filename: this.req?.filename ?? '', size: this.source?.size ?? 0, blksize: this.blksize, windowsize: this.windowsize };
  }

  private handleAck(msg: Buffer): void {
    if (this.ended || !this.source) return;
    if (msg.length >= 2 && msg.readUInt16BE(0) === 5) return this.finish(); // client gave up (ERROR)
    const n = ackBlock(msg);
    if (n === null) return;
    if (this.acked === -1) {
      if (n !== 0) return;
      this.acked = 0;
      void this.sendWindow(true);
      return;
    }
    // The ACK names a 16-bit block number; find it among the blocks in flight (RFC 7440: an
    // ACK for a block inside the window means "resend from the next one").
    const inFlight = Math.min(this.windowsize, this.lastBlock - this.acked);
    let k = -1;
    for (let b = this.acked + 1; b <= this.acked + inFlight; b++) if ((b & 0xffff) === n) k = b;
    if (k < 0) return; // stray, duplicate or malformed
    this.acked = k;
    if (k === this.lastBlock) {
      this.opts.events.done?.({ ...this.info(), ms: Math.round(performance.now() - this.startedAt) });
      return this.finish();
    }
    void this.sendWindow(true);
  }

  /** Sends the blocks after the last acknowledged one, up to a window; arms the retry timer. */
  private async sendWindow(fresh: boolean): Promise<void> {
    const source = this.source;
    if (!source || this.ended) return;
    const gen = ++this.generation;
    const first = this.acked + 1;
    const last = Math.min(this.acked + this.windowsize, this.lastBlock);
    const from = (first - 1) * this.blksize;
    const to = Math.min(last * this.blksize, source.size);
    if (!this.covers(from, to)) {
      try {
        await this.readChunk(from, to);
      } catch (err) {
        return this.fail(ERR.notDefined, 'Read error.', this.req?.filename ?? '', (err as Error).message);
      }
      if (this.ended || gen !== this.generation) return;
    }
    const c = this.chunk ?? { start: from, data: Buffer.alloc(0) }; // an empty file or final empty block
    for (let b = first; b <= last; b++) {
      const off = (b - 1) * this.blksize - c.start;
      const end = Math.min(off + this.blksize, source.size - c.start);
      this.sock?.send(dataPacket(b, c.data.subarray(off, Math.max(off, end))));
    }
    this.arm(fresh, () => void this.sendWindow(false));
  }

  private sendOack(fresh: boolean): void {
    this.sock?.send(this.oack as Buffer);
    this.arm(fresh, () => this.sendOack(false));
  }

  private arm(fresh: boolean, again: () => void): void {
    if (fresh) this.tries = 0;
    else if (++this.tries > (this.opts.retries ?? 5)) {
      this.opts.events.error?.({ address: this.address, filename: this.req?.filename ?? '', reason: `no acknowledgement after ${this.tries - 1} retries` });
      return this.finish();
    }
    this.again = again;
    // One timer per transfer, re-armed per window: refresh() is far cheaper than a new timer.
    if (this.timer) this.timer.refresh();
    else this.timer = setTimeout(() => this.again(), this.timeoutMs);
  }

  private covers(from: number, to: number): boolean {
    const c = this.chunk;
    return to <= from || (c !== null && from >= c.start && to <= c.start + c.data.length);
  }

  private async readChunk(from: number, to: number): Promise<void> {
    const source = this.source as TftpSource;
    const want = Math.min(Math.max(CHUNK_BYTES, to - from), source.size - from);
    this.chunk = null; // let the old chunk go before the new one is allocated
    this.chunk = { start: from, data: await source.read(from, want) };
  }

  private fail(code: number, message: string, filename: string, detail?: string): void {
    if (this.ended) return;
    if (this.sock) this.sock.send(errorPacket(code, message));
    else this.server.outgress.emit(this.clientKey, errorPacket(code, message));
    this.opts.events.error?.({ address: this.address, filename, reason: detail ?? message });
    this.finish();
  }
}

/**
 * Caps on transfers running at once, in all and per client address, so a storm of clients (or
 * one firmware retrying from new ports) cannot take the process's memory: each transfer holds at
 * most one chunk (CHUNK_BYTES, or one window of at most MAX_WINDOW_BYTES), so the file data held
 * is bounded by maxTransfers × max(CHUNK_BYTES, MAX_WINDOW_BYTES) — 64 MiB at the defaults.
 */
class Slots {
  private total = 0;
  private readonly byClient = new Map<string, number>();

  constructor(
    private readonly maxTotal: number,
    private readonly maxPerClient: number,
  ) {}

  /** Takes a slot, or says why there is none. */
  take(address: string): string | null {
    const mine = this.byClient.get(address) ?? 0;
    if (this.total >= this.maxTotal) return `${this.total} transfers running (the cap in all); the client will retry`;
    if (mine >= this.maxPerClient) return `${mine} transfers running for ${address} (the cap per client); the client will retry`;
    this.total++;
    this.byClient.set(address, mine + 1);
    return null;
  }

  give(address: string): void {
    this.total--;
    const mine = (this.byClient.get(address) ?? 1) - 1;
    if (mine <= 0) this.byClient.delete(address);
    else this.byClient.set(address, mine);
  }
}

function toSource(data: unknown): TftpSource {
  if (Buffer.isBuffer(data)) {
    return { size: data.length, read: async (p, l) => data.subarray(p, p + l), close: async () => undefined };
  }
  return data as TftpSource;
}

function codeFor(message: string): number {
  if (message === 'File not found.') return ERR.notFound;
  if (message === 'Access violation.') return ERR.accessViolation;
  if (message === 'Illegal TFTP operation.') return ERR.illegal;
  return ERR.notDefined;
}
