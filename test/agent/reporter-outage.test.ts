import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { Reporter } from '@lab/agent';
import { agentBundle } from '../fixtures/netns/agent-bundle.js';
import { startReceiver, type Receiver } from './receiver.js';
import { cleanupAfterEach, until } from '../fixtures/wait.js';

const TOKEN = 'test-token-0123456789abcdef';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cleanups = cleanupAfterEach();


describe('reporter against a collector that goes away', () => {
  it('delivers every event of a stream exactly once after the collector returns', async () => {
    const rx: Receiver = await startReceiver({ token: TOKEN });
    cleanups.push(() => rx.stop());
    const reporter = new Reporter({ collectorUrl: rx.url, token: TOKEN, spoolDir: mkdtempSync(join(tmpdir(), 'spool-')), maxEvents: 10_000, host: 'gw', backoffBaseMs: 50, backoffCapMs: 400, lingerMs: 5 });
    reporter.start();
    cleanups.push(() => reporter.stop());

    const ids: string[] = [];
    for (let i = 0; i < 900; i++) {
      ids.push(reporter.emit({ source: 'agent', kind: 'test.tick', attrs: { i } }).id);
      if (i === 300) {
        await until('the first events to arrive', () => rx.events.length > 0, 15_000);
        await rx.stop();
      }
      if (i === 600) {
        await sleep(700); // the outage spans several send attempts
        expect(reporter.state.collectorReachable).toBe(false);
        await rx.restart();
      }
      if (i % 50 === 0) await sleep(10);
    }
    await reporter.drain(20_000);

    const stored = rx.events.map((e) => e.id);
    expect(new Set(stored).size).toBe(stored.length);
    expect([...stored].sort()).toEqual([...ids].sort());
    // In order per sender: the spool is a queue.
    expect(stored).toEqual(ids);
    expect(rx.rejected).toBe(0);
  });

  it('loses nothing when the agent process is killed while the collector is down', async () => {
    const bundle = await agentBundle();
    const rx = await startReceiver({ token: TOKEN });
    const url = rx.url;
    await rx.stop();
    cleanups.push(() => rx.stop());
    const dir = mkdtempSync(join(tmpdir(), 'agent-'));
    const config = join(dir, 'agent.yaml');
    writeFileSync(config, `collector: { url: "${url}", token: "${TOKEN}" }\nhost: { name: gw }\nroles: [host]\nspool: { dir: ${dir}/spool }\n`, { mode: 0o600 });

    const first = execa('node', [bundle, '--config', config], { reject: false });
    await until('the first boot event to be spooled', () => {
      try {
        return readFileSync(join(dir, 'spool/spool-0.log'), 'utf8').includes('"kind":"boot"');
      } catch {
        return false;
      }
    }, 15_000);
    first.kill('SIGKILL');
    await first;

    await rx.restart();
    const second = execa('node', [bundle, '--config', config], { reject: false });
    cleanups.push(async () => {
      second.kill('SIGTERM');
      await second;
    });
    await until('both boot events at the collector', () => rx.events.filter((e) => e.kind === 'boot').length === 2, 15_000);
    const boots = rx.events.filter((e) => e.kind === 'boot');
    expect(boots.map((e) => e.host)).toEqual(['gw', 'gw']);
    expect(boots[0]?.id).not.toBe(boots[1]?.id);
    expect([...rx.deliveries.values()].every((n) => n === 1)).toBe(true);
  });

  it('with the spool full and the collector down, backoff holds, real events stay, and one marker counts the drops', async () => {
    // A collector port that accepts and hangs up at once: every send attempt is one connection.
    let connections = 0;
    const refuser = createServer((sock) => {
      connections++;
      sock.destroy();
    });
    await new Promise<void>((r) => refuser.listen(0, '127.0.0.1', () => r()));
    const port = (refuser.address() as AddressInfo).port;
    cleanups.push(() => new Promise<void>((r) => refuser.close(() => r())));
    const spoolDir = mkdtempSync(join(tmpdir(), 'spool-'));
    const reporter = new Reporter({ collectorUrl: `http://127.0.0.1:${port}`, token: TOKEN, spoolDir, maxEvents: 10, host: 'gw', backoffBaseMs: 100, backoffCapMs: 400, lingerMs: 5 });
    reporter.start();
    cleanups.push(() => reporter.stop());
    const ids: string[] = [];
    const started = Date.now();
    for (let i = 0; i < 60; i++) {
      ids.push(reporter.emit({ source: 'agent', kind: 'test.tick', attrs: { i } }).id);
      await sleep(40);
    }
    const seconds = (Date.now() - started) / 1000;
    // Backoff (100 ms doubling to a 400 ms cap, full jitter) allows ~1 attempt per 200 ms on average;
    // before, every new event and every marker restarted the clock (~45 connections a second).
    expect(connections / seconds).toBeLessThan(10);
    expect(reporter.state.dropped).toBe(50);
    const spooled = readFileSync(join(spoolDir, 'spool-0.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; kind: string });
    expect(spooled.filter((e) => e.kind === 'agent.spool-dropped')).toEqual([]);

    const rx = await startReceiver({ token: TOKEN });
    cleanups.push(() => rx.stop());
    (reporter as unknown as { opts: { collectorUrl: string } }).opts.collectorUrl = rx.url; // the collector comes back on another port
    await reporter.drain(15_000);
    const markers = rx.events.filter((e) => e.kind === 'agent.spool-dropped');
    expect(markers).toHaveLength(1);
    expect(markers[0]?.attrs.count).toBe(50);
    // The ten newest real events arrive, in order, none replaced by markers.
    expect(rx.events.filter((e) => e.kind === 'test.tick').map((e) => e.id)).toEqual(ids.slice(-10));
  });
});
