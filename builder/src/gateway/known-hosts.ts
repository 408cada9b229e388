import { createHash } from 'node:crypto';

/** A host key as the server offered it: the SSH wire blob. */
export interface HostKey {
  type: string;
  /** Base64 of the wire blob, as known_hosts writes it. */
  base64: string;
  /** `SHA256:…`, as `ssh-keygen -l` prints it. */
  fingerprint: string;
}

export function hostKeyFromBlob(blob: Buffer): HostKey {
  const len = blob.length >= 4 ? blob.readUInt32BE(0) : 0;
  const type = len > 0 && len < 64 && blob.length >= 4 + len ? blob.subarray(4, 4 + len).toString('latin1') : 'unknown';
  const fingerprint = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
  return { type, base64: blob.toString('base64'), fingerprint };
}

/** OpenSSH's host pattern: `host` for port 22, `[host]:port` otherwise. */
export function hostPattern(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export type PinDecision = { kind: 'match' } | { kind: 'new'; line: string } | { kind: 'mismatch'; pinned: HostKey };

/**
 * Trust on first use: a host seen for the first time is pinned (the caller appends `line`);
 * afterwards only the pinned key is accepted. The file is in OpenSSH known_hosts format, so
 * `ssh -o UserKnownHostsFile=state/known_hosts` accepts the same key.
 */
export function decidePin(knownHosts: string, host: string, port: number, offered: HostKey): PinDecision {
  const pattern = hostPattern(host, port);
  for (const raw of knownHosts.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [hosts, type, base64] = line.split(/\s+/);
    if (!hosts || !type || !base64) continue;
    if (!hosts.split(',').includes(pattern)) continue;
    if (type === offered.type && base64 === offered.base64) return { kind: 'match' };
    return { kind: 'mismatch', pinned: { type, base64, fingerprint: hostKeyFromBlob(Buffer.from(base64, 'base64')).fingerprint } };
  }
  return { kind: 'new', line: `${pattern} ${offered.type} ${offered.base64}\n` };
}
