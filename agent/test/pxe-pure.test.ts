import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PxeConfigSchema } from '@lab/shared';
import { chooseBoot } from '../src/roles/pxe/boot-choice.js';
import { ackBlock, negotiate, parseRequest } from '../src/roles/pxe/tftp-packet.js';
import { isSafeName, resolveUnderRoot } from '../src/roles/pxe/paths.js';
import { parseRange } from '../src/roles/pxe/range.js';
import { Leases, OFFER_HOLD_MS } from '../src/roles/pxe/leases.js';
import { buildReply, replyDestination } from '../src/roles/pxe/dhcp-reply.js';
import { scopeFor } from '../src/roles/pxe/scope.js';
import { parseArp } from '../src/roles/pxe/neighbours.js';

const cfg = PxeConfigSchema.parse({
  mode: 'full',
  address: '172.31.5.1',
  range: ['172.31.5.100', '172.31.5.102'],
  root: '/srv',
  hosts: [{ name: 'ms02-1', mac: '52:54:00:00:00:01' }, { name: 'ms02-2', mac: '52:54:00:00:00:02', ip: '172.31.5.50' }],
});
const host = cfg.hosts[0];
const hints = (arch: number | undefined, userClass = '', vendorClass = 'PXEClient') => ({ mac: '52:54:00:00:00:01', arch, userClass, vendorClass });

describe('boot choice', () => {
  it('follows option 93: 0 → BIOS loader, 7 and 9 → UEFI loader', () => {
    expect(chooseBoot(cfg, host, hints(0))).toEqual({ kind: 'loader', file: 'undionly.kpxe', firmware: 'bios' });
    expect(chooseBoot(cfg, host, hints(7))).toEqual({ kind: 'loader', file: 'ipxe.efi', firmware: 'uefi' });
    expect(chooseBoot(cfg, host, hints(9))).toEqual({ kind: 'loader', file: 'ipxe.efi', firmware: 'uefi' });
  });
  it('gives an iPXE client its script URL, named by MAC', () => {
    expect(chooseBoot(cfg, host, hints(7, 'iPXE'))).toEqual({ kind: 'script', file: 'http://172.31.5.1:8080/ipxe/52-54-00-00-00-01.ipxe' });
  });
  it('with chainload, hands an iPXE ROM our loader first and the script once it has fetched it', () => {
    const chain = { ...cfg, chainload: true };
    expect(chooseBoot(chain, host, hints(7, 'iPXE'))).toEqual({ kind: 'loader', file: 'ipxe.efi', firmware: 'uefi' });
    expect(chooseBoot(chain, host, { ...hints(7, 'iPXE'), chainloaded: true }).kind).toBe('script');
  });
  it('boots nothing for an unknown MAC, a non-PXE client or an architecture without a loader', () => {
    expect(chooseBoot(cfg, undefined, hints(7)).kind).toBe('none');
    expect(chooseBoot(cfg, host, hints(undefined, '', 'udhcp 1.35')).kind).toBe('none');
    expect(chooseBoot(cfg, host, hints(11))).toEqual({ kind: 'none', reason: 'client architecture 11 has no loader' });
  });
});

describe('leases', () => {
  const direct = scopeFor(cfg, '0.0.0.0')!;
  it('hands fixed addresses to their MACs and the rest from the range, skipping reserved ones', () => {
    const l = new Leases({ ...cfg, hosts: [cfg.hosts[1]!] });
    expect(l.offer('52:54:00:00:00:02', direct)).toBe('172.31.5.50');
    expect(l.offer('aa:00:00:00:00:01', direct)).toBe('172.31.5.100');
    expect(l.offer('aa:00:00:00:00:01', direct)).toBe('172.31.5.100');
    expect(l.offer('aa:00:00:00:00:02', direct)).toBe('172.31.5.101');
    expect(l.offer('aa:00:00:00:00:03', direct)).toBe('172.31.5.102');
    expect(l.offer('aa:00:00:00:00:04', direct)).toBeNull();
    expect(l.macOf('172.31.5.101')).toBe('aa:00:00:00:00:02');
  });
  it('keeps the last free address for a lab host without a fixed one, whatever strangers ask', () => {
    const l = new Leases(cfg);
    expect(l.offer('aa:00:00:00:00:01', direct)).toBe('172.31.5.100');
    expect(l.offer('aa:00:00:00:00:02', direct)).toBe('172.31.5.101');
    expect(l.offer('aa:00:00:00:00:03', direct)).toBeNull();
    expect(l.offer('52:54:00:00:00:01', direct)).toBe('172.31.5.102');
  });
  it('lets offers and leases expire, after which the address goes to another MAC', () => {
    let t = 0;
    const l = new Leases({ ...cfg, hosts: [] }, () => t);
    for (const m of ['aa:00:00:00:00:01', 'aa:00:00:00:00:02', 'aa:00:00:00:00:03']) l.offer(m, direct);
    expect(l.ack('aa:00:00:00:00:01', direct)).toBe('172.31.5.100');
    expect(l.offer('bb:00:00:00:00:01', direct)).toBeNull();
    t += OFFER_HOLD_MS + 1;
    expect(l.offer('bb:00:00:00:00:01', direct)).toBe('172.31.5.101');
    t += cfg.leaseSeconds * 1000;
    expect(l.macOf('172.31.5.100')).toBeUndefined();
    expect(l.offer('bb:00:00:00:00:02', direct)).toBe('172.31.5.100');
  });
  it('caps the addresses held by MACs that match no host', () => {
    const l = new Leases({ ...cfg, hosts: [], maxUnknownLeases: 1 });
    expect(l.offer('aa:00:00:00:00:01', direct)).toBe('172.31.5.100');
    expect(l.offer('aa:00:00:00:00:02', direct)).toBeNull();
    expect(l.unknownHeld()).toBe(1);
  });
});

describe('dhcp replies', () => {
  const req = { op: 1, htype: 1, hlen: 6, hops: 0, xid: 7, secs: 0, flags: 0x8000, ciaddr: '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0', giaddr: '0.0.0.0', chaddr: '52-54-00-00-00-01', sname: '', file: '', options: { 53: 1 } };
  it('carries option 43 discovery control 8 in full-mode offers too, and goes to 255.255.255.255', () => {
    const r = buildReply(cfg, scopeFor(cfg, '0.0.0.0')!, req, 2, '172.31.5.100', { kind: 'loader', file: 'ipxe.efi', firmware: 'uefi' });
    expect(r.options).toMatchObject({ 43: [6, 1, 8, 255], 60: 'PXEClient', 67: 'ipxe.efi', 1: '255.255.255.0' });
    expect(replyDestination(r)).toEqual({ address: '255.255.255.255', port: 68 });
  });
  it('answers an HTTP-boot client with HTTPClient and the loader URL', () => {
    const choice = chooseBoot(cfg, host, { mac: '52:54:00:00:00:01', arch: 16, userClass: '', vendorClass: 'HTTPClient:Arch:00016:UNDI:003001' });
    expect(choice).toEqual({ kind: 'http', file: 'http://172.31.5.1:8080/ipxe.efi', firmware: 'uefi' });
    const r = buildReply(cfg, scopeFor(cfg, '0.0.0.0')!, req, 2, '172.31.5.100', choice);
    expect(r.options[60]).toBe('HTTPClient');
    expect(r.options[67]).toBe('http://172.31.5.1:8080/ipxe.efi');
  });
  it('picks the relayed subnet by giaddr, with its router, and replies to the relay on 67', () => {
    const relayed = PxeConfigSchema.parse({ ...cfg, subnets: [{ name: 'vlan30', network: '10.10.30.0', netmask: '255.255.255.0', range: ['10.10.30.100', '10.10.30.150'], router: '10.10.30.1' }] });
    const scope = scopeFor(relayed, '10.10.30.1')!;
    expect(scope).toMatchObject({ name: 'vlan30', router: '10.10.30.1', relayed: true });
    expect(scopeFor(relayed, '10.99.0.1')).toBeUndefined();
    const r = buildReply(relayed, scope, { ...req, giaddr: '10.10.30.1' }, 2, '10.10.30.100', { kind: 'loader', file: 'ipxe.efi', firmware: 'uefi' });
    expect(r.options[3]).toEqual(['10.10.30.1']);
    expect(replyDestination(r)).toEqual({ address: '10.10.30.1', port: 67 });
  });
});

describe('tftp packets', () => {
  it('parses a read request with options, case-insensitively', () => {
    const p = Buffer.from('\0\x01ipxe.efi\0octet\0BLKSIZE\x001468\0tsize\x000\0', 'latin1');
    expect(parseRequest(p)).toEqual({ filename: 'ipxe.efi', mode: 'octet', options: { blksize: '1468', tsize: '0' } });
  });
  it('refuses write requests, junk and unterminated names', () => {
    expect(parseRequest(Buffer.from('\0\x02x\0octet\0', 'latin1'))).toMatchObject({ code: 2 });
    expect(parseRequest(Buffer.from([0]))).toMatchObject({ code: 4 });
    expect(parseRequest(Buffer.from('\0\x01abc', 'latin1'))).toMatchObject({ code: 4 });
    expect(ackBlock(Buffer.from([0, 4, 1]))).toBeNull();
  });
  it('negotiates blksize within limits and reports tsize', () => {
    const req = { filename: 'f', mode: 'octet', options: { blksize: '100000', tsize: '0', timeout: '3' } };
    expect(negotiate(req, 1234, 8192)).toEqual({ blksize: 8192, timeoutMs: 3000, windowsize: 1, reply: { blksize: '8192', tsize: '1234', timeout: '3' } });
    expect(negotiate({ filename: 'f', mode: 'octet', options: {} }, 10, 8192)).toEqual({ blksize: 512, timeoutMs: 1000, windowsize: 1, reply: {} });
  });
  it('accepts RFC 7440 windowsize, capped in blocks and to 1 MiB of data per window', () => {
    const ask = (blksize: string, windowsize: string) => negotiate({ filename: 'f', mode: 'octet', options: { blksize, windowsize } }, 10, 65464);
    expect(ask('1468', '4')).toMatchObject({ windowsize: 4, reply: { windowsize: '4' } });
    expect(ask('1468', '1000')).toMatchObject({ windowsize: 64 });
    expect(ask('65464', '64')).toMatchObject({ windowsize: 16 });
    expect(ask('1468', '0').reply.windowsize).toBeUndefined();
  });
});

describe('paths under the root', () => {
  it('refuses absolute names, .. segments, NUL and backslashes', () => {
    for (const bad of ['/etc/passwd', '../x', 'a/../../x', 'a/..', 'x\0y', '..\\x', '']) expect(isSafeName(bad), bad).toBe(false);
    expect(isSafeName('ipxe/52-54-00-00-00-01.ipxe')).toBe(true);
  });
  it('refuses a symlink that leads out of the root', async () => {
    const root = mkdtempSync(join(tmpdir(), 'root-'));
    mkdirSync(join(root, 'sub'));
    writeFileSync(join(root, 'sub/ok'), 'x');
    symlinkSync('/etc', join(root, 'escape'));
    expect(await resolveUnderRoot(root, 'sub/ok')).toBe(join(root, 'sub/ok'));
    expect(await resolveUnderRoot(root, 'escape/passwd')).toBeNull();
  });
});

describe('byte ranges', () => {
  it('reads single ranges, suffixes and open ends; refuses unsatisfiable ones', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=50-500', 100)).toEqual({ start: 50, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-6', 100)).toBeNull();
    expect(parseRange(undefined, 100)).toBeNull();
  });
});

describe('arp table', () => {
  it('maps complete entries only', () => {
    const text = 'IP address       HW type     Flags       HW address            Mask     Device\n172.31.5.100     0x1         0x2         52:54:00:AA:BB:CC     *        veth0\n172.31.5.101     0x1         0x0         00:00:00:00:00:00     *        veth0\n';
    expect([...parseArp(text)]).toEqual([['172.31.5.100', '52:54:00:aa:bb:cc']]);
  });
});
