import { deleteNetns } from './tools/ip.js';
import { isSameProcess, type Ledger } from './ledger.js';

export interface TeardownReport {
  stopped: string[];
  namespaces: string[];
  problems: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/**
 * Stops every recorded process (SIGTERM, then SIGKILL after `graceMs`), then deletes every
 * recorded namespace — which removes the taps, bridges and veths inside it — and finally the
 * state file. Processes go first: a namespace lives on while a process still runs in it.
 */
export async function teardown(ledger: Ledger, graceMs = 3000): Promise<TeardownReport> {
  const report: TeardownReport = { stopped: [], namespaces: [], problems: [] };
  const live = ledger.data.processes.filter(isSameProcess).reverse();
  for (const p of live) signal(p.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (live.some(isSameProcess) && Date.now() < deadline) await sleep(50);
  for (const p of live) if (isSameProcess(p)) signal(p.pid, 'SIGKILL');
  for (let i = 0; i < 40 && live.some(isSameProcess); i++) await sleep(50);
  for (const p of live) {
    if (isSameProcess(p)) report.problems.push(`${p.what} (pid ${p.pid}) did not stop`);
    else report.stopped.push(`${p.what} (pid ${p.pid})`);
  }
  for (const ns of [...ledger.data.namespaces].reverse()) {
    try {
      if (await deleteNetns(ns)) report.namespaces.push(ns);
    } catch (err) {
      report.problems.push((err as Error).message);
    }
  }
  if (report.problems.length === 0) await ledger.remove();
  return report;
}
