import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLab, planFromLab } from '@lab/shared';
import { startCollector, type RunningCollector } from '../../builder/src/collector/server.js';
import { dispatch } from '../../builder/src/cli/dispatch.js';
import { memoryIo } from '../../builder/src/base/io.js';
import { followHostEvents } from '../../builder/src/collector/follow-events.js';
import { bundleCollector } from '../collector/fixtures/bundle.js';
import { until } from '../fixtures/wait.js';

const LAB = fileURLToPath(new URL('../../examples/genesis/lab.yaml', import.meta.url));
const TOKEN = 'terminal-test-token';
const BUILDER = fileURLToPath(new URL('../../builder/bin/builder.js', import.meta.url));

/** A lab directory of its own (the example lab, its state with the collector token). */
function labDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'term-'));
  cpSync(LAB, join(dir, 'lab.yaml'));
  mkdirSync(join(dir, 'state', 'secrets'), { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, 'state', 'secrets', 'collector-token'), `${TOKEN}\n`, { mode: 0o600 });
  return dir;
}

async function post(base: string, events: unknown[]): Promise<void> {
  const res = await fetch(`${base}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
  expect(res.status).toBe(200);
}

describe('builder events, logs and wait against the real collector', () => {
  let dir: string;
  let collector: RunningCollector;
  let base: string;
  const run = async (...args: string[]) => {
    const io = memoryIo(dir);
    const code = await dispatch([...args, '--lab', 'lab.yaml', '--collector', base], io);
    return { code, out: io.stdout, err: io.stderr };
  };
  beforeAll(async () => {
    dir = labDir();
    const parsed = parseLab((await import('node:fs')).readFileSync(LAB, 'utf8'), LAB);
    if (!parsed.ok) throw new Error('lab invalid');
    collector = await startCollector({ plan: planFromLab(parsed.lab), dbFile: join(dir, 'events.db'), token: TOKEN, host: '127.0.0.1', port: 0, talosPort: 0, kmsgPort: 0 });
    base = `http://127.0.0.1:${collector.httpPort}`;
    const t = new Date().toISOString();
    await post(base, [
      { id: 'e1', host: 'cp-1', source: 'talos', kind: 'talos.stage', time: t, attrs: { stage: 'BOOTING', ready: false } },
      { id: 'e2', host: 'cp-1', source: 'kmsg', kind: 'kmsg', time: t, attrs: { msg: 'nvme nvme0: I/O 12 QID 3 timeout, aborting', priority: 3 } },
      { id: 'e3', host: 'cp-1', source: 'talos', kind: 'log', time: t, attrs: { msg: 'etcd is waiting to join the cluster', service: 'etcd', 'talos-level': 'info' } },
    ]);
  });
  afterAll(async () => {
    await collector?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('events HOST prints every stored event of the host, one line each', async () => {
    const r = await run('events', 'cp-1');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(3);
    // Fixed columns: time, source (9), kind (28), then the attributes.
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d {2}talos {6}talos\.stage {19}stage=BOOTING ready=false$/);
  });

  it('logs HOST prints only the kernel and service log, with level and who', async () => {
    const r = await run('logs', 'cp-1');
    expect(r.out.trim().split('\n').map((l) => l.slice(10))).toEqual(['kernel      err     nvme nvme0: I/O 12 QID 3 timeout, aborting', 'etcd        info    etcd is waiting to join the cluster']);
  });

  it('following (-f) prints new events as they are stored, until stopped', async () => {
    // The follower `events -f` and `logs -f` run, driven here with its abort signal instead of Ctrl-C.
    const seen: string[] = [];
    const abort = new AbortController();
    const done = followHostEvents(base, TOKEN, { host: 'cp-2', tail: 50, follow: true, signal: abort.signal, pollMs: 50, onEvent: (e) => seen.push(String(e.attrs.stage)) });
    await post(base, [{ id: 'f1', host: 'cp-2', source: 'talos', kind: 'talos.stage', time: new Date().toISOString(), attrs: { stage: 'INSTALLING' } }]);
    await until('followed event seen', () => seen.includes('INSTALLING'));
    abort.abort();
    await done;
    expect(seen).toEqual(['INSTALLING']);
  });

  it('names an unknown host as a usage error', async () => {
    const r = await run('events', 'nope');
    expect(r.code).toBe(2);
    expect(r.err).toContain('"nope" is not a host of the lab');
  });

  it('wait exits 1 on timeout while the phase is not done, 1 at once on a failure, 0 when done', async () => {
    const timedOut = await run('wait', '--phase', '1', '--timeout', '1s', '--poll-ms', '100');
    expect(timedOut.code).toBe(1);
    expect(timedOut.out).toMatch(/timed out after 1s/);
    await post(base, [{ id: 'x1', host: 'cp-3', source: 'talos', kind: 'talos.config-error', time: new Date().toISOString(), attrs: { error: 'unknown keys found during decoding' } }]);
    const failed = await run('wait', '--phase', '4', '--timeout', '1m', '--poll-ms', '100');
    expect(failed.code).toBe(1);
    expect(failed.out).toContain('cp-3: Talos could not load its configuration: unknown keys found during decoding');
    const t = new Date().toISOString();
    const waiting = run('wait', '--phase', '1', '--timeout', '1m', '--poll-ms', '100');
    await post(base, [
      { id: 'w1', host: 'gateway', source: 'agent', kind: 'boot', time: t, attrs: {} },
      { id: 'w2', host: 'cp-1', source: 'talos', kind: 'talos.stage', time: t, attrs: { stage: 'RUNNING', ready: false } },
      { id: 'w3', host: 'cp-1', source: 'join', kind: 'join.talos-services', time: t, attrs: { services: [{ id: 'etcd', state: 'Running', healthy: true }], unhealthy: [] } },
      { id: 'w4', host: 'cp-1', source: 'join', kind: 'join.node-ready', time: t, attrs: { node: 'cp-1', addresses: ['10.10.30.10'], roles: ['control-plane'] } },
      { id: 'w5', host: 'cp-1', source: 'join', kind: 'join.argocd-healthy', time: t, attrs: { healthy: true } },
    ]);
    const done = await waiting;
    expect(done.code).toBe(0);
    expect(done.out).toMatch(/wait: phase 1 \(Direct boot\) done\n$/);
  });
});

// builder watch in a real terminal (tmux), against a collector in its own process that is stopped
// and started again on the same port and database.
describe('builder watch in tmux', () => {
  const session = `watch-test-${process.pid}`;
  let dir: string;
  let child: ChildProcess | undefined;
  const start = (port: number) =>
    new Promise<number>((resolve, reject) => {
      child = spawn(process.execPath, [bundle], { env: { ...process.env, LAB_FILE: LAB, DB_FILE: join(dir, 'events.db'), TOKEN, PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] });
      createInterface({ input: child.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
      child.once('exit', (code) => reject(new Error(`collector exited (${code})`)));
    });
  const stopCollector = () =>
    new Promise<void>((resolve) => {
      if (!child || child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  const screen = () => execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' });
  let bundle: string;

  beforeAll(async () => {
    dir = labDir();
    bundle = await bundleCollector();
  });
  afterAll(async () => {
    try {
      execFileSync('tmux', ['kill-session', '-t', session]);
    } catch {
      // already gone
    }
    await stopCollector();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps its view and columns through a collector restart, and marks a failed host in words', async () => {
    const port = await start(0);
    const base = `http://127.0.0.1:${port}`;
    execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '160', '-y', '50', '-c', dir, `${process.execPath} ${BUILDER} watch --lab lab.yaml --collector ${base}`]);
    await until('watch shows the hosts', () => screen().includes('HOSTS'));
    const header = screen().split('\n').find((l) => l.includes('HOST ') && l.includes('STAGE'))!;
    await stopCollector();
    await until('watch says the collector went away', () => /went away|not answering/.test(screen()));
    expect(screen()).toContain('HOSTS');
    await start(port);
    await post(base, [{ id: 'r1', host: 'cp-2', source: 'talos', kind: 'talos.config-error', time: new Date().toISOString(), attrs: { error: 'bad config' } }]);
    await until('watch reconnected and shows the failure', () => screen().includes('live from') && screen().includes('FAILED'), 20_000);
    const now = screen().split('\n');
    expect(now.find((l) => l.includes('HOST ') && l.includes('STAGE'))).toBe(header);
    const row = now.find((l) => /^\s+cp-2\s/.test(l))!;
    expect(row.indexOf('FAILED')).toBe(header.indexOf('STATE'));
  });
});
