import { macFileForm, type PxeConfig, type PxeHost } from '@lab/shared';

/**
 * What a PXE client should boot, decided from its request alone (pure). Option 93 picks the
 * loader (0 → BIOS loader; 7 and 9, x64 UEFI → UEFI loader); a client whose user class is
 * `iPXE` is already running iPXE and gets the HTTP URL of its script instead — with `chainload`,
 * only once it has fetched our loader (so a NIC's own iPXE ROM is replaced by our build). A UEFI
 * HTTP-boot client gets the UEFI loader's HTTP URL.
 */
export interface ClientHints {
  mac: string;
  arch: number | undefined;
  userClass: string;
  vendorClass: string;
  /** This MAC fetched our loader over TFTP a moment ago (it is the chainloaded iPXE asking). */
  chainloaded?: boolean;
}

export type BootChoice =
  | { kind: 'loader'; file: string; firmware: 'bios' | 'uefi' }
  /** UEFI HTTP boot: the loader's URL as boot file, answered with vendor class `HTTPClient`. */
  | { kind: 'http'; file: string; firmware: 'uefi' }
  | { kind: 'script'; file: string }
  | { kind: 'none'; reason: string };

export function isPxeClient(h: ClientHints): boolean {
  return h.vendorClass.startsWith('PXEClient') || isHttpClient(h) || h.arch !== undefined || isIpxe(h);
}

/**
 * UEFI HTTP boot: vendor class `HTTPClient…` (EDK2's HttpBootDxe sends
 * `HTTPClient:Arch:00016:UNDI:003001`) or architecture 16, x64 UEFI HTTP (RFC 4578 registry;
 * smee's `internal/dhcp/dhcp.go` reads the class the same way).
 */
export function isHttpClient(h: ClientHints): boolean {
  return h.vendorClass.startsWith('HTTPClient') || h.arch === 16;
}

export function isIpxe(h: ClientHints): boolean {
  return h.userClass.includes('iPXE');
}

export function scriptUrl(cfg: PxeConfig, mac: string): string {
  return `http://${cfg.address}:${cfg.httpPort}/${cfg.scriptPath.replace('{mac}', macFileForm(mac))}`;
}

export function loaderUrl(cfg: PxeConfig): string {
  return `http://${cfg.address}:${cfg.httpPort}/${cfg.loaders.uefi}`;
}

export function chooseBoot(cfg: PxeConfig, host: PxeHost | undefined, h: ClientHints): BootChoice {
  if (!host) return { kind: 'none', reason: 'unknown MAC' };
  if (!isPxeClient(h)) return { kind: 'none', reason: 'not a PXE client' };
  if (isIpxe(h) && (!cfg.chainload || h.chainloaded)) return { kind: 'script', file: scriptUrl(cfg, h.mac) };
  if (isHttpClient(h)) return { kind: 'http', file: loaderUrl(cfg), firmware: 'uefi' };
  if (h.arch === undefined || h.arch === 0) return { kind: 'loader', file: cfg.loaders.bios, firmware: 'bios' };
  if (h.arch === 7 || h.arch === 9) return { kind: 'loader', file: cfg.loaders.uefi, firmware: 'uefi' };
  return { kind: 'none', reason: `client architecture ${h.arch} has no loader` };
}
