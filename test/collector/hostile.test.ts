// The collector against an attacker on the lab network, each case from issue 15: the hostile
// input, then the assertions — the process is alive, the store unchanged, the answer clear. The
// collector runs in its own process (a crash is a dead process); Talos is a grpc-js client
// sending requests encoded with Talos's field numbers (Talos itself cannot run here).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOnlyToken } from '../../builder/src/collector/token.js';
import { addressEvent, eventRequest, machineStatus, xid } from '../../builder/test/collector/talos-encode.js';
import { smallFs, type SmallFs } from '../fixtures/small-fs.js';
import { until } from '../fixtures/wait.js';
import { publish, sendLines, startCollectorProcess, type CollectorProcess } from './collector-process.js';

const TOKEN = 'hostile-test-token-0123456789';
const READ = readOnlyToken(TOKEN);
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

function httpRaw(port: number, opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const storedCount = (db: string) => {
  const d = new Database(db, { readonly: true });
  try {
    return (d.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
  } finally {
    d.close();
  }
};

const event = (id: string, host: string, kind = 'note', attrs: Record<string, unknown> = {}) => ({ id, host, source: 'agent', kind, time: new Date().toISOString(), attrs });
const post = (port: number, events: unknown[]) => fetch(`http://127.0.0.1:${port}/v1/events`, { method: 'POST', headers: auth, body: JSON.stringify({ events }) });

describe('collector under hostile input', () => {
  const dir = join(tmpdir(), `hostile-collector-${process.pid}`);
  const dbFile = join(dir, 'events.db');
  let c: CollectorProcess;
  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    c = await startCollectorProcess({ dbFile, token: TOKEN, readToken: READ });
    expect((await post(c.port, [event('seed-1', 'cp-1', 'boot')])).status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an event whose attrs nest 100,000 levels (with the token): 400 too-deep, alive, nothing stored', async () => {
    const before = storedCount(dbFile);
    const deep = `{"events":[{"id":"deep-1","host":"cp-1","source":"agent","kind":"note","time":"${new Date().toISOString()}","attrs":{"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}}]}`;
    const r = await httpRaw(c.port, { method: 'POST', path: '/v1/events', headers: auth, body: deep });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toMatchObject({ error: 'too-deep', message: 'JSON nested deeper than 32 levels' });
    expect(c.alive()).toBe(true);
    expect(storedCount(dbFile)).toBe(before);
  });

  it('a kernel-log line nested 6,000 levels (no token needed there): dropped, alive, counted in /metrics', async () => {
    const before = storedCount(dbFile);
    await sendLines(c.kmsgPort, `{"msg":"x","seq":1,"clock":${'['.repeat(6000)}${']'.repeat(6000)}}\n`);
    let metrics = '';
    for (let i = 0; i < 50 && !/reason="kmsg-not-json"\} [1-9]/.test(metrics); i++) {
      metrics = await (await fetch(`http://127.0.0.1:${c.port}/metrics`)).text();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(metrics).toMatch(/collector_requests_rejected_total\{reason="kmsg-not-json"\} [1-9]/);
    expect(c.alive()).toBe(true);
    expect(storedCount(dbFile)).toBe(before);
  });

  it('the token is checked before the body is read: headers alone get the 401', async () => {
    // Announce a 3.9 MB body, send none of it: the answer comes from the headers alone.
    const answer = await new Promise<string>((resolve) => {
      const s = connect(c.port, '127.0.0.1', () => s.write(`POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 3900000\r\n\r\n`));
      let got = '';
      s.on('data', (d) => {
        got += d.toString();
        if (got.includes('\r\n\r\n')) {
          s.destroy();
          resolve(got);
        }
      });
    });
    expect(answer).toMatch(/^HTTP\/1\.1 401/);
  });

  it('text/plain on /v1/events is 415 as documented', async () => {
    const r = await httpRaw(c.port, { method: 'POST', path: '/v1/events', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain' }, body: JSON.stringify({ events: [event('plain-1', 'cp-1')] }) });
    expect(r.status).toBe(415);
    expect(JSON.parse(r.body).error).toBe('unsupported-media-type');
  });

  it('reads: a loopback peer naming another Host (DNS rebinding) is refused; the read-only token reads but cannot write', async () => {
    const rebound = await httpRaw(c.port, { path: '/v1/status', headers: { host: 'attacker.example' } });
    expect(rebound.status).toBe(401);
    for (const path of ['/v1/events', '/metrics', '/v1/stream']) expect((await httpRaw(c.port, { path, headers: { host: 'attacker.example' } })).status).toBe(401);
    expect((await httpRaw(c.port, { path: '/v1/status', headers: { host: 'attacker.example', authorization: `Bearer ${READ}` } })).status).toBe(200);
    expect((await httpRaw(c.port, { path: '/v1/status', headers: { host: `localhost:${c.port}` } })).status).toBe(200);
    const write = await httpRaw(c.port, { method: 'POST', path: '/v1/events', headers: { authorization: `Bearer ${READ}`, 'content-type': 'application/json' }, body: JSON.stringify({ events: [event('ro-1', 'cp-1')] }) });
    expect(write.status).toBe(401);
  });

  it('a 3 MB failure text: /v1/status stays small, the full text stays in the event', async () => {
    const text = 'E'.repeat(3 * 1024 * 1024);
    expect((await post(c.port, [event('huge-fail-1', 'ms02-3', 'failed', { message: text })])).status).toBe(200);
    const status = await httpRaw(c.port, { path: '/v1/status' });
    expect(status.status).toBe(200);
    expect(status.body.length).toBeLessThan(200_000);
    expect(status.body).toContain('more characters; the full text is in the event');
    const events = JSON.parse((await httpRaw(c.port, { path: '/v1/events?host=ms02-3&limit=10' })).body) as { events: { id: string; attrs: { message: string } }[] };
    expect(events.events.find((e) => e.id === 'huge-fail-1')?.attrs.message.length).toBe(text.length);
  });

  it('a Talos stream from 127.0.0.1 claiming cp-1, then a forged RUNNING/ready: stored as an unverified peer, cp-1 not healthy', async () => {
    const stage = async () => (JSON.parse((await httpRaw(c.port, { path: '/v1/status' })).body) as { hosts: { name: string; stage: string }[] }).hosts.find((h) => h.name === 'cp-1')?.stage;
    const was = await stage();
    expect(await publish(c.talosPort, eventRequest(xid(), 'AddressEvent', addressEvent('cp-1', ['10.10.30.10/24'])))).toBeNull();
    expect(await publish(c.talosPort, eventRequest(xid(), 'MachineStatusEvent', machineStatus('RUNNING', true)))).toBeNull();
    expect(await stage()).toBe(was);
    const events = JSON.parse((await httpRaw(c.port, { path: '/v1/events?host=cp-1&limit=100' })).body) as { events: { kind: string; attrs: Record<string, unknown> }[] };
    const claim = events.events.find((e) => e.kind === 'talos.unverified-peer');
    expect(claim?.attrs).toMatchObject({ peer: '127.0.0.1', claimed: 'cp-1' });
    expect(events.events.some((e) => e.kind === 'talos.stage')).toBe(false);
  });

  it('an AddressEvent with 20,000 addresses from a leased peer: answered fast, other hosts keep their addresses', async () => {
    // Our PXE service leased 127.0.0.1 to cp-2's MAC (a dhcp.ack): that peer may speak for cp-2.
    const mac = '02:00:00:00:03:02';
    expect((await post(c.port, [{ id: 'lease-cp2', mac, source: 'pxe', kind: 'dhcp.ack', time: new Date().toISOString(), attrs: { ip: '127.0.0.1' } }])).status).toBe(200);
    const many = Array.from({ length: 20_000 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/24`);
    many.unshift('10.10.30.10/24'); // cp-1's own lab address: never remapped
    const started = Date.now();
    expect(await publish(c.talosPort, eventRequest(xid(), 'AddressEvent', addressEvent('cp-2', many)))).toBeNull();
    expect(Date.now() - started).toBeLessThan(2000);
    const d = new Database(dbFile, { readonly: true });
    const peers = d.prepare('SELECT address, host FROM peers').all() as { address: string; host: string }[];
    d.close();
    expect(peers.length).toBeLessThanOrEqual(17);
    expect(peers.find((p) => p.address === '10.10.30.10')).toBeUndefined();
  });
});

describe('collector with a full disk', () => {
  let fs: SmallFs;
  let c: CollectorProcess;
  afterAll(async () => {
    await c?.stop();
    fs?.destroy();
  });

  it('answers 507 with a log line, survives a kernel-log line, and stores again once space returns', async () => {
    fs = smallFs(8192);
    const dbFile = join(fs.dir, 'events.db');
    c = await startCollectorProcess({ dbFile, token: TOKEN });
    expect((await post(c.port, [event('disk-1', 'cp-1', 'boot')])).status).toBe(200);
    fs.fill(0);
    const big = Array.from({ length: 500 }, (_, i) => event(`full-${i}`, 'cp-1', 'note', { pad: 'p'.repeat(2000) }));
    let r = await post(c.port, big);
    for (let i = 0; i < 20 && r.status === 200; i++) r = await post(c.port, big.map((e) => ({ ...e, id: `${e.id}-${i}` })));
    expect(r.status).toBe(507);
    expect(await r.json()).toMatchObject({ error: 'storage-full' });
    await until('the log line', () => /the disk holding the event store is full \(SQLITE_FULL\); answering 507/.test(c.log()), 5000);
    // A kernel-log line from a host's own address while the disk is full: the collector stays up.
    await sendLines(c.kmsgPort, `${JSON.stringify({ msg: 'hello', seq: 1, 'talos-time': new Date().toISOString() })}\n`);
    expect(c.alive()).toBe(true);
    fs.free();
    expect((await post(c.port, [event('disk-2', 'cp-1', 'note')])).status).toBe(200);
    expect(c.alive()).toBe(true);
  }, 120_000);
});

describe('collector with a corrupt database', () => {
  it('builder collect says the store cannot be read, how to recover, exits 1 and does not hang', async () => {
    const { execa } = await import('execa');
    const dir = join(tmpdir(), `corrupt-collector-${process.pid}`);
    mkdirSync(join(dir, 'state/secrets'), { recursive: true, mode: 0o700 });
    mkdirSync(join(dir, 'state/collector'), { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, 'state/secrets/collector-token'), `${TOKEN}\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'state/collector/events.db'), Buffer.alloc(64 * 1024, 0x5a));
    const { LAB } = await import('./collector-process.js');
    const r = await execa('node', [join(process.cwd(), 'builder/bin/builder.js'), 'collect', '--lab', LAB, '--state', join(dir, 'state'), '--listen', '127.0.0.1:0', '--talos-port', '0', '--kmsg-port', '0', '--no-join'], { reject: false, timeout: 30_000 });
    rmSync(dir, { recursive: true, force: true });
    expect(r.timedOut).toBe(false);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/the event store .*events\.db cannot be read: file is not a database \(SQLITE_NOTADB\)/);
    expect(r.stderr).toContain('.damaged');
    expect(r.stderr).toContain('ERR_COLLECTOR_DB_CORRUPT');
    expect(r.stderr).not.toMatch(/internal error|please report/);
  }, 60_000);
});
