import { readFile } from 'node:fs/promises';
import { UserError } from '../base/index.js';
import { writeFileAtomic } from '../state/index.js';
import { decidePin, hostPattern, type HostKey, type PinDecision } from './known-hosts.js';
import { connectGateway, SshConnectError, type GatewaySession } from './ssh.js';
import type { GatewayTarget } from './target.js';

export interface OpenOptions {
  target: GatewayTarget;
  privateKey: string;
  knownHostsPath: string;
  /** Told when a host key is pinned for the first time. */
  onPinned?(pattern: string, key: HostKey): void;
}

async function readKnownHosts(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new UserError('ERR_STATE_UNREADABLE', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, 'check the permissions of the state directory');
  }
}

/**
 * Connects with the lab's key, checking the host key against the one pinned in the lab's state
 * (pinning it on first use). A different key is refused before authenticating.
 */
export async function openGateway(opts: OpenOptions): Promise<GatewaySession> {
  const { host, port, user } = opts.target;
  const known = await readKnownHosts(opts.knownHostsPath);
  let decision: PinDecision | undefined;
  let offered: HostKey | undefined;
  let session: GatewaySession;
  try {
    session = await connectGateway({
      host,
      port,
      user,
      privateKey: opts.privateKey,
      acceptHostKey: (key) => {
        offered = key;
        decision = decidePin(known, host, port, key);
        return decision.kind !== 'mismatch';
      },
    });
  } catch (err) {
    if (err instanceof SshConnectError) {
      if (err.reason === 'host-key' && decision?.kind === 'mismatch') {
        throw new UserError(
          'ERR_GATEWAY_HOST_KEY_CHANGED',
          `refusing to talk to ${hostPattern(host, port)}: its host key changed (pinned ${decision.pinned.type} ${decision.pinned.fingerprint}, offered ${offered?.type} ${offered?.fingerprint}) — this may be another machine on the gateway's address`,
          `if the gateway was reinstalled, remove its line from ${opts.knownHostsPath} and run the command again`,
        );
      }
      if (err.reason === 'auth') {
        throw new UserError(
          'ERR_GATEWAY_AUTH_REFUSED',
          `the gateway at ${hostPattern(host, port)} refused the lab's SSH key for user ${user}`,
          "boot the gateway from the stick `builder make-usb --target vp6630` writes (its config carries the lab's public key), or add state/secrets/gateway_ed25519.pub to the user's public-keys",
        );
      }
      if (err.reason === 'unreachable') {
        throw new UserError('ERR_GATEWAY_UNREACHABLE', `cannot reach the gateway at ${hostPattern(host, port)} over SSH (${err.message})`, 'check the cable to the management network and that the gateway is booted; pass --host ADDRESS[:PORT] for another address');
      }
      throw new UserError('ERR_GATEWAY_SSH_FAILED', `SSH to the gateway at ${hostPattern(host, port)} failed: ${err.message}`, 'run the command again; check the gateway console if it persists');
    }
    throw err;
  }
  if (decision?.kind === 'new' && offered) {
    await writeFileAtomic(opts.knownHostsPath, known + (known && !known.endsWith('\n') ? '\n' : '') + decision.line, { mode: 0o644 });
    opts.onPinned?.(hostPattern(host, port), offered);
  }
  return session;
}
