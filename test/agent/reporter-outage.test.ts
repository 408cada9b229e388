import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
});
