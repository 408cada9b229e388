import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { PxeConfig, PxeHost } from '@lab/shared';
import { chooseBoot, isPxeClient, type BootChoice, type ClientHints } from './boot-choice.js';
import { decode, encode, hexToText, macOf, MSG, type DhcpPacket } from './dhcp-codec.js';
import { buildNak, buildReply, replyDestination } from './dhcp-reply.js';
import { Leases } from './leases.js';
import { scopeFor, type Scope } from './scope.js';

export interface DhcpEvents {
  discover(mac: string, attrs: Record<string, unknown>): void;
  request(mac: string, attrs: Record<string, unknown>): void;
  offer(mac: string, attrs: Record<string, unknown>): void;
  ack(mac: string, ip: string | null, attrs: Record<string, unknown>): void;
  unknownMac(mac: string, attrs: Record<string, unknown>): void;
  /** A request the service holds no address for (range used up, strangers' cap, unknown relay subnet). */
  noAddress(mac: string, attrs: Record<string, unknown>): void;
  /** A datagram that is not a well-formed BOOTREQUEST; it is dropped. */
  malformed(from: string, length: number): void;
}

/** PXE boot-server port: a client's follow-up REQUEST after a ProxyDHCP or BINL offer. */
export const PXE_PORT = 4011;

/**
 * DHCP for PXE: a full server for `range` (and for relayed subnets, chosen by giaddr), or a
 * ProxyDHCP that answers only the boot part beside another server. Port 4011 is answered in both
 * modes: firmware that takes an offer for a BINL offer asks there.
 *
 * Sockets: 67 and 4011 on 0.0.0.0 receive broadcasts; a second socket on `address`:67 sends the
 * 255.255.255.255 replies — Linux sends a limited broadcast out of the interface that owns the
 * socket's bound source address, so the reply leaves on the boot network whatever the routing
 * table says — and it receives the unicasts to that address (a relay's forwards).
 */
export class DhcpService {
  private readonly sockets: Socket[] = [];
  private sender: Socket | null = null;
  private readonly leases: Leases;

  constructor(
    private readonly cfg: PxeConfig,
    private readonly events: Partial<DhcpEvents>,
    /** Whether this MAC fetched our loader recently (see PxeConfig.chainload). */
    private readonly loaderServed: (mac: string) => boolean = () => false,
    now: () => number = Date.now,
  ) {
    this.leases = new Leases(cfg, now);
  }

  async listen(): Promise<void> {
    for (const port of [this.cfg.dhcpPort, PXE_PORT]) this.sockets.push(await this.bind(port, '0.0.0.0'));
    this.sender = await this.bind(this.cfg.dhcpPort, this.cfg.address).catch(() => null);
  }

  async close(): Promise<void> {
    const all = this.sender ? [...this.sockets, this.sender] : this.sockets;
    await Promise.all(all.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }

  /** The MAC that was given `ip`, when this server handed it out. */
  macOf(ip: string): string | undefined {
    return this.leases.macOf(ip);
  }

  private async bind(port: number, address: string): Promise<Socket> {
    const sock = createSocket({ type: 'udp4', reuseAddr: true });
    sock.on('message', (buf, rinfo) => this.onMessage(sock, port, buf, rinfo));
    await new Promise<void>((resolve, reject) => {
      sock.once('error', (err) => reject(new Error(`DHCP cannot listen on ${address}:${port}: ${err.message}`)));
      sock.bind(port, address, () => {
        sock.setBroadcast(true);
        resolve();
      });
    });
    // Send errors (a vanished interface) are per datagram; they must not end the service.
    sock.on('error', () => undefined);
    return sock;
  }

  private onMessage(sock: Socket, port: number, buf: Buffer, rinfo: RemoteInfo): void {
    const p = decode(buf);
    if (!p) return this.events.malformed?.(rinfo.address, buf.length);
    try {
      this.handle(sock, port, p, rinfo);
    } catch {
      this.events.malformed?.(rinfo.address, buf.length);
    }
  }

  private handle(sock: Socket, port: number, p: DhcpPacket, rinfo: RemoteInfo): void {
    const mac = macOf(p);
    const type = p.options[53] as number;
    const arch = Array.isArray(p.options[93]) ? (p.options[93] as number[])[0] : undefined;
    const hints: ClientHints = { mac, arch, userClass: hexToText(p.options[77]), vendorClass: typeof p.options[60] === 'string' ? (p.options[60] as string) : '', chainloaded: this.loaderServed(mac) };
    const host = this.cfg.hosts.find((h) => h.mac === mac);
    const choice = chooseBoot(this.cfg, host, hints);
    const seen = { xid: p.xid, arch: arch ?? null, userClass: hints.userClass || null, vendorClass: hints.vendorClass || null, port, ...(p.giaddr !== '0.0.0.0' ? { giaddr: p.giaddr } : {}) };

    if (port === PXE_PORT) {
      // The boot-server exchange: the client has its address; answer the boot part only.
      if (type !== MSG.REQUEST && type !== MSG.INFORM) return;
      this.events.request?.(mac, seen);
      if (choice.kind === 'none') return;
      this.sendTo(sock, buildReply(this.cfg, null, p, MSG.ACK, '0.0.0.0', choice), rinfo.address, rinfo.port);
      return this.events.ack?.(mac, p.ciaddr !== '0.0.0.0' ? p.ciaddr : null, { port, proxy: true, ...bootAttrs(choice, this.cfg.address) });
    }
    if (type === MSG.DISCOVER) {
      this.events.discover?.(mac, seen);
      if (!host && isPxeClient(hints)) this.events.unknownMac?.(mac, seen);
      return this.offer(p, host, choice, seen);
    }
    if (type === MSG.REQUEST) {
      this.events.request?.(mac, seen);
      return this.ackRequest(p, host, choice, seen);
    }
    if ((type === MSG.RELEASE || type === MSG.DECLINE) && this.cfg.mode === 'full') this.leases.release(mac);
  }

  private offer(p: DhcpPacket, host: PxeHost | undefined, choice: BootChoice, seen: Record<string, unknown>): void {
    const mac = macOf(p);
    if (this.cfg.mode === 'proxy') {
      if (choice.kind === 'none') return;
      this.reply(buildReply(this.cfg, null, p, MSG.OFFER, '0.0.0.0', choice));
      return this.events.offer?.(mac, { ip: null, proxy: true, ...bootAttrs(choice, this.cfg.address) });
    }
    const scope = scopeFor(this.cfg, p.giaddr);
    const ip = scope ? this.leases.offer(mac, scope) : null;
    if (!scope || !ip) return this.events.noAddress?.(mac, { ...seen, reason: noAddressReason(scope, p.giaddr) });
    this.reply(buildReply(this.cfg, scope, p, MSG.OFFER, ip, choice));
    this.events.offer?.(mac, { ip, host: host?.name ?? null, ...scopeAttrs(scope), ...bootAttrs(choice, this.cfg.address) });
  }

  private ackRequest(p: DhcpPacket, host: PxeHost | undefined, choice: BootChoice, seen: Record<string, unknown>): void {
    if (this.cfg.mode === 'proxy') return; // the other server acknowledges; our follow-up is on 4011
    const mac = macOf(p);
    const serverId = p.options[54];
    if (typeof serverId === 'string' && serverId !== this.cfg.address) return this.leases.release(mac); // it chose another server
    const scope = scopeFor(this.cfg, p.giaddr);
    const wanted = typeof p.options[50] === 'string' ? (p.options[50] as string) : p.ciaddr !== '0.0.0.0' ? p.ciaddr : null;
    const ip = scope ? this.leases.ack(mac, scope) : null;
    if (!scope || !ip) return this.events.noAddress?.(mac, { ...seen, reason: noAddressReason(scope, p.giaddr) });
    if (wanted !== null && wanted !== ip) return this.reply(buildNak(this.cfg, p));
    this.reply(buildReply(this.cfg, scope, p, MSG.ACK, ip, choice));
    this.events.ack?.(mac, ip, { ip, host: host?.name ?? null, ...scopeAttrs(scope), ...bootAttrs(choice, this.cfg.address) });
  }

  private reply(packet: DhcpPacket): void {
    const dest = replyDestination(packet);
    const sock = dest.address === '255.255.255.255' && this.sender ? this.sender : (this.sender ?? this.sockets[0]);
    if (sock) this.sendTo(sock, packet, dest.address, dest.port);
  }

  private sendTo(sock: Socket, packet: DhcpPacket, address: string, port: number): void {
    sock.send(encode(packet), port, address);
  }
}

function noAddressReason(scope: Scope | undefined, giaddr: string): string {
  if (!scope) return `relayed from ${giaddr}, which is in no subnet this service serves`;
  if (!scope.range) return `no range on ${scope.name} and no fixed address for this MAC`;
  return `no free address in ${scope.name} for this MAC (range in use, or the cap on unknown MACs reached)`;
}

function scopeAttrs(scope: Scope): Record<string, unknown> {
  return scope.relayed ? { subnet: scope.name, router: scope.router ?? null } : {};
}

function bootAttrs(choice: BootChoice, nextServer: string): Record<string, unknown> {
  if (choice.kind === 'none') return { boot: null, reason: choice.reason };
  return { boot: choice.kind, file: choice.file, nextServer, ...(choice.kind !== 'script' ? { firmware: choice.firmware } : {}) };
}
