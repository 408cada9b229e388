/**
 * Who may read without a token: a peer on this machine's loopback that also *named* a loopback
 * host. The second half stops DNS rebinding: a web page the operator opens can make the browser
 * connect to 127.0.0.1 under the page's own name, but the browser then sends that name as `Host:`.
 * Pure.
 */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/** `Host: localhost:9110`, `127.0.0.1`, `[::1]:8080` and the like; anything else (or none) is not. */
export function isLoopbackHostHeader(host: string | undefined): boolean {
  if (!host) return false;
  const h = host.trim().toLowerCase();
  const name = h.startsWith('[') ? h.slice(1, h.indexOf(']')) : h.replace(/:\d+$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (name === '::1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

export function readerIsLocal(remoteAddress: string | undefined, hostHeader: string | undefined): boolean {
  return isLoopbackAddress(remoteAddress) && isLoopbackHostHeader(hostHeader);
}
