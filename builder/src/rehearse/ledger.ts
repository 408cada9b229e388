import { readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { writeFileAtomic } from '../state/index.js';

/**
 * The rehearsal's state file: every namespace and process it made, written (atomically) before
 * each is made, so `builder rehearse --clean` can finish the teardown after a Ctrl-C, a crash
 * or kill -9. Teardown goes by this record only, never by name patterns.
 */
export interface LedgerProcess {
  pid: number;
  /** /proc/PID/stat start time: a pid reused by another program is left alone. */
  start: string;
  what: string;
}

export interface LedgerData {
  version: 1;
  id: string;
  owner: { pid: number; start: string };
  createdAt: string;
  namespaces: string[];
  processes: LedgerProcess[];
}

/** Field 22 of /proc/PID/stat (start time in clock ticks since boot), or undefined if gone. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export function isSameProcess(p: { pid: number; start: string }): boolean {
  return processStart(p.pid) === p.start;
}

export class Ledger {
  private constructor(
    readonly file: string,
    readonly data: LedgerData,
  ) {}

  static async create(file: string, id: string): Promise<Ledger> {
    const data: LedgerData = { version: 1, id, owner: { pid: process.pid, start: processStart(process.pid) ?? '' }, createdAt: new Date().toISOString(), namespaces: [], processes: [] };
    const l = new Ledger(file, data);
    await l.save();
    return l;
  }

  static open(file: string, data: LedgerData): Ledger {
    return new Ledger(file, data);
  }

  async addNamespace(ns: string): Promise<void> {
    this.data.namespaces.push(ns);
    await this.save();
  }

  async addProcess(pid: number, what: string): Promise<void> {
    this.data.processes.push({ pid, start: processStart(pid) ?? '', what });
    await this.save();
  }

  async save(): Promise<void> {
    await writeFileAtomic(this.file, `${JSON.stringify(this.data, null, 2)}\n`, { mode: 0o600 });
  }

  async remove(): Promise<void> {
    await rm(this.file, { force: true });
  }
}

export async function readLedger(file: string): Promise<LedgerData | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const data = JSON.parse(text) as LedgerData;
  if (data.version !== 1 || !Array.isArray(data.namespaces) || !Array.isArray(data.processes)) throw new Error(`${file} is not a rehearsal state file (version 1)`);
  return data;
}
