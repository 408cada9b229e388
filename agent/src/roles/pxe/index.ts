import { EVENT_KINDS, macFileForm, type PxeConfig } from '@lab/shared';
import type { Reporter } from '../../reporter/reporter.js';
import { DhcpService } from './dhcp-server.js';
import { HttpService } from './http.js';
import { handleControl } from './control.js';
import { bootLocalScript, InstalledHosts } from './installed.js';
import { arpLookup } from './neighbours.js';
import { TftpService } from './tftp.js';

export { DhcpService } from './dhcp-server.js';
export { HttpService } from './http.js';
export { TftpService, type TftpSource } from './tftp.js';
export { chooseBoot, scriptUrl, type BootChoice, type ClientHints } from './boot-choice.js';
export { Leases } from './leases.js';
export { InstalledHosts } from './installed.js';
export { handleControl } from './control.js';
export { scopeFor, type Scope } from './scope.js';
export { resolveUnderRoot, isSafeName } from './paths.js';

export interface PxePorts {
  dhcp: number;
  tftp: number;
  http: number;
}

/**
 * The PXE role: DHCP, TFTP and HTTP from one rendered root, each observation reported per MAC.
 * Clients known only by address are matched to a MAC through our leases, then the ARP table.
 */
export class PxeRole {
  readonly dhcp: DhcpService;
  readonly tftp: TftpService;
  readonly http: HttpService;
  readonly installed: InstalledHosts;

  constructor(
    private readonly cfg: PxeConfig,
    private readonly reporter: Reporter,
    /** The lab host this service runs on; events from clients with no known MAC are filed under it. */
    selfHost?: string,
    /** The collector token: the control API (install done, re-arm) takes it as its bearer. */
    token?: string,
  ) {
    const emit = (kind: string, mac: string | undefined, address: string, attrs: Record<string, unknown>) => {
      const host = mac ? cfg.hosts.find((h) => h.mac === mac)?.name : undefined;
      if (mac) reporter.emit({ source: 'pxe', kind, mac, attrs: { ...attrs, ...(host ? { hostName: host } : {}) } });
      else if (selfHost) reporter.emit({ source: 'pxe', kind, host: selfHost, attrs: { ...attrs, address, macUnknown: true } });
    };
    const macFor = (address: string) => this.dhcp.macOf(address) ?? arpLookup(address);
    // MAC → when it last finished fetching a loader; a chainloaded iPXE asks within seconds.
    const loaderDone = new Map<string, number>();
    const loaders = new Set([cfg.loaders.bios, cfg.loaders.uefi]);
    const CHAINLOAD_WINDOW_MS = 5 * 60_000;
    this.dhcp = new DhcpService(
      cfg,
      {
      discover: (mac, a) => emit(EVENT_KINDS.dhcpDiscover, mac, '', a),
      request: (mac, a) => emit(EVENT_KINDS.dhcpRequest, mac, '', a),
      offer: (mac, a) => emit(EVENT_KINDS.dhcpOffer, mac, '', a),
      ack: (mac, _ip, a) => emit(EVENT_KINDS.dhcpAck, mac, '', a),
      unknownMac: (mac, a) => emit(EVENT_KINDS.unknownMac, mac, '', a),
      noAddress: (mac, a) => emit(EVENT_KINDS.dhcpNoAddress, mac, '', a),
      },
      (mac) => Date.now() - (loaderDone.get(mac) ?? -Infinity) < CHAINLOAD_WINDOW_MS,
    );
    this.tftp = new TftpService({
      root: cfg.root,
      port: cfg.tftpPort,
      maxTransfers: cfg.tftp.maxTransfers,
      maxTransfersPerClient: cfg.tftp.maxTransfersPerClient,
      events: {
        start: (i) => emit(EVENT_KINDS.tftpStart, macFor(i.address), i.address, { file: i.filename, size: i.size, blksize: i.blksize, windowsize: i.windowsize }),
        busy: (i) => emit(EVENT_KINDS.tftpBusy, macFor(i.address), i.address, { file: i.filename, reason: i.reason }),
        done: (i) => {
          const mac = macFor(i.address);
          if (mac && loaders.has(i.filename)) loaderDone.set(mac, Date.now());
          emit(EVENT_KINDS.tftpDone, mac, i.address, { file: i.filename, bytes: i.size, ms: i.ms });
        },
        error: (i) => {
          if (i.address) emit(EVENT_KINDS.tftpError, macFor(i.address), i.address, { file: i.filename, reason: i.reason });
        },
      },
    });
    const installed = new InstalledHosts(cfg.installedFile);
    this.installed = installed;
    const beaconUrl = `http://${cfg.address}:${cfg.httpPort}/beacon`;
    // The script path of each host, so a done host's script can be replaced by `exit`.
    const byScript = new Map(cfg.hosts.map((h) => [cfg.scriptPath.replace('{mac}', macFileForm(h.mac)), h]));
    this.http = new HttpService(
      cfg.root,
      cfg.httpPort,
      {
        fetch: (i) => {
          const mac = macFor(i.address) ?? i.macInPath;
          // UEFI HTTP boot fetches the loader here instead of over TFTP: the iPXE it starts is ours too.
          if (mac && i.status === 200 && i.bytes === i.size && loaders.has(i.path.replace(/^\/+/, ''))) loaderDone.set(mac, Date.now());
          // A status >= 400 is a failure with its path, never progress (a 404 kernel stops the boot).
          emit(i.status >= 400 ? EVENT_KINDS.httpError : EVENT_KINDS.httpFetch, mac, i.address, { file: i.path, status: i.status, bytes: i.bytes, size: i.size, range: i.range });
        },
        beacon: (mac, address, attrs) => emit(EVENT_KINDS.ipxeBeacon, mac, address, { ...attrs, address }),
      },
      '0.0.0.0',
      {
        control: (method, path, query, auth) =>
          handleControl(method, path, query, auth, token, installed, (mac, done, source) => emit(done ? EVENT_KINDS.pxeInstalled : EVENT_KINDS.pxeRearmed, mac, '', { source })),
        override: (rel, address) => {
          const host = byScript.get(rel);
          const entry = host && !host.reinstall ? installed.get(host.mac) : undefined;
          if (!host || !entry) return undefined;
          emit(EVENT_KINDS.pxeBootLocal, host.mac, address, { installedBy: entry.source, installedAt: entry.at });
          return bootLocalScript(host.name, entry, beaconUrl);
        },
      },
    );
  }

  async start(): Promise<PxePorts> {
    const http = await this.http.listen();
    const tftp = await this.tftp.listen();
    await this.dhcp.listen();
    return { dhcp: this.cfg.dhcpPort, tftp, http };
  }

  async stop(): Promise<void> {
    await Promise.all([this.dhcp.close(), this.tftp.close(), this.http.close()]);
  }
}
