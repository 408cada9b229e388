/**
 * The footer VyOS writes at the end of config.boot. At boot VyOS compares the component
 * versions in it with its own and runs every migration script of a component whose version is
 * older or missing — so a file without the right footer gets migrated as if it were ancient.
 */
export interface VyosRelease {
  /** How the lab names the release, e.g. `2025.11` or `1.4.3`. */
  id: string;
  /** The syntax era: which config paths the release accepts. */
  era: '1.4' | '1.5';
  /** The `vyos-config-version` string (component@version, colon-separated). */
  configVersion: string;
  /** The `Release version:` line. */
  releaseVersion: string;
}

// Copied from config.boot files written by these releases (public configs of VyOS users):
// 1.4.3 (sagitta LTS) and the rolling build 2025.11.03-0021, the build of the month the
// 2025.11 stream was cut from (same component versions as that month's current branch).
const CONFIG_VERSION_1_4_3 =
  'bgp@6:broadcast-relay@1:cluster@2:config-management@1:conntrack@6:conntrack-sync@2:container@2:dhcp-relay@2:dhcp-server@8:dhcpv6-server@1:dns-dynamic@4:dns-forwarding@4:firewall@15:flow-accounting@1:https@6:ids@1:interfaces@32:ipoe-server@3:ipsec@13:isis@3:l2tp@9:lldp@2:mdns@1:monitoring@1:nat@8:nat66@3:ntp@3:openconnect@3:ospf@2:pim@1:policy@8:pppoe-server@10:pptp@5:qos@2:quagga@11:reverse-proxy@1:rip@1:rpki@2:salt@1:snmp@3:ssh@2:sstp@6:system@27:vrf@3:vrrp@4:vyos-accel-ppp@2:wanloadbalance@3:webproxy@2';
const CONFIG_VERSION_2025_11 =
  'bgp@6:broadcast-relay@1:cluster@2:config-management@1:conntrack@6:conntrack-sync@2:container@3:dhcp-relay@2:dhcp-server@11:dhcpv6-server@6:dns-dynamic@4:dns-forwarding@4:firewall@20:flow-accounting@3:https@7:ids@2:interfaces@34:ipoe-server@4:ipsec@13:isis@3:l2tp@9:lldp@3:mdns@1:monitoring@2:nat@8:nat66@3:nhrp@1:ntp@3:openconnect@3:openvpn@4:ospf@2:pim@1:policy@9:pppoe-server@11:pptp@5:qos@3:quagga@12:reverse-proxy@3:rip@1:rpki@2:salt@1:snmp@3:ssh@2:sstp@6:system@29:vpp@3:vrf@3:vrrp@4:vyos-accel-ppp@2:wanloadbalance@4:webproxy@2';

export const VYOS_RELEASES: readonly VyosRelease[] = [
  { id: '1.4.3', era: '1.4', configVersion: CONFIG_VERSION_1_4_3, releaseVersion: '1.4.3' },
  { id: '2025.11', era: '1.5', configVersion: CONFIG_VERSION_2025_11, releaseVersion: '2025.11' },
];

/** Finds a release by the lab's name for it (`2025.11`, `stream 2025.11`, `1.4.3`). */
export function findRelease(name: string): VyosRelease | undefined {
  const id = name.trim().replace(/^(vyos[\s-]+)?(stream[\s-]+)?/i, '');
  return VYOS_RELEASES.find((r) => r.id === id);
}

/** The footer text, from the blank lines VyOS leaves after the last brace to the final newline. */
export function versionFooter(release: VyosRelease): string {
  return [
    '',
    '',
    '// Warning: Do not remove the following line.',
    `// vyos-config-version: "${release.configVersion}"`,
    `// Release version: ${release.releaseVersion}`,
    '',
  ].join('\n');
}

/** Reads the component versions from a footer, e.g. `{ firewall: 20, … }`. */
export function readFooter(footer: string): { components: Record<string, number>; releaseVersion?: string } | undefined {
  const m = /\/\/ vyos-config-version: "([^"]*)"/.exec(footer);
  if (!m) return undefined;
  const components: Record<string, number> = {};
  for (const part of m[1]!.split(':')) {
    const [name, version] = part.split('@');
    if (name && version && /^\d+$/.test(version)) components[name] = Number(version);
  }
  const rel = /\/\/ Release version: (\S+)/.exec(footer);
  return rel ? { components, releaseVersion: rel[1]! } : { components };
}
