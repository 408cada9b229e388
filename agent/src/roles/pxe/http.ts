import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { normalizeMac } from '@lab/shared';
import { resolveUnderRoot } from './paths.js';
import { parseRange } from './range.js';

export interface HttpFetchInfo {
  address: string;
  path: string;
  status: number;
  bytes: number;
  size: number;
  range: string | null;
  /** A MAC named in the path (`…/aa-bb-cc-dd-ee-ff.ipxe`), when there is one. */
  macInPath: string | undefined;
}

/** Ways the PXE role answers some paths itself instead of from the root. */
export interface HttpHooks {
  /** The control API (see control.ts): an answer, or undefined when the path is not one of its. */
  control?(method: string, path: string, query: URLSearchParams, authorization: string | undefined): { status: number; body: string } | undefined;
  /** A script to send instead of the file at `rel` (a done host's `exit`), or undefined. */
  override?(rel: string, address: string): string | undefined;
}

export interface HttpEvents {
  fetch(info: HttpFetchInfo): void;
  beacon(mac: string, address: string, attrs: Record<string, string>): void;
}

const MAC_IN_PATH = /([0-9a-f]{2}(?:[-:][0-9a-f]{2}){5})/i;

/**
 * Static files from the rendered root over HTTP, with single byte ranges (kernels and initrds are
 * large; iPXE and installers resume), plus `GET /beacon/<mac>?…` for iPXE scripts to report in.
 */
export class HttpService {
  private server: Server | null = null;

  constructor(
    private readonly root: string,
    private readonly port: number,
    private readonly events: Partial<HttpEvents>,
    private readonly host = '0.0.0.0',
    private readonly hooks: HttpHooks = {},
  ) {}

  async listen(): Promise<number> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new Error(`HTTP cannot listen on port ${this.port}: ${err.message}`)));
      server.listen(this.port, this.host, () => resolve());
    });
    this.server = server;
    const addr = server.address();
    return typeof addr === 'object' && addr ? addr.port : this.port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server) return resolve();
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const address = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://agent');
    } catch {
      return end(res, 400, 'bad request\n');
    }
    const path = decodeURIComponentSafe(url.pathname);
    if (path === null) return end(res, 400, 'bad request\n');
    const control = this.hooks.control?.(req.method ?? 'GET', path, url.searchParams, req.headers.authorization);
    if (control) {
      req.resume();
      return end(res, control.status, control.body);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return end(res, 405, 'method not allowed\n');
    }
    const beacon = /^\/beacon\/([^/]+)$/.exec(path);
    if (beacon) {
      const mac = normalizeMac(beacon[1] ?? '');
      if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac)) return end(res, 400, 'beacon needs a MAC such as /beacon/52-54-00-12-34-56\n');
      this.events.beacon?.(mac, address, Object.fromEntries(url.searchParams));
      return end(res, 200, 'ok\n');
    }
    const rel = path.replace(/^\/+/, '');
    const file = await resolveUnderRoot(this.root, rel).catch(() => null);
    const m = MAC_IN_PATH.exec(rel);
    const macInPath = m ? normalizeMac(m[1] ?? '') : undefined;
    const report = (status: number, bytes: number, size: number) =>
      this.events.fetch?.({ address, path: '/' + rel, status, bytes, size, range: (req.headers.range as string | undefined) ?? null, macInPath });
    const replaced = this.hooks.override?.(rel, address);
    if (replaced !== undefined) {
      res.setHeader('content-type', 'text/plain');
      res.setHeader('cache-control', 'no-store');
      res.statusCode = 200;
      res.end(req.method === 'HEAD' ? undefined : replaced);
      report(200, req.method === 'HEAD' ? 0 : Buffer.byteLength(replaced), Buffer.byteLength(replaced));
      return;
    }
    if (file === null) {
      report(403, 0, 0);
      return end(res, 403, 'forbidden\n');
    }
    const st = await stat(file).catch(() => null);
    if (!st || !st.isFile()) {
      report(404, 0, 0);
      return end(res, 404, 'not found\n');
    }
    const range = parseRange(req.headers.range, st.size);
    res.setHeader('accept-ranges', 'bytes');
    res.setHeader('last-modified', st.mtime.toUTCString());
    res.setHeader('content-type', contentType(file));
    if (range === 'unsatisfiable') {
      res.setHeader('content-range', `bytes */${st.size}`);
      report(416, 0, st.size);
      return end(res, 416, '');
    }
    const start = range ? range.start : 0;
    const last = range ? range.end : st.size - 1;
    const length = Math.max(0, last - start + 1);
    res.statusCode = range ? 206 : 200;
    if (range) res.setHeader('content-range', `bytes ${start}-${last}/${st.size}`);
    res.setHeader('content-length', length);
    if (req.method === 'HEAD' || length === 0) {
      res.end();
      report(res.statusCode, 0, st.size);
      return;
    }
    const stream = createReadStream(file, { start, end: last, highWaterMark: 1 << 20 });
    let sent = 0;
    stream.on('data', (chunk) => {
      sent += chunk.length;
    });
    stream.on('error', () => res.destroy());
    res.on('close', () => report(res.statusCode, sent, st.size));
    stream.pipe(res);
  }
}

/**
 * `.efi` is `application/efi`: UEFI HTTP boot takes the image type from Content-Type first and
 * only then from the extension (EDK2 NetworkPkg/HttpBootDxe/HttpBootSupport.c,
 * HttpBootCheckImageType).
 */
function contentType(file: string): string {
  if (file.endsWith('.ipxe')) return 'text/plain';
  if (file.endsWith('.efi')) return 'application/efi';
  return 'application/octet-stream';
}

function end(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'text/plain');
  res.end(body);
}

function decodeURIComponentSafe(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}
