import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { evaluateGateway, type GatewayObservation } from '../../src/gateway/checks.js';
import { decidePin, hostKeyFromBlob } from '../../src/gateway/known-hosts.js';
import { diffLines } from '../../src/gateway/apply.js';
import { parseBgpSummary, parseDhcrelayArgs, parseNatSourceRules, parseShowInterfaces, parseUdpListeners } from '../../src/gateway/show-parse.js';
import { gatewayTarget } from '../../src/gateway/target.js';
import { exampleLab } from './fixtures.js';

const show = (name: string) => readFileSync(fileURLToPath(new URL(`../../../test/fixtures/vyos/show/${name}.txt`, import.meta.url)), 'utf8');

describe('show output parsers', () => {
  it('reads show interfaces in the 1.4+ columns, with continuation addresses', () => {
    const ifs = parseShowInterfaces(show('show-interfaces'));
    expect(ifs.get('eth1.20')).toEqual({ name: 'eth1.20', addresses: ['10.10.20.1/24', '10.10.20.10/24'], state: 'u', link: 'u', description: 'LAB_PROV - Provisioning (PXE)' });
    expect(ifs.get('eth3')).toMatchObject({ state: 'u', link: 'D', addresses: [] });
    expect(ifs.get('lo')?.addresses).toEqual(['127.0.0.1/8', '::1/128']);
  });

  it('reads show interfaces in the older columns too', () => {
    const old = 'Codes: S - State, L - Link, u - Up, D - Down, A - Admin Down\nInterface        IP Address                        S/L  Description\n---------        ----------                        ---  -----------\neth0             192.168.1.1/24                    u/u\neth0.5           198.51.100.4/24                   A/D  WAN\n';
    const ifs = parseShowInterfaces(old);
    expect(ifs.get('eth0.5')).toEqual({ name: 'eth0.5', addresses: ['198.51.100.4/24'], state: 'A', link: 'D', description: 'WAN' });
  });

  it('reads NAT rules, BGP neighbours, the relay command line and UDP listeners', () => {
    expect(parseNatSourceRules(show('show-nat-source-rules'))).toEqual([{ rule: '100', source: '10.10.0.0/16', outInterface: 'eth0', translation: 'masquerade' }]);
    const bgp = parseBgpSummary(show('show-ip-bgp-summary'));
    expect(bgp).toHaveLength(3);
    expect(bgp[0]).toEqual({ address: '10.10.30.10', asn: 64513, state: 'Idle (Admin)' });
    expect(parseBgpSummary('10.10.30.11     4      64513        12        14        1    0    0 00:01:02            2        1 x')[0]).toEqual({ address: '10.10.30.11', asn: 64513, state: 'Established', prefixes: 2 });
    expect(parseDhcrelayArgs(show('dhcrelay-ps'))).toEqual({ listen: ['br30', 'eth1.40'], upstream: ['eth1.20'], servers: ['10.10.20.10'] });
    expect(parseDhcrelayArgs('')).toBeUndefined();
    expect(parseUdpListeners(show('ss-lnuH'))).toContain('10.10.10.1:53');
  });
});

describe('host key pinning', () => {
  const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, 7)]);
  const key = hostKeyFromBlob(blob);

  it('pins a new host, accepts it again, refuses another key for it', () => {
    expect(key.type).toBe('ssh-ed25519');
    expect(key.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    const first = decidePin('', '10.10.10.1', 22, key);
    expect(first).toEqual({ kind: 'new', line: `10.10.10.1 ssh-ed25519 ${blob.toString('base64')}\n` });
    const file = first.kind === 'new' ? first.line : '';
    expect(decidePin(file, '10.10.10.1', 22, key)).toEqual({ kind: 'match' });
    const other = hostKeyFromBlob(Buffer.concat([blob.subarray(0, 19), Buffer.alloc(32, 9)]));
    expect(decidePin(file, '10.10.10.1', 22, other).kind).toBe('mismatch');
    // Another port is another host.
    expect(decidePin(file, '10.10.10.1', 2222, other).kind).toBe('new');
  });
});

describe('gateway target and checks', () => {
  it('reaches the gateway on its management address by default, or where --host says', () => {
    expect(gatewayTarget(exampleLab(), {})).toEqual({ host: '10.10.10.1', port: 22, user: 'vyos' });
    expect(gatewayTarget(exampleLab(), { host: '127.0.0.1:2222', user: 'me' })).toEqual({ host: '127.0.0.1', port: 2222, user: 'me' });
    expect(() => gatewayTarget(exampleLab(), { host: 'a:b:c' })).toThrow(/ADDRESS:PORT/);
  });

  it('fails the NAT and DNS checks when the gateway lacks them', () => {
    const seen: GatewayObservation = {
      interfaces: parseShowInterfaces(show('show-interfaces')),
      nat: [],
      relay: parseDhcrelayArgs(show('dhcrelay-ps')),
      udpListeners: [],
      bgp: parseBgpSummary(show('show-ip-bgp-summary')),
    };
    const items = evaluateGateway(exampleLab(), seen);
    const failed = items.filter((i) => !i.ok).map((i) => i.id);
    expect(failed).toEqual(['nat:10.10.0.0/16', 'dns:10.10.10.1', 'dns:10.10.20.1', 'dns:10.10.30.1', 'dns:10.10.40.1', 'dns:10.10.50.1']);
  });

  it('masks secret values in printed diffs', () => {
    const lines = diffLines({
      added: [{ path: ['system', 'login', 'user', 'vyos', 'authentication', 'encrypted-password'], value: '$6$abc$def' }],
      removed: [],
      changed: [{ path: ['system', 'login', 'user', 'vyos', 'authentication', 'encrypted-password'], from: '$6$old', to: '$6$new' }],
    });
    expect(lines.join('\n')).not.toMatch(/\$6\$/);
    expect(lines).toEqual([
      "+ system login user vyos authentication encrypted-password '<secret>'",
      "~ system login user vyos authentication encrypted-password '<secret>' -> '<secret>'",
    ]);
  });
});

describe('gateway scripts', () => {
  it('splits the one-exec observation into its sections and reads ping results', async () => {
    const { observeScript, splitSections, parsePingResults, pingScript, loadScript } = await import('../../src/gateway/scripts.js');
    expect(observeScript(false)).not.toContain('bgp');
    expect(observeScript(true)).toContain("echo '### bgp'\nrun show ip bgp summary\n");
    const parts = splitSections('### interfaces\neth0 x\n### nat\n### relay\n/usr/sbin/dhcrelay -id br30\n');
    expect([...parts.keys()]).toEqual(['interfaces', 'nat', 'relay']);
    expect(parts.get('relay')).toContain('-id br30');
    expect(pingScript(['10.10.10.1'])).toBe('ping -c 1 -W 2 \'10.10.10.1\' >/dev/null 2>&1; echo "ping 10.10.10.1 $?"\n');
    expect(parsePingResults('ping 10.10.10.1 0\nping 10.10.40.1 1\nnoise\n')).toEqual(new Map([['10.10.10.1', 0], ['10.10.40.1', 1]]));
    expect(loadScript("/tmp/a'b.boot", 5)).toContain("load '/tmp/a'\\''b.boot' ||");
  });
});
