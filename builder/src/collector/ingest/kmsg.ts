import { createHash } from 'node:crypto';
import net from 'node:net';
import type { LabEvent } from '@lab/shared';
import { normalizeAddress } from '../directory.js';
import type { CollectorHub } from '../hub.js';
import { PeerResolver } from './peers.js';
import { isStorageFull, jsonTooDeep } from './limits.js';

/** A line longer than this is not a kernel log record: the connection is closed. */
const MAX_LINE = 64 * 1024;

const safe = (v: string) => v.replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 40);

/**
 * One JSON line from Talos's `KmsgLogConfig` stream (fields clock, facility, msg, priority, seq,
 * talos-level, talos-time) or from `machine.logging.destinations` (msg, talos-level,
 * talos-service, talos-time). Returns undefined for a line that is not a JSON object.
 */
export function kmsgLineToEvent(line: string, address: string): Omit<LabEvent, 'host'> | undefined {
  // A kernel log record is flat: refuse nesting before parsing (no token guards this port).
  if (jsonTooDeep(line, 4)) return undefined;
  let rec: unknown;
  try {
    rec = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) return undefined;
  const r = rec as Record<string, unknown>;
  const talosTime = typeof r['talos-time'] === 'string' ? r['talos-time'] : undefined;
  const service = typeof r['talos-service'] === 'string' ? r['talos-service'] : undefined;
  const seq = typeof r.seq === 'number' ? r.seq : undefined;
  const parsedTime = talosTime && !Number.isNaN(Date.parse(talosTime)) ? new Date(talosTime) : new Date();
  // seq restarts at each boot; the record's own time tells two boots apart.
  const key = seq !== undefined ? `${seq}.${safe(talosTime ?? String(r.clock ?? ''))}` : createHash('sha256').update(line).digest('hex').slice(0, 24);
  const attrs: Record<string, unknown> = { msg: typeof r.msg === 'string' ? r.msg.slice(0, 4096) : '', peer: address };
  // Only scalar values are kept: these fields are numbers and short strings in Talos's records.
  for (const k of ['facility', 'priority', 'seq', 'clock', 'talos-level']) {
    const v = r[k];
    if (typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && v.length <= 256)) attrs[k] = v;
  }
  if (service) attrs.service = service;
  return {
    id: `${service ? 'log' : 'kmsg'}.${safe(address)}.${key}`,
    source: 'kmsg',
    kind: service ? 'log' : 'kmsg',
    time: parsedTime.toISOString(),
    attrs,
  };
}

export interface KmsgListener {
  port: number;
  close(): Promise<void>;
}

/** Listens for Talos kernel logs as JSON lines over TCP. */
export async function startKmsgListener(hub: CollectorHub, host: string, port: number, peers = new PeerResolver(hub)): Promise<KmsgListener> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const address = normalizeAddress(socket.remoteAddress ?? '');
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      // Whatever one connection sends, its failure ends that connection only.
      try {
        onData(chunk);
      } catch (err) {
        const full = isStorageFull(err);
        hub.problem(full ? 'storage-full' : 'kmsg-error', full
          ? `collector: kernel log from ${address}: the disk holding the event store is full (SQLITE_FULL); connection closed, Talos reconnects once space is freed`
          : `collector: kernel log from ${address}: ${(err as Error).message}; connection closed`);
        socket.destroy();
      }
    });
    const onData = (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      if (buffer.length > MAX_LINE) {
        hub.metrics.countRejected('kmsg-line-too-long');
        socket.destroy();
        return;
      }
      const events: Omit<LabEvent, 'host'>[] = [];
      for (const line of lines) {
        if (line.trim() === '') continue;
        const e = kmsgLineToEvent(line, address);
        if (e) events.push(e);
        else hub.metrics.countRejected('kmsg-not-json');
      }
      if (events.length === 0) return;
      const hostName = peers.hostOf(address);
      if (hostName) hub.ingest(events.map((e) => ({ ...e, host: hostName })), 'kmsg');
      else peers.hold(address, events);
    };
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });
  // A lab has a handful of Talos nodes; this bounds what a misbehaving peer can open.
  server.maxConnections = 256;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
