import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseLab, planFromLab, type GenesisPlan, type LabEventInput } from '@lab/shared';
import { HostDirectory } from '../../src/collector/directory.js';
import { CollectorHub } from '../../src/collector/hub.js';
import { createCollectorApp } from '../../src/collector/server.js';
import { EventStore } from '../../src/collector/store.js';

export const TOKEN = 'test-token-0123456789abcdef';
export const LAB_FILE = fileURLToPath(new URL('../../../examples/genesis/lab.yaml', import.meta.url));

export function genesisPlan(): GenesisPlan {
  const parsed = parseLab(readFileSync(LAB_FILE, 'utf8'), LAB_FILE);
  if (!parsed.ok) throw new Error(`example lab does not parse: ${JSON.stringify(parsed.problems)}`);
  return planFromLab(parsed.lab);
}

export function tempDir(prefix = 'collector-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A hub over a real SQLite file in a temporary directory, and the HTTP app around it. */
export function collectorFixture(options: { now?: () => Date; dir?: string } = {}) {
  const tmp = options.dir ? { dir: options.dir, cleanup: () => undefined } : tempDir();
  const plan = genesisPlan();
  const store = new EventStore(join(tmp.dir, 'events.db'));
  const hub = new CollectorHub({ store, plan, directory: new HostDirectory(plan, store.peers()), now: options.now });
  const app = createCollectorApp({ hub, token: TOKEN });
  return {
    dir: tmp.dir,
    plan,
    store,
    hub,
    app,
    close: async () => {
      await app.close();
      store.close();
      tmp.cleanup();
    },
  };
}

let counter = 0;
export function ev(partial: Partial<LabEventInput> & Pick<LabEventInput, 'kind'>): LabEventInput {
  counter += 1;
  return { id: `t-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`, source: 'agent', time: new Date().toISOString(), attrs: {}, ...partial } as LabEventInput;
}

export const auth = { authorization: `Bearer ${TOKEN}` };

/**
 * Stands in for our PXE service leasing 127.0.0.1 to one of `host`'s MACs (a dhcp.ack event):
 * the tests' Talos connections come from loopback, and only a host's own lab address or its
 * lease may speak for it on Talos's unauthenticated streams.
 */
export function leaseLoopback(hub: CollectorHub, host: string): void {
  hub.ingest([{ id: `lease-${host}-${++counter}`, host, source: 'pxe', kind: 'dhcp.ack', time: new Date().toISOString(), attrs: { ip: '127.0.0.1' } }], 'http');
}
