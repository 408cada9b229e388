import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { EVENT_SINK_SERVICE } from '../../builder/src/collector/ingest/talos-grpc.js';
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

const Client = grpc.makeGenericClientConstructor(EVENT_SINK_SERVICE, 'EventSinkService');

/** One Publish from a fresh grpc-js client, as Talos sends it; resolves with the error, if any. */
export function publish(port: number, req: Buffer): Promise<grpc.ServiceError | null> {
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return new Promise((resolve) =>
    (client as unknown as { Publish: (r: Buffer, cb: (e: grpc.ServiceError | null) => void) => void }).Publish(req, (e) => {
      client.close();
      resolve(e);
    }),
  );
}

/** Sends text on a fresh kernel-log connection and waits until it is closed. */
export function sendLines(port: number, text: string): Promise<void> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.end(text));
    s.on('error', () => resolve());
    s.on('close', () => resolve());
  });
}

