// Minimal declarations for the parts of npm `dhcp` (node-dhcp 0.2.x) the agent uses: its option
// table (addOption) and its wire codec (lib/protocol.js).
declare module 'dhcp' {
  export interface OptionDef {
    name: string;
    type: 'UInt8' | 'UInt16' | 'UInt32' | 'Int32' | 'IP' | 'IPs' | 'ASCII' | 'UTF8' | 'Bool' | 'UInt8s' | 'UInt16s' | 'Hex';
    config?: string;
    attr?: string;
  }
  export function addOption(code: number, def: OptionDef): void;
  const dhcp: { addOption: typeof addOption };
  export default dhcp;
}

declare module 'dhcp/lib/options.js' {
  import type { OptionDef } from 'dhcp';
  export const opts: Record<number, OptionDef | undefined>;
}

declare module 'dhcp/lib/protocol.js' {
  export interface DhcpPacket {
    op: number;
    htype: number;
    hlen: number;
    hops: number;
    xid: number;
    secs: number;
    flags: number;
    ciaddr: string;
    yiaddr: string;
    siaddr: string;
    giaddr: string;
    /** Upper-case, hyphen-separated, e.g. 52-54-00-12-34-56. */
    chaddr: string;
    sname: string;
    file: string;
    magicCookie?: number;
    options: Record<number, unknown>;
  }
  export function parse(buf: Buffer): DhcpPacket;
  export function format(p: DhcpPacket): { _data: Buffer; _w: number };
}
