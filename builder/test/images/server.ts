import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP file server for the image tests: honours Range and If-Range like a real CDN,
 * and can cut a response halfway (destroying the socket) to simulate a dropped transfer.
 */
export interface TestServer {
  url: string;
  requests: { path: string; range?: string; ifRange?: string }[];
  /** Cut the next N responses after this many body bytes. */
  cut(times: number, afterBytes: number): void;
  files: Map<string, Buffer>;
  close(): Promise<void>;
}

export const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

export async function startServer(files: Record<string, Buffer>): Promise<TestServer> {
  const map = new Map(Object.entries(files));
  const requests: TestServer['requests'] = [];
  let cuts = 0;
  let cutAfter = 0;
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const entry: TestServer['requests'][number] = { path };
    if (req.headers.range) entry.range = req.headers.range;
    if (typeof req.headers['if-range'] === 'string') entry.ifRange = req.headers['if-range'];
    requests.push(entry);
    if (path.startsWith('/redirect/')) {
      res.writeHead(302, { location: path.slice('/redirect'.length) }).end();
      return;
    }
    const body = map.get(path);
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    const etag = `"${sha256(body).slice(0, 16)}"`;
    let start = 0;
    // Paths under /norange/ behave like a server without range support: always the whole file.
    const m = path.startsWith('/norange/') ? null : /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRangeOk = req.headers['if-range'] === undefined || req.headers['if-range'] === etag;
    if (m && ifRangeOk) {
      start = Number(m[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}`, 'content-length': body.length - start, etag, 'accept-ranges': 'bytes' });
    } else {
      res.writeHead(200, { 'content-length': body.length, etag, 'accept-ranges': 'bytes' });
    }
    const slice = body.subarray(start);
    if (cuts > 0) {
      cuts -= 1;
      res.write(slice.subarray(0, cutAfter), () => {
        // The body ends short of its content-length. The client keeps what it had written when
        // the stream failed (up to cutAfter bytes): tests take the resume point from the Range header.
        res.socket?.end();
      });
      return;
    }
    res.end(slice);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    files: map,
    cut(times, afterBytes) {
      cuts = times;
      cutAfter = afterBytes;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}
