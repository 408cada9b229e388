/** IPv4 arithmetic for the lab model. Pure. */

const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIpv4(text: string): boolean {
  return IPV4_RE.test(text);
}

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (Math.floor(n / 2 ** s) % 256).toString()).join('.');
}

export interface Cidr {
  /** The network address as an unsigned 32-bit integer. */
  base: number;
  prefix: number;
  /** Number of addresses in the block. */
  size: number;
}

export function isCidr(text: string): boolean {
  const [ip, len, extra] = text.split('/');
  if (extra !== undefined || ip === undefined || len === undefined || !isIpv4(ip) || !/^\d{1,2}$/.test(len)) return false;
  return Number(len) <= 32;
}

/** Parses `a.b.c.d/n`. Host bits must be zero (the caller validated the syntax). */
export function parseCidr(text: string): Cidr {
  const [ip = '', len = '0'] = text.split('/');
  const prefix = Number(len);
  const size = 2 ** (32 - prefix);
  const base = Math.floor(ipToInt(ip) / size) * size;
  return { base, prefix, size };
}

export function cidrHasHostBits(text: string): boolean {
  const [ip = ''] = text.split('/');
  return parseCidr(text).base !== ipToInt(ip);
}

export function cidrContains(cidr: Cidr, ip: string): boolean {
  const n = ipToInt(ip);
  return n >= cidr.base && n < cidr.base + cidr.size;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + b.size && b.base < a.base + a.size;
}

/** The network and broadcast addresses of blocks larger than /31 are not host addresses. */
export function isUsableHost(cidr: Cidr, ip: string): boolean {
  if (!cidrContains(cidr, ip)) return false;
  if (cidr.prefix >= 31) return true;
  const n = ipToInt(ip);
  return n !== cidr.base && n !== cidr.base + cidr.size - 1;
}

export function cidrToString(c: Cidr): string {
  return `${intToIp(c.base)}/${c.prefix}`;
}
