import type { Lab } from '@lab/shared';
import { evaluateGateway, type CheckItem } from './checks.js';
import { RELAY_PROCESS_SCRIPT, showScript, UDP_LISTEN_SCRIPT } from './scripts.js';
import { openGateway, type OpenOptions } from './session.js';
import { parseBgpSummary, parseDhcrelayArgs, parseNatSourceRules, parseShowInterfaces, parseUdpListeners } from './show-parse.js';

/**
 * `builder check gateway`: read-only operational commands, compared with the lab. Returns the
 * checklist; the caller prints it and decides the exit code.
 */
export async function checkGateway(opts: OpenOptions & { lab: Lab; say?(line: string): void }): Promise<CheckItem[]> {
  const session = await openGateway({ ...opts, onPinned: (p, k) => opts.say?.(`pinned the gateway's host key for ${p}: ${k.type} ${k.fingerprint}`) });
  try {
    const run = async (script: string) => (await session.run(script, 60_000)).stdout;
    const interfaces = parseShowInterfaces(await run(showScript('show interfaces')));
    const nat = parseNatSourceRules(await run(showScript('show nat source rules')));
    const relay = parseDhcrelayArgs(await run(RELAY_PROCESS_SCRIPT));
    const udpListeners = parseUdpListeners(await run(UDP_LISTEN_SCRIPT));
    const bgp = opts.lab.gateway?.bgp ? parseBgpSummary(await run(showScript('show ip bgp summary'))) : [];
    return evaluateGateway(opts.lab, { interfaces, nat, relay, udpListeners, bgp });
  } finally {
    session.close();
  }
}
