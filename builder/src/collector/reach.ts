/**
 * Can the lab reach this collector? The lab's hosts report to `collector.url` (baked into media,
 * PXE scripts and Harvester webhooks); the collector must run on a machine that has that address
 * and listen on it. Pure: the machine's addresses are passed in.
 */
export function reachabilityWarnings(collectorUrl: string, listenHost: string, localAddresses: readonly string[]): string[] {
  const target = new URL(collectorUrl).hostname.replace(/^\[|\]$/g, '');
  const out: string[] = [];
  const isIp = /^[0-9.]+$/.test(target) || target.includes(':');
  if (isIp && !localAddresses.includes(target)) {
    out.push(`the lab's hosts report to ${target} (collector.url), which is not an address of this machine (it has ${localAddresses.join(', ') || 'none'}): nothing will arrive until the laptop has ${target} on the lab network, or collector.url is fixed and the media rebuilt`);
  }
  const wildcard = listenHost === '0.0.0.0' || listenHost === '::';
  if (!wildcard && listenHost !== target) {
    out.push(`listening on ${listenHost}, but the lab's hosts report to ${target}: they cannot reach this collector; listen on ${target} or 0.0.0.0 (--listen ${target.includes(':') ? `[${target}]` : target}:PORT)`);
  }
  return out;
}
