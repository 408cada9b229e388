import { readFileSync } from 'node:fs';
import { isSameProcess, type LedgerProcess } from './ledger.js';

/** Resident memory (VmRSS, MiB) of the recorded processes still running, plus this process. */
export function memoryOf(processes: LedgerProcess[]): number {
  let kb = rssKb(process.pid);
  for (const p of processes) if (isSameProcess(p)) kb += rssKb(p.pid);
  return kb / 1024;
}

function rssKb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}
