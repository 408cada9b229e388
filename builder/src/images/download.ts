import { createHash, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sha256File } from './hash.js';
import type { Progress } from './progress.js';

/**
 * Resumable HTTP download into a `.part` file. A second call continues where the first stopped
 * (HTTP Range with If-Range, so a changed file on the server restarts from zero instead of
 * splicing two versions). Returns the sha256 of the whole file; checking it is the caller's job.
 */

export class TransferError extends Error {
  constructor(
    message: string,
    readonly url: string,
    /** Bytes in the part file: a retry resumes from here. */
    readonly have: number,
    /** Whether retrying can help (a cut connection can, a 404 cannot). */
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransferError';
  }
}

interface PartMeta {
  url: string;
  etag?: string;
  lastModified?: string;
}

export interface DownloadOptions {
  url: string;
  part: string;
  label: string;
  progress: Progress;
  maxRedirects?: number;
  /** Abort a connection that delivers nothing for this long. */
  idleMs?: number;
}

export interface DownloadResult {
  sha256: string;
  size: number;
  /** Bytes that were already in the part file and were not fetched again. */
  resumedFrom: number;
}

const metaPath = (part: string) => `${part}.json`;

async function readMeta(part: string): Promise<PartMeta | undefined> {
  try {
    return JSON.parse(await readFile(metaPath(part), 'utf8')) as PartMeta;
  } catch {
    return undefined;
  }
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

export async function discardPart(part: string): Promise<void> {
  await rm(part, { force: true });
  await rm(metaPath(part), { force: true });
}

function get(url: string, headers: Record<string, string>, idleMs: number): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith('https:') ? https : http;
    const req = lib.get(url, { headers: { 'user-agent': 'lab-builder', ...headers } }, resolve);
    req.setTimeout(idleMs, () => req.destroy(new Error(`no data for ${Math.round(idleMs / 1000)} s`)));
    req.on('error', reject);
  });
}

function contentRangeStart(h: string | undefined): { start: number; total?: number } | undefined {
  const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(h ?? '');
  if (!m) return undefined;
  const r: { start: number; total?: number } = { start: Number(m[1]) };
  if (m[2] !== '*') r.total = Number(m[2]);
  return r;
}

export async function download(o: DownloadOptions): Promise<DownloadResult> {
  const idleMs = o.idleMs ?? 60_000;
  let have = await sizeOf(o.part);
  const meta = await readMeta(o.part);
  if (have > 0 && meta?.url !== o.url) {
    await discardPart(o.part);
    have = 0;
  }
  let url = o.url;
  let res: http.IncomingMessage;
  for (let hops = 0; ; hops++) {
    const headers: Record<string, string> = {};
    if (have > 0) {
      headers.range = `bytes=${have}-`;
      const validator = meta?.etag ?? meta?.lastModified;
      if (validator) headers['if-range'] = validator;
    }
    try {
      res = await get(url, headers, idleMs);
    } catch (err) {
      throw new TransferError(`cannot reach ${url}: ${(err as Error).message}`, o.url, have, true, { cause: err });
    }
    const status = res.statusCode ?? 0;
    if ([301, 302, 303, 307, 308].includes(status) && res.headers.location) {
      res.resume();
      if (hops >= (o.maxRedirects ?? 5)) throw new TransferError(`too many redirects from ${o.url}`, o.url, have, false);
      url = new URL(res.headers.location, url).toString();
      continue;
    }
    if (status === 416 && have > 0) {
      // The part may already be whole (cut after the last byte, before we knew).
      res.resume();
      const total = /^bytes \*\/(\d+)$/.exec(res.headers['content-range'] ?? '')?.[1];
      if (total !== undefined && Number(total) === have) {
        return { sha256: await sha256File(o.part), size: have, resumedFrom: have };
      }
      await discardPart(o.part);
      have = 0;
      continue;
    }
    break;
  }
  const status = res.statusCode ?? 0;
  let append = false;
  let total: number | undefined;
  if (status === 206) {
    const cr = contentRangeStart(res.headers['content-range']);
    if (!cr || cr.start !== have) {
      res.resume();
      await discardPart(o.part);
      throw new TransferError(`${url} answered a range we did not ask for (${res.headers['content-range'] ?? 'none'}); starting over`, o.url, 0, true);
    }
    append = true;
    total = cr.total;
  } else if (status === 200) {
    have = 0;
    const len = res.headers['content-length'];
    if (len !== undefined) total = Number(len);
  } else {
    res.resume();
    throw new TransferError(`HTTP ${status} ${res.statusMessage ?? ''} from ${url}`.trim(), o.url, have, status >= 500 || status === 429);
  }

  const newMeta: PartMeta = { url: o.url };
  const etag = res.headers.etag;
  if (etag && !etag.startsWith('W/')) newMeta.etag = etag;
  if (res.headers['last-modified']) newMeta.lastModified = res.headers['last-modified'];
  await writeFile(metaPath(o.part), JSON.stringify(newMeta));

  const hash: Hash = createHash('sha256');
  if (append) await sha256File(o.part, undefined, hash);
  let done = have;
  const resumedFrom = have;
  o.progress.start(o.label, total, have);
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      done += chunk.length;
      o.progress.update(done);
      cb(null, chunk);
    },
  });
  const out = createWriteStream(o.part, { flags: append ? 'a' : 'w' });
  try {
    await pipeline(res, meter, out);
  } catch (err) {
    throw new TransferError(`transfer of ${url} was cut after ${done} bytes`, o.url, await sizeOf(o.part), true, { cause: err });
  }
  if (total !== undefined && done < total) {
    throw new TransferError(`transfer of ${url} ended early (${done} of ${total} bytes)`, o.url, done, true);
  }
  const fh = await open(o.part, 'r+');
  await fh.sync();
  await fh.close();
  o.progress.finish();
  return { sha256: hash.digest('hex'), size: done, resumedFrom };
}
