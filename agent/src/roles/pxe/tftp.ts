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
 * throws past block 65535 (32 MB at 512-byte blocks). Ours negotiates blksize, tsize and timeout,
 * reads the file in chunks, lets the block counter roll over to 0 as tftp-hpa does, and checks
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
}

export interface TftpEvents {
  start(info: TftpTransferInfo): void;
  done(info: TftpTransferInfo & { ms: number }): void;
  error(info: { address: string; filename: string; reason: string }): void;
}

export interface TftpOptions {
  root: string;
  port: number;
  address?: string;
  maxBlksize?: number;
  retries?: number;
  events: Partial<TftpEvents>;
}

export class TftpService {
  private readonly server: TFTPServer;
  private readonly opts: TftpOptions;

  constructor(opts: TftpOptions) {
    this.opts = opts;
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
    const t = new Transfer(this.server, this.opts, ctx.clientKey, ctx.address, ctx.port, onEnd);
    // tftp-server stores the returned handle after run() returns; starting later keeps an
    // immediate refusal from ending the transfer before it is registered.
    queueMicrotask(() => t.begin(ctx.request));
    return { next: () => t.finish() };
  }
}

const CHUNK_BLOCKS = 128;

class Transfer {
  private source: TftpSource | null = null;
  private req: ReadRequest | null = null;
  private blksize = 512;
  private timeoutMs = 1000;
  private block = 0; // last block sent (unwrapped); 0 = OACK stage
  private lastPacket: Buffer | null = null;
  private lastWasFinal = false;
  private tries = 0;
  private timer: NodeJS.Timeout | null = null;
  private chunk: { start: number; data: Buffer } | null = null;
  private startedAt = 0;
  private ended = false;
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
  ) {}

  begin(request: Buffer): void {
    this.server.ingress.on(this.clientKey, this.onAck);
    const parsed = parseRequest(request);
    if ('error' in parsed) return this.fail(parsed.code, parsed.error, '');
    this.req = parsed;
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
    if (this.timer) clearTimeout(this.timer);
    this.server.ingress.removeListener(this.clientKey, this.onAck);
    this.sock?.close();
    this.sock = null;
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
    const n = negotiate(this.req, source.size, this.opts.maxBlksize ?? 65464);
    this.blksize = n.blksize;
    this.timeoutMs = n.timeoutMs;
    this.startedAt = performance.now();
    this.opts.events.start?.(this.info());
    if (Object.keys(n.reply).length > 0) {
      this.lastPacket = oackPacket(n.reply);
      this.lastWasFinal = false;
      this.transmit(true);
    } else {
      await this.sendBlock(1);
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
    return { address: this.address, port: this.port, filename: this.req?.filename ?? '', size: this.source?.size ?? 0, blksize: this.blksize };
  }

  private handleAck(msg: Buffer): void {
    if (this.ended || !this.lastPacket) return;
    if (msg.length >= 2 && msg.readUInt16BE(0) === 5) return this.finish(); // client gave up (ERROR)
    const n = ackBlock(msg);
    if (n === null || n !== (this.block & 0xffff)) return; // stray, duplicate or malformed
    if (this.lastWasFinal) {
      this.opts.events.done?.({ ...this.info(), ms: Math.round(performance.now() - this.startedAt) });
      return this.finish();
    }
    void this.sendBlock(this.block + 1);
  }

  /** Sends a block; synchronous while the block is in the read-ahead chunk (nearly always). */
  private sendBlock(block: number): void | Promise<void> {
    const source = this.source;
    if (!source) return;
    const offset = (block - 1) * this.blksize;
    const length = Math.min(this.blksize, Math.max(0, source.size - offset));
    const cached = this.cachedSlice(offset, length);
    if (cached) return this.sendBody(block, cached);
    return this.readChunk(offset).then(
      () => {
        if (!this.ended) this.sendBody(block, this.cachedSlice(offset, length) ?? Buffer.alloc(0));
      },
      (err: Error) => this.fail(ERR.notDefined, 'Read error.', this.req?.filename ?? '', err.message),
    );
  }

  private sendBody(block: number, body: Buffer): void {
    this.block = block;
    this.lastPacket = dataPacket(block, body);
    this.lastWasFinal = body.length < this.blksize;
    this.transmit(true);
  }

  private cachedSlice(offset: number, length: number): Buffer | null {
    if (length === 0) return Buffer.alloc(0);
    const c = this.chunk;
    if (!c || offset < c.start || offset + length > c.start + c.data.length) return null;
    return c.data.subarray(offset - c.start, offset - c.start + length);
  }

  private async readChunk(offset: number): Promise<void> {
    const source = this.source as TftpSource;
    const want = Math.min(Math.max(this.blksize * CHUNK_BLOCKS, 1 << 20), source.size - offset);
    this.chunk = { start: offset, data: await source.read(offset, want) };
  }

  private transmit(fresh: boolean): void {
    if (fresh) this.tries = 0;
    if (this.tries++ > (this.opts.retries ?? 5)) {
      this.opts.events.error?.({ address: this.address, filename: this.req?.filename ?? '', reason: `no acknowledgement after ${this.tries - 1} retries` });
      return this.finish();
    }
    this.sock?.send(this.lastPacket as Buffer);
    // One timer per transfer, re-armed per packet: refresh() is far cheaper than a new timer.
    if (this.timer) this.timer.refresh();
    else this.timer = setTimeout(() => this.transmit(false), this.timeoutMs);
  }

  private fail(code: number, message: string, filename: string, detail?: string): void {
    if (this.ended) return;
    if (this.sock) this.sock.send(errorPacket(code, message));
    else this.server.outgress.emit(this.clientKey, errorPacket(code, message));
    this.opts.events.error?.({ address: this.address, filename, reason: detail ?? message });
    this.finish();
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
