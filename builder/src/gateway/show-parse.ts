/**
 * Parsers for the operational output builder reads from the gateway. Formats follow VyOS's
 * documented output (`show interfaces` in both its 1.3 and 1.4+ column sets, the tabulated
 * `show nat source rules` of vyos-1x's op-mode nat.py, FRR's `show ip bgp summary`), the
 * dhcrelay command line VyOS's dhcp-relay template writes, and `ss -lnuH`. Pure.
 */

export interface InterfaceState {
  name: string;
  addresses: string[];
  /** Admin state: u (up), D (down), A (admin down). */
  state: string;
  /** Link: u or D. */
  link: string;
  description: string;
}

const STATE_LINK = /^[uDA]\/[uD]$/;

export function parseShowInterfaces(text: string): Map<string, InterfaceState> {
  const out = new Map<string, InterfaceState>();
  let last: InterfaceState | undefined;
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('Codes:') || line.startsWith('Interface') || /^-{3,}/.test(line.trim())) continue;
    const tokens = line.trim().split(/\s+/);
    if (/^\s/.test(line)) {
      // A continuation line carries another address of the interface above.
      if (last && tokens[0] && tokens[0].includes('/')) last.addresses.push(tokens[0]);
      continue;
    }
    const [name, address] = tokens;
    if (!name) continue;
    const slIndex = tokens.findIndex((t) => STATE_LINK.test(t));
    const [state = '?', link = '?'] = slIndex >= 0 ? tokens[slIndex]!.split('/') : [];
    last = {
      name,
      addresses: address && address !== '-' && address.includes('/') ? [address] : [],
      state,
      link,
      description: slIndex >= 0 ? tokens.slice(slIndex + 1).join(' ') : '',
    };
    out.set(name, last);
  }
  return out;
}

export interface NatSourceRule {
  rule: string;
  source: string;
  outInterface: string;
  translation: string;
}

export function parseNatSourceRules(text: string): NatSourceRule[] {
  const out: NatSourceRule[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim().split(/\s+/);
    if (!/^\d+$/.test(t[0] ?? '') || t.length < 6) continue;
    out.push({ rule: t[0]!, source: t[1]!, outInterface: t[4]!, translation: t.slice(5).join(' ') });
  }
  return out;
}

export interface BgpNeighbor {
  address: string;
  asn: number;
  /** `Established` when a prefix count is shown, else FRR's state such as `Idle (Admin)`. */
  state: string;
  prefixes?: number;
}

const BGP_ROW = /^(\d{1,3}(?:\.\d{1,3}){3})\s+4\s+(\d+)\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+\s+(\S+)\s+(.+?)\s+(\d+|N\/A)(?:\s+.*)?$/;

export function parseBgpSummary(text: string): BgpNeighbor[] {
  const out: BgpNeighbor[] = [];
  for (const line of text.split('\n')) {
    const m = BGP_ROW.exec(line.trim());
    if (!m) continue;
    const state = m[4]!.trim();
    if (/^\d+$/.test(state)) out.push({ address: m[1]!, asn: Number(m[2]), state: 'Established', prefixes: Number(state) });
    else out.push({ address: m[1]!, asn: Number(m[2]), state });
  }
  return out;
}

export interface RelayProcess {
  listen: string[];
  upstream: string[];
  servers: string[];
}

/** The dhcrelay command line (`-id IF` downstream, `-iu IF` upstream, then the servers). */
export function parseDhcrelayArgs(text: string): RelayProcess | undefined {
  const line = text.split('\n').find((l) => /dhcrelay/.test(l));
  if (!line) return undefined;
  const t = line.trim().split(/\s+/);
  const out: RelayProcess = { listen: [], upstream: [], servers: [] };
  for (let i = 1; i < t.length; i++) {
    const w = t[i]!;
    if (w === '-id' || w === '-iu' || w === '-i') {
      const v = t[++i];
      if (v) (w === '-iu' ? out.upstream : out.listen).push(v);
    } else if (['-c', '-m', '-A', '-p', '-pf', '-l'].includes(w)) i++;
    else if (/^\d{1,3}(\.\d{1,3}){3}$/.test(w)) out.servers.push(w);
  }
  return out;
}

/** Local `address:port` pairs from `ss -lnuH`. */
export function parseUdpListeners(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim().split(/\s+/);
    // State Recv-Q Send-Q Local Peer
    if (t.length >= 5 && t[3]) out.push(t[3].replace(/%\S+(?=:\d+$)/, ''));
  }
  return out;
}
