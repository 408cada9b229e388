import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Reporter } from '@lab/agent';
import { parseLab, planFromLab } from '@lab/shared';
import { startCollector, type RunningCollector } from '../../builder/src/collector/server.js';
import { until } from '../fixtures/wait.js';

const TOKEN = 'agent-to-collector-token';
const LAB = fileURLToPath(new URL('../../examples/genesis/lab.yaml', import.meta.url));


describe('the agent\'s reporter against the real collector', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('delivers boot and PXE events; the collector moves the hosts and stores each id once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'a2c-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const parsed = parseLab(readFileSync(LAB, 'utf8'), LAB);
    if (!parsed.ok) throw new Error('example lab invalid');
    const collector: RunningCollector = await startCollector({ plan: planFromLab(parsed.lab), dbFile: join(dir, 'events.db'), token: TOKEN, host: '127.0.0.1', port: 0, talosPort: 0, kmsgPort: 0 });
    cleanups.push(() => collector.close());
    const reporter = new Reporter({ collectorUrl: `http://127.0.0.1:${collector.httpPort}`, token: TOKEN, spoolDir: join(dir, 'spool'), maxEvents: 1000, host: 'gateway', lingerMs: 5 });
    reporter.start();
    cleanups.push(() => reporter.stop());

    const ids = [
      reporter.emit({ source: 'agent', kind: 'boot', attrs: { model: 'vp6630' } }).id,
      reporter.emit({ source: 'pxe', kind: 'dhcp.discover', mac: '02:00:00:00:02:01' }).id,
      reporter.emit({ source: 'pxe', kind: 'tftp.start', mac: '02:00:00:00:02:01', attrs: { file: 'ipxe.efi' } }).id,
    ];
    await until('all events acknowledged', () => ids.every((id) => collector.hub.store.hasId(id)));
    // The writer thread commits before its answer reaches the hub, so a row can be readable a
    // moment before the hub has folded it into the status: wait for the fold, not only the row.
    await until('all events folded into the status', () => collector.hub.status().hosts.find((h) => h.name === 'ms02-1')?.stage === 'pxe-tftp');
    const status = collector.hub.status();
    expect(status.hosts.find((h) => h.name === 'gateway')?.stage).toBe('booted');
    expect(status.hosts.find((h) => h.name === 'ms02-1')?.stage).toBe('pxe-tftp');
    expect(collector.hub.store.count()).toBe(3);
    expect(collector.hub.store.list({ host: 'ms02-1', limit: 10 }).map((e) => e.mac)).toEqual(['02:00:00:00:02:01', '02:00:00:00:02:01']);
  });
});
