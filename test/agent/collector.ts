import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseLab, planFromLab, type LabEvent } from '@lab/shared';
import { startCollector, type RunningCollector } from '../../builder/src/collector/server.js';

/** The real collector (SQLite store, phase model) for the example lab, listening on `host`. */
export const EXAMPLE_LAB = resolve(import.meta.dirname, '../../examples/genesis/lab.yaml');

export interface RealCollector {
  url: string;
  running: RunningCollector;
  /** Stored events of one lab host, in the order the collector stored them. */
  eventsOf(host: string): LabEvent[];
  close(): Promise<void>;
}

export async function startRealCollector(host: string, token: string): Promise<RealCollector> {
  const parsed = parseLab(readFileSync(EXAMPLE_LAB, 'utf8'), EXAMPLE_LAB);
  if (!parsed.ok) throw new Error('the example lab does not validate');
  const dir = mkdtempSync(join(tmpdir(), 'collector-'));
  const running = await startCollector({ plan: planFromLab(parsed.lab), dbFile: join(dir, 'events.db'), token, host, port: 0, talosPort: 0, kmsgPort: 0 });
  return {
    url: `http://${host}:${running.httpPort}`,
    running,
    eventsOf: (h) => running.hub.store.list({ host: h, limit: 10_000 }),
    close: () => running.close(),
  };
}
