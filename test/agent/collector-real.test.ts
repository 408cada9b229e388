import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Reporter } from '@lab/agent';
import { startRealCollector } from './collector.js';
import { cleanupAfterEach, until } from '../fixtures/wait.js';

const TOKEN = 'real-collector-token-0123456789';
const cleanups = cleanupAfterEach();


describe('reporter against the real collector', () => {
  it('drops only the event the collector refuses (a host the lab lacks), reports it, and delivers the rest once', async () => {
    const collector = await startRealCollector('127.0.0.1', TOKEN);
    cleanups.push(() => collector.close());
    const reporter = new Reporter({ collectorUrl: collector.url, token: TOKEN, spoolDir: mkdtempSync(join(tmpdir(), 'spool-')), maxEvents: 1000, host: 'gateway', lingerMs: 30 });
    reporter.start();
    cleanups.push(() => reporter.stop());
    const good1 = reporter.emit({ source: 'agent', kind: 'boot', attrs: {} });
    const bad = reporter.emit({ source: 'join', kind: 'join.node-ready', host: 'no-such-host', attrs: {} });
    const good2 = reporter.emit({ source: 'pxe', kind: 'dhcp.discover', mac: '02:00:00:00:02:01', attrs: {} });
    await reporter.drain(15_000);
    const store = collector.running.hub.store;
    expect(store.hasId(good1.id)).toBe(true);
    expect(store.hasId(good2.id)).toBe(true);
    expect(store.hasId(bad.id)).toBe(false);
    expect(reporter.state.rejected).toBe(1);
    await until('the rejection report', () => collector.eventsOf('gateway').some((e) => e.kind === 'agent.event-rejected'));
    const report = collector.eventsOf('gateway').find((e) => e.kind === 'agent.event-rejected');
    expect(report?.attrs).toMatchObject({ kind: 'join.node-ready', id: bad.id, status: 422 });
    expect(collector.eventsOf('ms02-1').map((e) => e.kind)).toEqual(['dhcp.discover']);
  });
});
