import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/base/index.js';
import { gatewayTree, renderGateway } from '../../src/vyos/gateway/index.js';
import { configPaths, formatPath, parseConfigBoot } from '../../src/vyos/index.js';
import { exampleLab, fixtureSecrets } from './fixtures.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('renderGateway', () => {
  it('is deterministic: the same lab and secrets give byte-identical files', () => {
    const secrets = fixtureSecrets();
    const a = renderGateway(exampleLab(), secrets);
    const b = renderGateway(exampleLab(), secrets);
    expect(sha(a.configBoot)).toBe(sha(b.configBoot));
    expect(sha(a.commands)).toBe(sha(b.commands));
  });

  it('writes the same configuration as config.boot and as set commands', () => {
    const { configBoot, commands } = renderGateway(exampleLab(), fixtureSecrets());
    const fromBoot = configPaths(parseConfigBoot(configBoot).nodes).map((p) => `set ${formatPath(p)}`);
    const fromScript = commands.split('\n').filter((l) => l.startsWith('set '));
    expect(fromScript).toEqual(fromBoot);
    expect(commands.startsWith('#!/bin/vbash\n')).toBe(true);
    expect(commands).toMatch(/\ncommit\nsave\nexit\n$/);
  });

  it('binds every network to the interface that holds its address', () => {
    const tree = gatewayTree(exampleLab(), fixtureSecrets());
    const cmds = configPaths(tree).map((p) => `set ${formatPath(p)}`);
    expect(cmds).toContain("set interfaces bridge br30 address '10.10.30.1/24'");
    expect(cmds).not.toContain("set interfaces ethernet eth1 vif 30 address '10.10.30.1/24'");
    expect(cmds).toContain("set interfaces ethernet eth0 address '10.0.0.2/30'");
    expect(cmds).toContain("set service dhcp-relay upstream-interface 'eth1.20'");
    expect(cmds).toContain("set protocols bgp neighbor 10.10.30.11 remote-as '64513'");
    expect(cmds).toContain("set nat source rule 100 outbound-interface name 'eth0'");
  });

  it('follows the lab: no bridge, a second protected network, no BGP', () => {
    const lab = exampleLab();
    lab.gateway!.bridges = [];
    lab.gateway!.firewall.protect.push({ name: 'IOT', cidr: '192.168.2.0/24' });
    delete lab.gateway!.bgp;
    const cmds = configPaths(gatewayTree(lab, fixtureSecrets())).map((p) => `set ${formatPath(p)}`);
    expect(cmds).toContain("set interfaces ethernet eth1 vif 30 address '10.10.30.1/24'");
    expect(cmds).toContain("set service dhcp-relay listen-interface 'eth1.30'");
    expect(cmds).toContain("set firewall ipv4 name LAB_TO_WAN rule 21 destination group network-group 'IOT'");
    expect(cmds.some((c) => c.startsWith('set protocols bgp'))).toBe(false);
    expect(cmds.some((c) => c.includes('rule 60'))).toBe(false);
  });

  it('refuses a release whose syntax it does not write, naming the field', () => {
    const lab = exampleLab();
    lab.gateway!.vyos.release = '1.3.8';
    expect(() => renderGateway(lab, fixtureSecrets())).toThrow(UserError);
    expect(() => renderGateway(lab, fixtureSecrets())).toThrow(/gateway\.vyos\.release "1\.3\.8"/);
  });

  it('refuses secrets that are not a sha512-crypt hash or an OpenSSH key, without echoing them', () => {
    const bad = { ...fixtureSecrets(), login: { passwordHash: 'hunter2-plaintext' } };
    let message = '';
    try {
      renderGateway(exampleLab(), bad);
    } catch (e) {
      message = (e as Error).message + String((e as UserError).hint);
    }
    expect(message).toMatch(/sha512-crypt/);
    expect(message).not.toContain('hunter2');
    expect(() => renderGateway(exampleLab(), { ...fixtureSecrets(), ssh: { publicKey: 'not a key' } })).toThrow(/OpenSSH public key/);
  });

  it('refuses a lab without a gateway section', () => {
    const lab = exampleLab();
    delete lab.gateway;
    expect(() => renderGateway(lab, fixtureSecrets())).toThrow(/no gateway section/);
  });
});
