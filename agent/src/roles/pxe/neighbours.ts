import { readFileSync } from 'node:fs';

/** IPv4 → MAC from the kernel's neighbour table, for clients this service did not lease to. */
export function arpLookup(ip: string, table = '/proc/net/arp'): string | undefined {
  let text: string;
  try {
    text = readFileSync(table, 'utf8');
  } catch {
    return undefined;
  }
  return parseArp(text).get(ip);
}

export function parseArp(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    const [ip, , flags, mac] = cols;
    if (ip && mac && flags !== '0x0' && mac !== '00:00:00:00:00:00') out.set(ip, mac.toLowerCase());
  }
  return out;
}
