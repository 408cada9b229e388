import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../src/cli/dispatch.js';
import { memoryIo } from '../../src/base/index.js';
import { followStream } from '../../src/collector/client.js';
import { startCollector, type RunningCollector } from '../../src/collector/server.js';
import { EventStore } from '../../src/collector/store.js';
import { genesisPlan, LAB_FILE, tempDir } from './helpers.js';
import type { GenesisStatus } from '@lab/shared';

const TOKEN = 'cli-test-token-abcdef';

describe('collect / status / watch commands', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir('collector-cli-'));
    copyFileSync(LAB_FILE, join(dir, 'lab.yaml'));
  });
  afterEach(() => cleanup());

  const writeToken = () => {
    mkdirSync(join(dir, 'state/secrets'), { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, 'state/secrets/collector-token'), `${TOKEN}\n`, { mode: 0o600 });
  };

  it('collect: a bad --listen is a usage error (exit 2)', async () => {
    const io = memoryIo(dir);
    expect(await dispatch(['collect', '--lab', 'lab.yaml', '--listen', 'localhost'], io)).toBe(2);
    expect(io.stderr).toContain('--listen: "localhost" is not ADDR:PORT');
    expect(io.stderr).not.toMatch(/\n\s+at /);
  });

  it('collect: without the lab\'s token it says how to create it (exit 1)', async () => {
    const io = memoryIo(dir);
    expect(await dispatch(['collect', '--lab', 'lab.yaml', '--listen', '127.0.0.1:0'], io)).toBe(1);
    expect(io.stderr).toContain('no collector token yet');
    expect(io.stderr).toContain('builder secrets init');
  });

  it('status: computes from the store when no collector answers, and says so', async () => {
    writeToken();
    mkdirSync(join(dir, 'state/collector'), { recursive: true });
    const store = new EventStore(join(dir, 'state/collector/events.db'));
    store.insert([{ id: 'e1', host: 'cp-1', source: 'agent', kind: 'boot', time: new Date().toISOString(), attrs: {} }]);
    store.close();
    const io = memoryIo(dir);
    const code = await dispatch(['status', '--lab', 'lab.yaml', '--url', 'http://127.0.0.1:9', '--json'], io);
    const status = JSON.parse(io.stdout) as GenesisStatus;
    expect(status.hosts.find((h) => h.name === 'cp-1')?.stage).toBe('booted');
    expect(code).toBe(0);
    const text = memoryIo(dir);
    await dispatch(['status', '--lab', 'lab.yaml', '--url', 'http://127.0.0.1:9'], text);
    expect(text.stdout).toContain('is not answering; status computed from');
    expect(text.stdout).toMatch(/cp-1\s+Booted/);
    expect(text.stdout).not.toContain(TOKEN);
  });

  it('status: asks the running collector, exit 1 when a host is stalled', async () => {
    writeToken();
    const running = await startCollector({ plan: genesisPlan(), dbFile: join(dir, 'db.sqlite'), token: TOKEN, host: '127.0.0.1', port: 0, talosPort: 0, kmsgPort: 0, thresholds: { 'stall-expected-boot': 0 } });
    try {
      const io = memoryIo(dir);
      const code = await dispatch(['status', '--lab', 'lab.yaml', '--url', `http://127.0.0.1:${running.httpPort}`], io);
      expect(io.stdout).toContain(`from the collector at http://127.0.0.1:${running.httpPort}`);
      expect(io.stdout.indexOf('PROBLEMS')).toBe(io.stdout.indexOf('\n') + 2);
      expect(io.stdout).toContain('gateway: no boot report received for 0 min');
      expect(io.stdout).toContain('runbook.html#no-boot');
      expect(code).toBe(1);
    } finally {
      await running.close();
    }
  });

  it('watch: follows the live stream and sees a stage change', async () => {
    const running: RunningCollector = await startCollector({ plan: genesisPlan(), dbFile: join(dir, 'db.sqlite'), token: TOKEN, host: '127.0.0.1', port: 0, talosPort: 0, kmsgPort: 0 });
    const abort = new AbortController();
    const seen: string[] = [];
    try {
      const following = followStream(`http://127.0.0.1:${running.httpPort}`, TOKEN, (s) => {
        seen.push(s.hosts.find((h) => h.name === 'ms02-1')!.stage);
        if (seen.at(-1) === 'pxe-dhcp') abort.abort();
      }, abort.signal);
      await new Promise((r) => setTimeout(r, 100));
      await fetch(`http://127.0.0.1:${running.httpPort}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ events: [{ id: 'w1', mac: '02:00:00:00:02:01', source: 'pxe', kind: 'dhcp.discover', time: new Date().toISOString() }] }) });
      await following;
      expect(seen[0]).toBe('expected');
      expect(seen.at(-1)).toBe('pxe-dhcp');
    } finally {
      abort.abort();
      await running.close();
    }
  });
});
