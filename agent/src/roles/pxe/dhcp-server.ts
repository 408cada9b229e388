import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { PxeConfig, PxeHost } from '@lab/shared';
import { chooseBoot, isPxeClient, type BootChoice, type ClientHints } from './boot-choice.js';
import { decode, encode, hexToText, macOf, MSG, type DhcpPacket } from './dhcp-codec.js';
import { directedBroadcast, Leases } from './leases.js';

export interface DhcpEvents {
  discover(mac: string, attrs: Record<string, unknown>): void;
  request(mac: string, attrs: Record<string, unknown>): void;
  offer(mac: string, attrs: Record<string, unknown>): void;
  ack(mac: string, ip: string | null, attrs: Record<string, unknown>): void;
  unknownMac(mac: string, attrs: Record<string, unknown>): void;
  /** A datagram that is not a well-formed BOOTREQUEST; it is dropped. */
  malformed(from: string, length: number): void;
}

/**
 * DHCP for PXE: a full server for `range`, or a ProxyDHCP that answers only the boot part beside
 * another server (on 67 for DISCOVER and on 4011 for the client's follow-up REQUEST).
 */
export class DhcpService {
  private readonly sockets: Socket[] = [];
  private readonly leases: Leases;
  private readonly broadcast: string;

  constructor(
    private readonly cfg: PxeConfig,
    private readonly events: Partial<DhcpEvents>,
    /** Whether this MAC fetched our loader recently (see PxeConfig.chainload). */
    private readonly loaderServed: (mac: string) => boolean = () => false,
  ) {
    this.leases = new Leases(cfg);
    this.broadcast = directedBroadcast(cfg.address, cfg.netmask);
  }

  async listen(): Promise<void> {
    const ports = this.cfg.mode === 'proxy' ? [this.cfg.dhcpPort, 4011] : [this.cfg.dhcpPort];
    for (const port of ports) {
      const sock = createSocket({ type: 'udp4', reuseAddr: true });
      sock.on('message', (buf, rinfo) => this.onMessage(sock, port, buf, rinfo));
      await new Promise<void>((resolve, reject) => {
        sock.once('error', (err) => reject(new Error(`DHCP cannot listen on port ${port}: ${err.message}`)));
        sock.bind(port, '0.0.0.0', () => {
          sock.setBroadcast(true);
          resolve();
        });
      });
      // Send errors (a vanished interface) are per datagram; they must not end the service.
      sock.on('error', () => undefined);
      this.sockets.push(sock);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }

  /** The MAC that was given `ip`, when this server handed it out. */
  macOf(ip: string): string | undefined {
    return this.leases.macOf(ip);
  }

  private onMessage(sock: Socket, port: number, buf: Buffer, rinfo: RemoteInfo): void {
    const p = decode(buf);
    if (!p) return this.events.malformed?.(rinfo.address, buf.length);
    try {
      this.handle(sock, port, p, rinfo);
    } catch (err) {
      this.events.malformed?.(rinfo.address, buf.length);
      void err;
    }
  }

  private handle(sock: Socket, port: number, p: DhcpPacket, rinfo: RemoteInfo): void {
    const mac = macOf(p);
    const type = p.options[53] as number;
    const arch = Array.isArray(p.options[93]) ? (p.options[93] as number[])[0] : undefined;
    const hints: ClientHints = { mac, arch, userClass: hexToText(p.options[77]), vendorClass: typeof p.options[60] === 'string' ? (p.options[60] as string) : '', chainloaded: this.loaderServed(mac) };
    const host = this.cfg.hosts.find((h) => h.mac === mac);
    const choice = chooseBoot(this.cfg, host, hints);
    const seen = { xid: p.xid, arch: arch ?? null, userClass: hints.userClass || null, vendorClass: hints.vendorClass || null, port };

    if (type === MSG.DISCOVER) {
      this.events.discover?.(mac, seen);
      if (!host && isPxeClient(hints)) this.events.unknownMac?.(mac, seen);
      return this.offer(sock, p, host, choice);
    }
    if (type === MSG.REQUEST) {
      this.events.request?.(mac, seen);
      return this.ackRequest(sock, port, p, host, choice, rinfo);
    }
  }

  private offer(sock: Socket, p: DhcpPacket, host: PxeHost | undefined, choice: BootChoice): void {
    const mac = macOf(p);
    if (this.cfg.mode === 'proxy') {
      if (choice.kind === 'none') return;
      this.send(sock, this.reply(p, MSG.OFFER, '0.0.0.0', choice, true), this.destination(p), 68);
      return this.events.offer?.(mac, { ip: null, proxy: true, ...bootAttrs(choice, this.cfg.address) });
    }
    const ip = this.leases.addressFor(mac);
    if (!ip) return;
    this.send(sock, this.reply(p, MSG.OFFER, ip, choice, false), this.destination(p), 68);
    this.events.offer?.(mac, { ip, host: host?.name ?? null, ...bootAttrs(choice, this.cfg.address) });
  }

  private ackRequest(sock: Socket, port: number, p: DhcpPacket, host: PxeHost | undefined, choice: BootChoice, rinfo: RemoteInfo): void {
    const mac = macOf(p);
    const serverId = p.options[54];
    if (this.cfg.mode === 'proxy') {
      // The follow-up to a ProxyDHCP offer comes to 4011 from a client that already has an address.
      if (port !== 4011 || choice.kind === 'none') return;
      this.send(sock, this.reply(p, MSG.ACK, '0.0.0.0', choice, true), rinfo.address, rinfo.port);
      return this.events.ack?.(mac, p.ciaddr !== '0.0.0.0' ? p.ciaddr : null, { proxy: true, ...bootAttrs(choice, this.cfg.address) });
    }
    if (typeof serverId === 'string' && serverId !== this.cfg.address) return; // it chose another server
    const ip = this.leases.addressFor(mac);
    const wanted = typeof p.options[50] === 'string' ? (p.options[50] as string) : p.ciaddr !== '0.0.0.0' ? p.ciaddr : null;
    if (!ip) return;
    if (wanted !== null && wanted !== ip) {
      this.send(sock, this.nak(p), this.destination(p), 68);
      return;
    }
    this.send(sock, this.reply(p, MSG.ACK, ip, choice, false), this.destination(p), 68);
    this.events.ack?.(mac, ip, { ip, host: host?.name ?? null, ...bootAttrs(choice, this.cfg.address) });
  }

  private reply(p: DhcpPacket, type: number, yiaddr: string, choice: BootChoice, proxy: boolean): DhcpPacket {
    const cfg = this.cfg;
    const file = choice.kind === 'none' ? '' : choice.file;
    const options: Record<number, unknown> = { 53: type, 54: cfg.address };
    if (!proxy) {
      options[51] = cfg.leaseSeconds;
      options[1] = cfg.netmask;
      if (cfg.router) options[3] = [cfg.router];
      if (cfg.dns.length > 0) options[6] = cfg.dns;
    }
    if (choice.kind !== 'none') {
      options[60] = 'PXEClient';
      options[66] = cfg.address;
      options[67] = file;
      // PXE discovery control 8: boot the file named in this reply, skip boot-server discovery.
      if (proxy) options[43] = [6, 1, 8, 255];
    }
    return {
      op: 2,
      htype: 1,
      hlen: 6,
      hops: 0,
      xid: p.xid,
      secs: 0,
      flags: p.flags,
      ciaddr: proxy ? p.ciaddr : '0.0.0.0',
      yiaddr,
      siaddr: choice.kind === 'none' ? '0.0.0.0' : cfg.address,
      giaddr: p.giaddr,
      chaddr: p.chaddr,
      sname: '',
      file: file.length < 128 ? file : '',
      options,
    };
  }

  private nak(p: DhcpPacket): DhcpPacket {
    return { op: 2, htype: 1, hlen: 6, hops: 0, xid: p.xid, secs: 0, flags: p.flags, ciaddr: '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0', giaddr: p.giaddr, chaddr: p.chaddr, sname: '', file: '', options: { 53: MSG.NAK, 54: this.cfg.address } };
  }

  private destination(p: DhcpPacket): string {
    if (p.giaddr !== '0.0.0.0') return p.giaddr;
    if (p.ciaddr !== '0.0.0.0') return p.ciaddr;
    return this.broadcast;
  }

  private send(sock: Socket, packet: DhcpPacket, address: string, port: number): void {
    const relayed = packet.giaddr !== '0.0.0.0' && address === packet.giaddr;
    sock.send(encode(packet), relayed ? 67 : port, address);
  }
}

function bootAttrs(choice: BootChoice, nextServer: string): Record<string, unknown> {
  if (choice.kind === 'none') return { boot: null, reason: choice.reason };
  return { boot: choice.kind, file: choice.file, nextServer, ...(choice.kind === 'loader' ? { firmware: choice.firmware } : {}) };
}
