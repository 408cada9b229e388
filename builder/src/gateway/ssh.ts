import { Client, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { hostKeyFromBlob, type HostKey } from './known-hosts.js';

/** The adapter around ssh2: one connection to the gateway, scripts run through `vbash -s`. */
export interface GatewaySession {
  /** The host key the server presented. */
  hostKey: HostKey;
  /** Runs a vbash script (sent on stdin of `vbash -s`, as VyOS's command-scripting docs do). */
  run(script: string, timeoutMs?: number): Promise<{ code: number; stdout: string; stderr: string }>;
  upload(remotePath: string, content: string, mode: number): Promise<void>;
  remove(remotePath: string): Promise<void>;
  close(): void;
}

export interface ConnectOptions {
  host: string;
  port: number;
  user: string;
  privateKey: string;
  /** Decides whether the offered host key is acceptable (pinning happens in the caller). */
  acceptHostKey(key: HostKey): boolean;
  readyTimeoutMs?: number;
}

export class SshConnectError extends Error {
  constructor(
    message: string,
    readonly reason: 'host-key' | 'auth' | 'unreachable' | 'other',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SshConnectError';
  }
}

export function connectGateway(opts: ConnectOptions): Promise<GatewaySession> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let offered: HostKey | undefined;
    let rejectedKey = false;
    const config: ConnectConfig = {
      host: opts.host,
      port: opts.port,
      username: opts.user,
      privateKey: opts.privateKey,
      readyTimeout: opts.readyTimeoutMs ?? 10_000,
      // Never fall back to a password or an agent: the lab's key or nothing.
      tryKeyboard: false,
      hostVerifier: (key: Buffer) => {
        offered = hostKeyFromBlob(key);
        const ok = opts.acceptHostKey(offered);
        if (!ok) rejectedKey = true;
        return ok;
      },
    };
    client.once('ready', () => {
      resolve(session(client, offered!));
    });
    client.once('error', (err: Error & { level?: string; code?: string }) => {
      client.end();
      if (rejectedKey) return reject(new SshConnectError('host key refused', 'host-key', { cause: err }));
      if (err.level === 'client-authentication') return reject(new SshConnectError('the gateway refused the lab key', 'auth', { cause: err }));
      if (err.level === 'client-timeout' || ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ENOTFOUND'].includes(err.code ?? '')) {
        return reject(new SshConnectError(err.code ?? 'timed out', 'unreachable', { cause: err }));
      }
      reject(new SshConnectError(err.message, 'other', { cause: err }));
    });
    client.connect(config);
  });
}

function session(client: Client, hostKey: HostKey): GatewaySession {
  let sftp: Promise<SFTPWrapper> | undefined;
  const getSftp = () =>
    (sftp ??= new Promise<SFTPWrapper>((resolve, reject) => client.sftp((err, s) => (err ? reject(err) : resolve(s)))));
  return {
    hostKey,
    run(script, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        client.exec('vbash -s', (err, stream) => {
          if (err) return reject(err);
          let stdout = '';
          let stderr = '';
          const timer = setTimeout(() => {
            stream.close();
            reject(new Error(`the gateway did not finish within ${Math.round(timeoutMs / 1000)} s`));
          }, timeoutMs);
          stream.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
          stream.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
          stream.on('close', (code: number | null) => {
            clearTimeout(timer);
            resolve({ code: code ?? 255, stdout, stderr });
          });
          stream.end(script.endsWith('\n') ? script : `${script}\n`);
        });
      });
    },
    async upload(remotePath, content, mode) {
      const s = await getSftp();
      await new Promise<void>((resolve, reject) =>
        s.writeFile(remotePath, content, { mode, encoding: 'utf8' }, (err) => (err ? reject(err) : resolve())),
      );
      await new Promise<void>((resolve, reject) => s.chmod(remotePath, mode, (err) => (err ? reject(err) : resolve())));
    },
    async remove(remotePath) {
      const s = await getSftp();
      await new Promise<void>((resolve, reject) => s.unlink(remotePath, (err) => (err ? reject(err) : resolve())));
    },
    close() {
      client.end();
    },
  };
}
