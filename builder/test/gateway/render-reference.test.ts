import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gatewayTree, renderGateway } from '../../src/vyos/gateway/index.js';
import { diffConfig, formatDiff, parseConfigBoot, readFooter } from '../../src/vyos/index.js';
import { exampleLab, fixtureSecrets, FIXTURE_HASH, REFERENCE_GATEWAY } from './fixtures.js';

/**
 * Every difference between the reference gateway.conf (the seed lab's hand-kept file) and the
 * configuration rendered from examples/genesis/lab.yaml, compared as trees (order, comments and
 * quoting do not count), each with its reason. A new difference fails the test.
 */
const SYNTAX_1_5 = 'VyOS 1.4+ syntax: 1.3 per-interface bindings become jump rules in the ipv4 forward/input base chains';
const STATE_1_5 = 'VyOS 1.5 syntax: `state` is a multi-value leaf, not a `state { established related }` block';
const EXPECTED: Record<string, string> = {
  "- firewall group network-group RFC1918 network '10.0.0.0/8'": 'unused group (no rule refers to it); groups are rendered only for rules that use them',
  "- firewall group network-group RFC1918 network '172.16.0.0/12'": 'unused group, as above',
  "- firewall group network-group RFC1918 network '192.168.0.0/16'": 'unused group, as above',
  "- firewall group network-group TRANSIT_LINK network '10.0.0.0/30'": 'unused group, as above',
  "- firewall interface eth0 in name 'WAN_TO_LAB'": `${SYNTAX_1_5} (removed in 1.4)`,
  "- firewall interface eth0 local name 'LOCAL'": SYNTAX_1_5,
  "- firewall interface eth0 out name 'LAB_TO_WAN'": SYNTAX_1_5,
  "+ firewall ipv4 forward filter rule 10 action 'jump'": `${SYNTAX_1_5}: eth0 in → forward, inbound-interface eth0`,
  "+ firewall ipv4 forward filter rule 10 inbound-interface name 'eth0'": SYNTAX_1_5,
  "+ firewall ipv4 forward filter rule 10 jump-target 'WAN_TO_LAB'": SYNTAX_1_5,
  "+ firewall ipv4 forward filter rule 20 action 'jump'": `${SYNTAX_1_5}: eth0 out → forward, outbound-interface eth0`,
  "+ firewall ipv4 forward filter rule 20 jump-target 'LAB_TO_WAN'": SYNTAX_1_5,
  "+ firewall ipv4 forward filter rule 20 outbound-interface name 'eth0'": SYNTAX_1_5,
  "+ firewall ipv4 input filter rule 10 action 'jump'": `${SYNTAX_1_5}: eth0 local → input, inbound-interface eth0`,
  "+ firewall ipv4 input filter rule 10 inbound-interface name 'eth0'": SYNTAX_1_5,
  "+ firewall ipv4 input filter rule 10 jump-target 'LOCAL'": SYNTAX_1_5,
  '- firewall ipv4 name LAB_TO_WAN rule 10 state established': STATE_1_5,
  '- firewall ipv4 name LAB_TO_WAN rule 10 state related': STATE_1_5,
  '- firewall ipv4 name LAB_TO_WAN rule 20 state new': STATE_1_5,
  '- firewall ipv4 name LOCAL rule 10 state established': STATE_1_5,
  '- firewall ipv4 name LOCAL rule 10 state related': STATE_1_5,
  '- firewall ipv4 name WAN_TO_LAB rule 10 state established': STATE_1_5,
  '- firewall ipv4 name WAN_TO_LAB rule 10 state related': STATE_1_5,
  "+ firewall ipv4 name LAB_TO_WAN rule 10 state 'established'": STATE_1_5,
  "+ firewall ipv4 name LAB_TO_WAN rule 10 state 'related'": STATE_1_5,
  "+ firewall ipv4 name LAB_TO_WAN rule 20 state 'new'": STATE_1_5,
  "+ firewall ipv4 name LOCAL rule 10 state 'established'": STATE_1_5,
  "+ firewall ipv4 name LOCAL rule 10 state 'related'": STATE_1_5,
  "+ firewall ipv4 name WAN_TO_LAB rule 10 state 'established'": STATE_1_5,
  "+ firewall ipv4 name WAN_TO_LAB rule 10 state 'related'": STATE_1_5,
  "~ firewall ipv4 name LAB_TO_WAN rule 20 description 'Block new connections to home network' -> 'Block new connections to HOME_NETWORK'":
    'descriptions name the protected network by its lab name (gateway.firewall.protect)',
  "~ firewall ipv4 name LOCAL rule 31 description 'Allow SSH from home' -> 'Allow SSH from HOME_NETWORK'": 'as above',
  "~ firewall ipv4 name WAN_TO_LAB rule 20 description 'Allow from home network' -> 'Allow from HOME_NETWORK'": 'as above',
  '- system ntp server time.cloudflare.com': 'VyOS 1.4+ syntax: NTP moved from `system ntp` to `service ntp`',
  '+ service ntp server time.cloudflare.com': 'as above',
  "~ service dhcp-relay upstream-interface 'eth0' -> 'eth1.20'":
    'defect of the reference corrected: the relay forwards to 10.10.20.10, which is on LAB_PROV (eth1.20), not on the WAN port',
  "- service dhcp-relay listen-interface 'eth1.30'":
    'defect of the reference corrected: eth1.30 is a member of br30, whose packets arrive on the bridge (which holds 10.10.30.1), so the relay listens on br30',
  "+ service dhcp-relay listen-interface 'br30'": 'as above',
  "+ interfaces ethernet eth1 vif 20 address '10.10.20.10/24'":
    'the lab runs the PXE service on the gateway (pxe.host: gateway) at 10.10.20.10, so the gateway holds that address too',
  "+ system login user vyos authentication encrypted-password '<hash>'": 'placeholder filled: the reference leaves the password to Ansible; the render uses the generated sha512-crypt hash',
  "+ system login user vyos authentication public-keys builder key '<key>'": 'placeholder filled: the generated SSH public key (the reference leaves keys to Ansible)',
  "+ system login user vyos authentication public-keys builder type 'ssh-ed25519'": 'as above',
};

describe('gateway render of the example lab against the reference gateway.conf', () => {
  const secrets = fixtureSecrets();
  const keyBase64 = secrets.ssh.publicKey.split(' ')[1]!;
  const reference = parseConfigBoot(readFileSync(REFERENCE_GATEWAY, 'utf8'), REFERENCE_GATEWAY).nodes;
  const rendered = gatewayTree(exampleLab(), secrets);
  const lines = formatDiff(diffConfig(reference, rendered)).map((l) => l.replace(FIXTURE_HASH, '<hash>').replace(keyBase64, '<key>'));

  it('differs from the reference only where listed, each with a reason', () => {
    const unexplained = lines.filter((l) => !(l in EXPECTED));
    expect(unexplained).toEqual([]);
  });

  it('shows every listed difference (the list has no stale entries)', () => {
    const missing = Object.keys(EXPECTED).filter((l) => !lines.includes(l));
    expect(missing).toEqual([]);
  });

  it('writes a config.boot that parses back to the same tree, with the 2025.11 footer', () => {
    const { configBoot } = renderGateway(exampleLab(), secrets);
    const file = parseConfigBoot(configBoot);
    expect(diffConfig(file.nodes, rendered)).toEqual({ added: [], removed: [], changed: [] });
    expect(readFooter(file.footer)?.releaseVersion).toBe('2025.11');
    expect(configBoot.endsWith('// Release version: 2025.11\n')).toBe(true);
  });

  it('never puts a description under a static route next-hop', () => {
    const { commands } = renderGateway(exampleLab(), secrets);
    expect(commands).toContain("set protocols static route 0.0.0.0/0 description 'Default route via CCR2004'");
    expect(commands).not.toMatch(/next-hop \S+ description/);
  });
});
