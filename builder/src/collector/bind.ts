import { networkInterfaces } from 'node:os';

/**
 * Where the unauthenticated Talos streams listen. Talos's event sink and kernel-log streams carry
 * no credentials (by Talos's design), so they bind the lab-facing address — the host of the lab's
 * `collector.url`, the address nodes are told to report to — when this machine has it. Otherwise
 * (the laptop is not on the lab network yet, or a test) they follow the HTTP listener, and `note`
 * says so.
 */
export function streamListenHost(collectorUrl: string, httpHost: string, local: () => string[] = localAddresses): { host: string; note?: string } {
  const labFacing = new URL(collectorUrl).hostname.replace(/^\[|\]$/g, '');
  if (local().includes(labFacing)) return { host: labFacing };
  const everywhere = httpHost === '0.0.0.0' || httpHost === '::';
  return {
    host: httpHost,
    note: `this machine does not have the lab-facing address ${labFacing} (collector.url), so the Talos streams listen on ${describeBind(httpHost)}${everywhere ? ': every network this machine is on can reach them' : ''}`,
  };
}

/** How the banner names a bind address: the wildcard is said in words. */
export function describeBind(host: string): string {
  return host === '0.0.0.0' || host === '::' ? `every address (${host})` : host;
}

function localAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
}
