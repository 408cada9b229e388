// A seeded, time-bounded fuzz of the collector's three ingest paths at once: HTTP POST /v1/events,
// the kernel-log TCP port and the Talos gRPC sink get valid inputs mutated at random (flipped and
// inserted characters, brackets, truncation, bad tokens and content types, random bytes). After,
// the collector process must be alive and answering, the SQLite store intact (integrity_check),
// each id stored once, and every event of a request answered 200 stored. Replay a failure with
// FUZZ_SEED=<seed printed>.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { addressEvent, eventRequest, machineStatus, xid } from '../../builder/test/collector/talos-encode.js';
import { seededRandom } from '../fixtures/rng.js';
import { publish, sendLines, startCollectorProcess, type CollectorProcess } from './collector-process.js';

const TOKEN = 'fuzz-token-0123456789abcdef';
const SEED = Number(process.env.FUZZ_SEED ?? 15_2026);
const SECONDS = 8;
const HOSTS = ['gateway', 'cp-1', 'cp-2', 'ms02-1'];
// 431: a mutated token can grow past Node's 16 KiB header limit; Node's parser refuses it before
// the collector sees the request, which is the right answer for it.
const ANSWERS = new Set([200, 400, 401, 413, 415, 422, 431]);

describe('fuzz: HTTP, kernel-log and gRPC ingest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fuzz-collector-'));
  const dbFile = join(dir, 'events.db');
  let c: CollectorProcess;
  afterAll(async () => {
    await c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`stays up and keeps the store consistent (seed ${SEED}, ${SECONDS} s)`, async () => {
    console.log(`fuzz seed ${SEED}`);
    const rnd = seededRandom(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const mutate = (text: string): string => {
      let s = text;
      for (let n = Math.floor(rnd() * 4); n > 0; n--) {
        const at = Math.floor(rnd() * (s.length + 1));
        const op = rnd();
        if (op < 0.25) s = s.slice(0, at) + String.fromCharCode(Math.floor(rnd() * 128)) + s.slice(at + 1);
        else if (op < 0.45) s = s.slice(0, at) + pick(['[', ']', '{', '}', '"', ',', ':', '\\', '\u0000', '"__proto__":{}']).repeat(1 + Math.floor(rnd() * (rnd() < 0.1 ? 5000 : 3))) + s.slice(at);
        else if (op < 0.6) s = s.slice(0, at);
        else if (op < 0.7) s = s + s;
      }
      return s;
    };
    c = await startCollectorProcess({ dbFile, token: TOKEN });
    const acknowledged = new Set<string>();
    let seq = 0;
    const counts = { http: 0, kmsg: 0, grpc: 0, statuses: new Map<number, number>() };
    const validBatch = () => {
      const n = 1 + Math.floor(rnd() * 20);
      return { events: Array.from({ length: n }, () => ({ id: `f-${SEED}-${++seq}`, host: pick(HOSTS), source: 'agent', kind: pick(['note', 'boot', 'dhcp.ack', 'failed']), time: new Date().toISOString(), attrs: { n: seq, text: 'x'.repeat(Math.floor(rnd() * 200)) } })) };
    };
    const until = Date.now() + SECONDS * 1000;
    while (Date.now() < until) {
      const path = rnd();
      if (path < 0.5) {
        const clean = JSON.stringify(validBatch());
        const body = rnd() < 0.4 ? clean : mutate(clean);
        const headers: Record<string, string> = { 'content-type': rnd() < 0.9 ? 'application/json' : pick(['text/plain', 'application/xml', 'application/json; charset=latin1']) };
        if (rnd() < 0.95) headers.authorization = `Bearer ${rnd() < 0.95 ? TOKEN : mutate(TOKEN)}`;
        const r = await fetch(`http://127.0.0.1:${c.port}/v1/events`, { method: 'POST', headers, body }).catch(() => null);
        counts.http++;
        if (r) {
          await r.arrayBuffer();
          counts.statuses.set(r.status, (counts.statuses.get(r.status) ?? 0) + 1);
          expect(ANSWERS, `HTTP answered ${r.status} for ${body.slice(0, 200)}`).toContain(r.status);
          if (r.status === 200) {
            try {
              for (const e of (JSON.parse(body) as { events?: { id?: unknown }[] }).events ?? []) if (typeof e.id === 'string') acknowledged.add(e.id);
            } catch {
              // a body we cannot parse was not one whose ids we know
            }
          }
        }
      } else if (path < 0.8) {
        const line = JSON.stringify({ clock: seq, facility: 'kern', msg: 'm'.repeat(Math.floor(rnd() * 100)), priority: 6, seq: ++seq, 'talos-level': 'info', 'talos-time': new Date().toISOString() });
        const text = Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => (rnd() < 0.5 ? line : mutate(line))).join('\n') + (rnd() < 0.8 ? '\n' : '');
        await sendLines(c.kmsgPort, rnd() < 0.05 ? 'z'.repeat(70_000) : text);
        counts.kmsg++;
      } else {
        const valid = rnd() < 0.5 ? eventRequest(xid(), 'AddressEvent', addressEvent(pick(HOSTS), ['10.10.30.10/24'])) : eventRequest(xid(), 'MachineStatusEvent', machineStatus(pick(['BOOTING', 'RUNNING', 'INSTALLING'] as const), rnd() < 0.5));
        const buf = Buffer.from(valid);
        if (rnd() < 0.6) for (let n = 1 + Math.floor(rnd() * 4); n > 0; n--) buf[Math.floor(rnd() * buf.length)] = Math.floor(rnd() * 256);
        await publish(c.talosPort, rnd() < 0.1 ? Buffer.from(Array.from({ length: Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256))) : rnd() < 0.2 ? buf.subarray(0, Math.floor(rnd() * buf.length)) : buf);
        counts.grpc++;
      }
      expect(c.alive(), `collector died; its log:\n${c.log()}`).toBe(true);
    }
    console.log(`fuzz: ${counts.http} HTTP requests (${[...counts.statuses].map(([s, n]) => `${s}×${n}`).join(', ')}), ${counts.kmsg} kernel-log connections, ${counts.grpc} Publish calls; ${acknowledged.size} events acknowledged`);

    expect(c.alive()).toBe(true);
    expect((await fetch(`http://127.0.0.1:${c.port}/v1/status`)).status).toBe(200);
    await c.stop();
    const db = new Database(dbFile, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const { n, ids } = db.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS ids FROM events').get() as { n: number; ids: number };
      expect(n).toBe(ids);
      const has = db.prepare('SELECT 1 FROM events WHERE id = ?');
      const missing = [...acknowledged].filter((id) => !has.get(id));
      expect(missing).toEqual([]);
      expect(acknowledged.size).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  }, 60_000);
});
