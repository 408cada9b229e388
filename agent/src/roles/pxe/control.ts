import { timingSafeEqual } from 'node:crypto';
import { normalizeMac } from '@lab/shared';
import type { InstalledHosts } from './installed.js';

/**
 * The PXE service's control API on its HTTP port, for the install webhooks and the operator:
 *   POST   /v1/pxe/installed/<mac>[?source=harvester]   the install is done: boot it from disk
 *   DELETE /v1/pxe/installed/<mac>                      re-arm: install on the next network boot
 *   GET    /v1/pxe/installed                            the MACs marked done
 * Each needs `Authorization: Bearer <collector token>` (the same token the installer's webhooks
 * already carry), so a stranger on the boot network can neither stop nor restart installs.
 */
export interface ControlAnswer {
  status: number;
  body: string;
}

export const CONTROL_PREFIX = '/v1/pxe/installed';

export function handleControl(
  method: string,
  path: string,
  query: URLSearchParams,
  authorization: string | undefined,
  token: string | undefined,
  installed: InstalledHosts,
  changed: (mac: string, done: boolean, source: string) => void,
): ControlAnswer | undefined {
  if (path !== CONTROL_PREFIX && !path.startsWith(`${CONTROL_PREFIX}/`)) return undefined;
  if (!token || !bearerMatches(authorization, token)) return { status: 401, body: 'needs Authorization: Bearer <collector token>\n' };
  if (path === CONTROL_PREFIX) {
    if (method !== 'GET') return { status: 405, body: 'GET lists; POST or DELETE /v1/pxe/installed/<mac>\n' };
    return { status: 200, body: `${JSON.stringify(installed.list())}\n` };
  }
  const mac = normalizeMac(decodeURIComponent(path.slice(CONTROL_PREFIX.length + 1)));
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac)) return { status: 400, body: 'name a MAC such as /v1/pxe/installed/52-54-00-12-34-56\n' };
  if (method === 'POST' || method === 'PUT') {
    const source = (query.get('source') ?? 'webhook').replace(/[^a-z0-9._-]/gi, '').slice(0, 32) || 'webhook';
    installed.mark(mac, source);
    changed(mac, true, source);
    return { status: 200, body: 'marked installed: the next network boot exits to disk\n' };
  }
  if (method === 'DELETE') {
    const had = installed.clear(mac);
    // Only a change is news: the collector re-arms the lab's pxe.reinstall hosts at every agent start.
    if (had) changed(mac, false, 'rearm');
    return { status: 200, body: had ? 're-armed: the next network boot installs\n' : 'was not marked installed\n' };
  }
  return { status: 405, body: 'POST marks installed, DELETE re-arms\n' };
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const want = Buffer.from(`Bearer ${token}`);
  const got = Buffer.from(header ?? '');
  return got.length === want.length && timingSafeEqual(got, want);
}
