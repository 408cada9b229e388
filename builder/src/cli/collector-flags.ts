import { planFromLab, type GenesisPlan, type Lab } from '@lab/shared';
import { UsageError } from '../base/index.js';
import { requireLabAndState } from '../lab/index.js';
import type { StatePaths } from '../state/index.js';

export interface CollectorContext {
  lab: Lab;
  labFile: string;
  paths: StatePaths;
  plan: GenesisPlan;
}

/** The lab, its state paths and its Genesis plan, for the collector commands. */
export async function collectorContext(values: { lab?: string; state?: string }, cwd: string): Promise<CollectorContext> {
  const { lab, labFile, paths } = await requireLabAndState(values, cwd);
  return { lab, labFile, paths, plan: planFromLab(lab) };
}

/** `ADDR:PORT` (IPv6 in brackets) → host and port. */
export function parseListen(text: string, flag = '--listen'): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:]+)\]|([^\s:]+)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new UsageError('ERR_USAGE_FLAG_VALUE', `${flag}: "${text}" is not ADDR:PORT`, `write it like 0.0.0.0:8080 or 127.0.0.1:8080`);
  return { host: (m[1] ?? m[2])!, port };
}

export function parsePort(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d{1,5}$/.test(text) || n > 65535) throw new UsageError('ERR_USAGE_FLAG_VALUE', `${flag}: "${text}" is not a port number`, 'give a number from 0 to 65535 (0 picks a free port)');
  return n;
}

/** Where the commands that read the collector reach it: loopback when it listens on every address. */
export function localUrl(listen: string): string {
  const { host, port } = parseListen(listen);
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}
