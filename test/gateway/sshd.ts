import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSshKeyPair } from '../../builder/src/secrets/index.js';

export const STANDIN = fileURLToPath(new URL('../fixtures/vyos/vyos-cli-standin.mjs', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sshd exited (${child.exitCode}): ${stderr()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd did not listen on 127.0.0.1:${port}: ${stderr()}`);
}

export interface TestSshd {
  port: number;
  hostPublicKey: string;
  stop(): Promise<void>;
}

/**
 * A real OpenSSH sshd on 127.0.0.1 on a free high port, with its own config and a throw-away
 * host key, accepting only `authorizedKey`. Every session runs the VyOS CLI stand-in
 * (ForceCommand) with `standinDir` as its state, or `forceCommand` when given.
 */
export async function startSshd(dir: string, authorizedKey: string, standinDir: string, forceCommand?: string): Promise<TestSshd> {
  mkdirSync(dir, { recursive: true });
  // sshd run as root insists on its privilege-separation directory.
  if (process.getuid?.() === 0 && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const host = generateSshKeyPair('test-sshd-host');
  writeFileSync(join(dir, 'host_ed25519'), host.privateKey, { mode: 0o600 });
  chmodSync(join(dir, 'host_ed25519'), 0o600);
  writeFileSync(join(dir, 'authorized_keys'), authorizedKey, { mode: 0o600 });
  const port = await freePort();
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, 'host_ed25519')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'StrictModes no',
    'UsePAM no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'PermitRootLogin prohibit-password',
    'Subsystem sftp /usr/lib/openssh/sftp-server',
    `ForceCommand ${forceCommand ?? `${process.execPath} ${STANDIN} ${standinDir}`}`,
    'LogLevel ERROR',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'sshd_config'), config);
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  await waitForPort(port, child, () => err);
  return {
    port,
    hostPublicKey: host.publicKey,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
