import type { Lab } from '@lab/shared';
import { evaluateGateway, type CheckItem } from './checks.js';
import { observeScript, splitSections } from './scripts.js';
import { openGateway, type OpenOptions } from './session.js';
import { parseBgpSummary, parseDhcrelayArgs, parseNatSourceRules, parseShowInterfaces, parseUdpListeners } from './show-parse.js';

/**
 * `builder check gateway`: read-only operational commands, compared with the lab. Returns the
 * checklist; the caller prints it and decides the exit code.
 */
export async function checkGateway(opts: OpenOptions & { lab: Lab; say?(line: string): void }): Promise<CheckItem[]> {
  const session = await openGateway({ ...opts, onPinned: (p, k) => opts.say?.(`pinned the gateway's host key for ${p}: ${k.type} ${k.fingerprint}`) });
  try {
    const r = await session.run(observeScript(Boolean(opts.lab.gateway?.bgp)), 60_000);
    const part = splitSections(r.stdout);
    const text = (name: string) => part.get(name) ?? '';
    const interfaces = parseShowInterfaces(text('interfaces'));
    const nat = parseNatSourceRules(text('nat'));
    const relay = parseDhcrelayArgs(text('relay'));
    const udpListeners = parseUdpListeners(text('udp'));
    const bgp = parseBgpSummary(text('bgp'));
    return evaluateGateway(opts.lab, { interfaces, nat, relay, udpListeners, bgp });
  } finally {
    session.close();
  }
}
