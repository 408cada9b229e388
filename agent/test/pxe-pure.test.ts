import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PxeConfigSchema } from '@lab/shared';
import { chooseBoot } from '../src/roles/pxe/boot-choice.js';
import { ackBlock, negotiate, parseRequest } from '../src/roles/pxe/tftp-packet.js';
import { isSafeName, resolveUnderRoot } from '../src/roles/pxe/paths.js';
import { parseRange } from '../src/roles/pxe/range.js';
import { directedBroadcast, Leases } from '../src/roles/pxe/leases.js';
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
  it('hands fixed addresses to their MACs and the rest from the range, skipping reserved ones', () => {
    const l = new Leases(cfg);
    expect(l.addressFor('52:54:00:00:00:02')).toBe('172.31.5.50');
    expect(l.addressFor('aa:00:00:00:00:01')).toBe('172.31.5.100');
    expect(l.addressFor('aa:00:00:00:00:01')).toBe('172.31.5.100');
    expect(l.addressFor('aa:00:00:00:00:02')).toBe('172.31.5.101');
    expect(l.addressFor('aa:00:00:00:00:03')).toBe('172.31.5.102');
    expect(l.addressFor('aa:00:00:00:00:04')).toBeNull();
    expect(l.macOf('172.31.5.101')).toBe('aa:00:00:00:00:02');
  });
  it('computes the directed broadcast of the boot subnet', () => {
    expect(directedBroadcast('172.31.5.1', '255.255.255.0')).toBe('172.31.5.255');
    expect(directedBroadcast('10.250.3.2', '255.255.255.252')).toBe('10.250.3.3');
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
    expect(negotiate(req, 1234, 8192)).toEqual({ blksize: 8192, timeoutMs: 3000, reply: { blksize: '8192', tsize: '1234', timeout: '3' } });
    expect(negotiate({ filename: 'f', mode: 'octet', options: {} }, 10, 8192)).toEqual({ blksize: 512, timeoutMs: 1000, reply: {} });
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
