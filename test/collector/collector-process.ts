import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { bundleCollector } from './fixtures/bundle.js';

export const LAB = fileURLToPath(new URL('../../examples/genesis/lab.yaml', import.meta.url));

export interface CollectorProcess {
  child: ChildProcess;
  port: number;
  talosPort: number;
  kmsgPort: number;
  /** Everything it wrote to stderr so far. */
  log(): string;
  alive(): boolean;
  stop(): Promise<void>;
}

/** The real collector in its own process (so a crash is a dead process, not a dead test runner). */
export async function startCollectorProcess(opts: { dbFile: string; token: string; readToken?: string }): Promise<CollectorProcess> {
  const bundle = await bundleCollector();
  const env: NodeJS.ProcessEnv = { ...process.env, LAB_FILE: LAB, DB_FILE: opts.dbFile, TOKEN: opts.token, PORT: '0', ...(opts.readToken ? { READ_TOKEN: opts.readToken } : {}) };
  const child = spawn(process.execPath, [bundle], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const ports = await new Promise<{ port: number; talosPort: number; kmsgPort: number }>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line)));
    child.once('exit', (code) => reject(new Error(`collector exited early (${code}): ${err}`)));
  });
  return {
    child,
    ...ports,
    log: () => err,
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}
