import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleCollector } from './fixtures/bundle.js';

const LAB = fileURLToPath(new URL('../../examples/genesis/lab.yaml', import.meta.url));
const TOKEN = 'crash-test-token';
const HOSTS = ['gateway', 'cp-1', 'ms02-1', 'ms02-2', 'ms02-3', 'cp-2', 'cp-3'];

function startProcess(bundle: string, dbFile: string, port: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [bundle], { env: { ...process.env, LAB_FILE: LAB, DB_FILE: dbFile, TOKEN, PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve({ child, port: (JSON.parse(line) as { port: number }).port }));
    child.once('exit', (code) => reject(new Error(`collector exited early (${code})`)));
  });
}

describe('crash: kill -9 while senders push 10,000 events', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crash-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every acknowledged event, exactly once, after a restart', async () => {
    const bundle = await bundleCollector();
    const dbFile = join(dir, 'events.db');
    let current = await startProcess(bundle, dbFile, 0);
    const port = current.port;
    const url = `http://127.0.0.1:${port}/v1/events`;

    const SENDERS = 5;
    const PER_SENDER = 2000;
    const BATCH = 50;
    const acked = new Set<string>();
    const ackedBeforeKill = new Set<string>();
    let killed = false;
    let failures = 0;

    // Each sender behaves like the agent's reporter: a batch is retried, with the same ids,
    // until the collector acknowledges it.
    const sender = async (n: number) => {
      for (let b = 0; b < PER_SENDER / BATCH; b++) {
        const events = Array.from({ length: BATCH }, (_, i) => ({
          id: `s${n}-b${b}-e${i}`,
          host: HOSTS[(b + i) % HOSTS.length],
          source: 'agent',
          kind: 'note',
          time: new Date().toISOString(),
          attrs: { sender: n, batch: b, i },
        }));
        const body = JSON.stringify({ events });
        for (;;) {
          try {
            const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body });
            if (res.status === 200) {
              await res.arrayBuffer();
              for (const e of events) {
                acked.add(e.id);
                if (!killed) ackedBeforeKill.add(e.id);
              }
              break;
            }
            throw new Error(`status ${res.status}`);
          } catch {
            failures += 1;
            await new Promise((r) => setTimeout(r, 50));
          }
        }
      }
    };

    const sending = Promise.all(Array.from({ length: SENDERS }, (_, n) => sender(n)));
    // Kill the collector hard once a good part of the events is acknowledged.
    while (acked.size < 3000) await new Promise((r) => setTimeout(r, 5));
    killed = true;
    current.child.kill('SIGKILL');
    await new Promise((r) => current.child.once('exit', r));
    const atKill = ackedBeforeKill.size;
    await new Promise((r) => setTimeout(r, 300));
    current = await startProcess(bundle, dbFile, port);
    await sending;

    current.child.kill('SIGTERM');
    await new Promise((r) => current.child.once('exit', r));

    const db = new Database(dbFile, { readonly: true });
    const rows = db.prepare('SELECT id, COUNT(*) AS n FROM events GROUP BY id').all() as { id: string; n: number }[];
    const total = (db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
    db.close();
    const stored = new Map(rows.map((r) => [r.id, r.n]));
    const keptAtKill = [...ackedBeforeKill].filter((id) => stored.get(id) === 1).length;
    console.log(`kill -9: ${atKill} events acknowledged before the kill, ${keptAtKill} of them stored once after the restart; ${acked.size} acknowledged in all, ${total} rows stored; ${failures} sends retried`);

    expect(atKill).toBeGreaterThanOrEqual(3000);
    expect(failures).toBeGreaterThan(0); // the kill really interrupted senders
    for (const id of ackedBeforeKill) expect(stored.get(id), id).toBe(1);
    expect(acked.size).toBe(SENDERS * PER_SENDER);
    for (const id of acked) expect(stored.get(id), id).toBe(1);
    expect(total).toBe(SENDERS * PER_SENDER);
  });
});
