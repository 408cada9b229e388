import { Client } from 'ssh2';
import { decidePin, hostKeyFromBlob, type PinDecision } from '../../gateway/known-hosts.js';
import { parseKubeconfig, type KubeCredentials } from './credentials.js';

/**
 * Harvester's own kubeconfig, read over SSH with the lab key: Harvester nodes run RKE2, which
 * writes its admin kubeconfig to /etc/rancher/rke2/rke2.yaml (root only) with the server
 * `https://127.0.0.1:6443`; the `rancher` user (the one Harvester's `ssh_authorized_keys` are
 * installed for) reads it with sudo. The server is rewritten to the host's own address so the
 * collector reaches that node's API from the laptop. Nothing is stored: it is read on each start.
 */

export const RKE2_KUBECONFIG = '/etc/rancher/rke2/rke2.yaml';

export interface HarvesterSsh {
  host: string;
  port: number;
  user: string;
  privateKey: string;
  /** The lab's known_hosts text; a new key is accepted and returned for pinning, a changed one refused. */
  knownHosts: string;
  /** The command that prints the kubeconfig (tests point it at their own file). */
  command?: string;
  timeoutMs?: number;
}

export interface HarvesterKubeconfig {
  creds: KubeCredentials;
  /** A known_hosts line to append when the host key was new. */
  pin?: string;
}

export function readHarvesterKubeconfig(opts: HarvesterSsh): Promise<HarvesterKubeconfig> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let decision: PinDecision | undefined;
    const timer = setTimeout(() => {
      client.end();
      reject(new Error(`${opts.host}: no kubeconfig within ${opts.timeoutMs ?? 15_000} ms`));
    }, opts.timeoutMs ?? 15_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      client.end();
      reject(err);
    };
    client.once('error', (err: Error & { level?: string }) => {
      if (decision?.kind === 'mismatch') fail(new Error(`${opts.host}: host key changed (pinned ${decision.pinned.fingerprint}); remove its line from known_hosts if it was reinstalled`));
      else if (err.level === 'client-authentication') fail(new Error(`${opts.host}: the lab's SSH key was refused for ${opts.user}`));
      else fail(new Error(`${opts.host}: ${err.message}`));
    });
    client.once('ready', () => {
      client.exec(opts.command ?? `sudo cat ${RKE2_KUBECONFIG}`, (err, stream) => {
        if (err) return fail(err);
        let out = '';
        let errText = '';
        stream.on('data', (d: Buffer) => (out += d.toString('utf8')));
        stream.stderr.on('data', (d: Buffer) => (errText += d.toString('utf8')));
        stream.on('close', (code: number | null) => {
          clearTimeout(timer);
          client.end();
          if (code !== 0) return reject(new Error(`${opts.host}: reading ${RKE2_KUBECONFIG} failed (exit ${code}): ${errText.trim().slice(0, 200)}`));
          try {
            const creds = parseKubeconfig(out, `${opts.host}:${RKE2_KUBECONFIG}`);
            const server = new URL(creds.server);
            if (server.hostname === '127.0.0.1' || server.hostname === 'localhost') server.hostname = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
            resolve({ creds: { ...creds, server: server.origin }, ...(decision?.kind === 'new' ? { pin: decision.line } : {}) });
          } catch (e) {
            reject(e as Error);
          }
        });
      });
    });
    client.connect({
      host: opts.host,
      port: opts.port,
      username: opts.user,
      privateKey: opts.privateKey,
      tryKeyboard: false,
      readyTimeout: opts.timeoutMs ?? 15_000,
      hostVerifier: (key: Buffer) => {
        decision = decidePin(opts.knownHosts, opts.host, opts.port, hostKeyFromBlob(key));
        return decision.kind !== 'mismatch';
      },
    });
  });
}
