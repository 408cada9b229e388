import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLab, planFromLab } from '@lab/shared';
import { startCollector, type RunningCollector } from '../../src/collector/server.js';
import { dispatch } from '../../src/cli/dispatch.js';
import { memoryIo } from '../../src/base/index.js';

/** `builder next` and the runbook against the real collector (SQLite store, HTTP ingest) on 127.0.0.1. */

const LAB_FILE = 'examples/genesis/lab.yaml';
const TOKEN = 'test-token-not-a-secret';
let dir: string;
let collector: RunningCollector;
let url: string;

async function post(events: unknown[]) {
  const res = await fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
}

async function next() {
  const io = memoryIo(process.cwd());
  const code = await dispatch(['next', '--lab', LAB_FILE, '--collector', url, '--json'], io);
  return { code, advice: JSON.parse(io.stdout) as { kind: string; anchor: string; text: string } };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'next-collector-'));
  const parsed = parseLab(await readFile(LAB_FILE, 'utf8'), LAB_FILE);
  if (!parsed.ok) throw new Error('example lab invalid');
  collector = await startCollector({ plan: planFromLab(parsed.lab), dbFile: join(dir, 'events.db'), token: TOKEN, host: '127.0.0.1', port: 0, talosPort: 0, kmsgPort: 0, runbookDir: join(dir, 'runbook') });
  url = `http://127.0.0.1:${collector.httpPort}`;
});
afterAll(async () => {
  await collector?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('builder next with the real collector', () => {
  it('follows events posted to the collector', async () => {
    expect((await next()).advice.anchor).toBe('write-sticks');
    const now = new Date().toISOString();
    await post([{ id: 'gw-boot-1', host: 'gateway', source: 'agent', kind: 'boot', time: now, attrs: {} }]);
    expect((await next()).advice.anchor).toBe('boot-cp-1');
    await post([
      { id: 'cp1-1', host: 'cp-1', source: 'talos', kind: 'talos.stage', time: now, attrs: { stage: 'BOOTING' } },
      { id: 'cp1-2', host: 'cp-1', source: 'talos', kind: 'talos.stage', time: now, attrs: { stage: 'INSTALLING' } },
      // The install's end as Talos sends it: a FATAL NOOP carrying unix.Reboot, then RUNNING from disk.
      { id: 'cp1-3', host: 'cp-1', source: 'talos', kind: 'talos.sequence', time: now, attrs: { sequence: 'install', action: 'NOOP', errorCode: 'FATAL', reboot: 'sequence failed: unix.Reboot(45584543)' } },
      { id: 'cp1-4', host: 'cp-1', source: 'talos', kind: 'talos.stage', time: now, attrs: { stage: 'RUNNING', ready: false } },
    ]);
    const r = await next();
    expect(r.advice.anchor).toBe('bootstrap');
    expect(r.advice.text).toContain('builder bootstrap --lab');
    expect(r.advice.text).toContain('--nodes 10.10.30.10 bootstrap');
  });

  it('serves the generated runbook where the dashboard links it', async () => {
    const io = memoryIo(process.cwd());
    expect(await dispatch(['runbook', '--lab', LAB_FILE, '--out', join(dir, 'runbook')], io)).toBe(0);
    const res = await fetch(`${url}/runbook.html`);
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const id of ['no-dhcp', 'direct-boot', 'pxe-dhcp', 'argocd-healthy']) expect(html).toContain(`id="${id}"`);
  });
});
