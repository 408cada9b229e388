import type { PxeConfig } from '@lab/shared';
import type { BootChoice } from './boot-choice.js';
import { MSG, type DhcpPacket } from './dhcp-codec.js';
import type { Scope } from './scope.js';

/**
 * The reply packets (pure). Facts they follow:
 * - Option 43 with PXE discovery control 8 ("boot the file named here, no boot-server discovery
 *   or menu") goes with every PXE answer, full and proxy alike, as smee does
 *   (tinkerbell `smee/internal/dhcp/handler/reservation/option.go`, `proxy/proxy.go`). Without it
 *   EDK2 files an offer that has option 60 `PXEClient` as a BINL offer and asks port 4011 for
 *   the boot file (`NetworkPkg/UefiPxeBcDxe/PxeBcDhcp4.c`, PxeBcParseDhcp4Packet: a vendor
 *   option with a discovery sub-option makes it a PXE10 offer; PxeBcBoot.c skips the prompt and
 *   menu when bit 3 of discovery control is set).
 * - A UEFI HTTP-boot client gets option 60 `HTTPClient` echoed and a URL as boot file (EDK2
 *   `NetworkPkg/HttpBootDxe/HttpBootDhcp4.c` takes only offers whose class is HTTPClient).
 * - Relayed requests are answered with the relay's subnet (mask, router, DNS) — see scope.ts.
 */
const PXE_DISCOVERY_CONTROL = [6, 1, 8, 255];

export function buildReply(cfg: PxeConfig, scope: Scope | null, req: DhcpPacket, type: number, yiaddr: string, choice: BootChoice): DhcpPacket {
  const file = choice.kind === 'none' ? '' : choice.file;
  const options: Record<number, unknown> = { 53: type, 54: cfg.address };
  if (scope) {
    options[51] = scope.leaseSeconds;
    options[1] = scope.netmask;
    if (scope.router) options[3] = [scope.router];
    if (scope.dns.length > 0) options[6] = scope.dns;
  }
  if (choice.kind === 'http') {
    options[60] = 'HTTPClient';
    options[67] = file;
  } else if (choice.kind !== 'none') {
    options[60] = 'PXEClient';
    options[66] = cfg.address;
    options[67] = file;
    options[43] = PXE_DISCOVERY_CONTROL;
  }
  return {
    op: 2,
    htype: 1,
    hlen: 6,
    hops: 0,
    xid: req.xid,
    secs: 0,
    flags: req.flags,
    ciaddr: scope ? '0.0.0.0' : req.ciaddr,
    yiaddr,
    siaddr: choice.kind === 'none' ? '0.0.0.0' : cfg.address,
    giaddr: req.giaddr,
    chaddr: req.chaddr,
    sname: '',
    file: file.length < 128 ? file : '',
    options,
  };
}

export function buildNak(cfg: PxeConfig, req: DhcpPacket): DhcpPacket {
  return { op: 2, htype: 1, hlen: 6, hops: 0, xid: req.xid, secs: 0, flags: req.flags, ciaddr: '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0', giaddr: req.giaddr, chaddr: req.chaddr, sname: '', file: '', options: { 53: MSG.NAK, 54: cfg.address } };
}

/**
 * Where a reply to a port-67 request goes (RFC 2131 §4.1): to the relay's giaddr on port 67; to
 * ciaddr when the client has an address; otherwise to 255.255.255.255 — a client that set the
 * broadcast flag takes nothing else (EDK2 drops offers sent to the subnet broadcast), and one
 * that did not would need a unicast to an address it does not hold yet, which a UDP socket can
 * only make by writing the ARP table first.
 */
export function replyDestination(req: DhcpPacket): { address: string; port: number } {
  if (req.giaddr !== '0.0.0.0') return { address: req.giaddr, port: 67 };
  if (req.ciaddr !== '0.0.0.0') return { address: req.ciaddr, port: 68 };
  return { address: '255.255.255.255', port: 68 };
}
