import dhcp from 'dhcp';
import { opts as optionTable } from 'dhcp/lib/options.js';
import { format, parse, type DhcpPacket } from 'dhcp/lib/protocol.js';

/**
 * The npm `dhcp` package (node-dhcp) as our DHCP wire codec: its option table and its
 * parse/format. Its Server is not used: it cannot answer as a ProxyDHCP, leaves the BOOTP `file`
 * field empty, and emits `error` for every requested option it does not know (iPXE asks for
 * many), which kills a process without a listener.
 */

export type { DhcpPacket };

export const MSG = { DISCOVER: 1, OFFER: 2, REQUEST: 3, DECLINE: 4, ACK: 5, NAK: 6, RELEASE: 7, INFORM: 8 } as const;

let registered = false;

/** Teaches the option table the PXE options clients send, and gives every other code a raw reader. */
export function registerPxeOptions(): void {
  if (registered) return;
  registered = true;
  dhcp.addOption(77, { name: 'User Class', type: 'Hex', attr: 'userClass' });
  dhcp.addOption(93, { name: 'Client System Architecture', type: 'UInt16s', attr: 'clientArch' });
  dhcp.addOption(94, { name: 'Client Network Interface Identifier', type: 'Hex', attr: 'clientNdi' });
  dhcp.addOption(97, { name: 'Client Machine Identifier', type: 'Hex', attr: 'clientUuid' });
  dhcp.addOption(43, { name: 'Vendor Specific', type: 'UInt8s', attr: 'vendorSpecific' });
  // Unknown codes would otherwise be logged to stderr on every packet; read them as hex instead.
  for (let code = 1; code < 255; code++) {
    if (optionTable[code] === undefined) dhcp.addOption(code, { name: `Option ${code}`, type: 'Hex', attr: `option${code}` });
  }
}

/** Parses a datagram, or returns null for anything that is not a well-formed BOOTREQUEST. */
export function decode(buf: Buffer): DhcpPacket | null {
  registerPxeOptions();
  try {
    const p = parse(buf);
    if (p.op !== 1 || typeof p.options[53] !== 'number') return null;
    return p;
  } catch {
    return null;
  }
}

/** Options we send; values as the codec's types expect (strings for ASCII, dotted quads for IP). */
export interface ReplyOptions {
  [code: number]: string | number | string[] | undefined;
}

export function encode(p: DhcpPacket): Buffer {
  registerPxeOptions();
  const sb = format(p);
  return Buffer.from(sb._data.subarray(0, Math.max(sb._w, 300)));
}

/** Lower-case colon form of the codec's `AA-BB-…` chaddr. */
export function macOf(p: DhcpPacket): string {
  return p.chaddr.toLowerCase().replace(/-/g, ':');
}

export function hexToText(hex: unknown): string {
  return typeof hex === 'string' ? Buffer.from(hex, 'hex').toString('latin1') : '';
}
