/** A small lab on namespace-local addresses, written out line by line so tests can point at lines. */
export const SMALL_LAB = `site:
  name: small
  domain: small.test
networks:
  - name: MGMT
    vlan: 10
    cidr: 172.31.10.0/24
    gateway: 172.31.10.1
    purpose: management
    dhcp: { start: 172.31.10.100, end: 172.31.10.150 }
  - name: PROV
    vlan: 20
    cidr: 172.31.20.0/24
    gateway: 172.31.20.1
    purpose: provisioning
    dhcp: { start: 172.31.20.100, end: 172.31.20.150, server: pxe }
  - { name: UPLINK, cidr: 172.31.0.0/30, purpose: transit }
gateway:
  vyos: { release: "1.4.3" }
  ports:
    - { name: eth0, role: wan }
    - { name: eth1, role: trunk, vlans: [MGMT, PROV] }
  transit: { port: eth0, network: UPLINK, address: 172.31.0.2, peer: 172.31.0.1 }
  dhcpRelay: { server: 172.31.20.10, networks: [MGMT] }
hosts:
  - { name: gateway, model: vp6630, role: gateway, boot: usb }
  - name: cp-1
    model: um760
    role: controlplane
    boot: usb
    nics: [{ mac: "aa:bb:cc:00:00:01", untagged: PROV, tagged: [MGMT] }]
    addresses: [{ network: MGMT, address: 172.31.10.10 }]
  - name: hv-1
    model: ms-02
    role: harvester
    nics: [{ mac: "aa:bb:cc:00:00:02", untagged: PROV, tagged: [MGMT] }]
    addresses: [{ network: MGMT, address: 172.31.10.11 }]
clusters:
  platform:
    name: platform
    talos: v1.12.0
    kubernetes: v1.32.0
    endpoint: https://172.31.10.10:6443
    hosts: [cp-1]
  harvester: { version: v1.5.0, vip: 172.31.10.20, network: MGMT, hosts: [hv-1] }
collector:
  url: http://127.0.0.1:8080
pxe: { host: gateway, network: PROV, address: 172.31.20.10 }
`;

/** Replaces exactly one occurrence of `from` (the test fails loudly when the fixture drifts). */
export function edit(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`fixture edit: "${from}" must occur exactly once`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** 1-based line and column of the first occurrence of `needle`. */
export function positionOf(text: string, needle: string, nth = 0): { line: number; column: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
  if (at < 0) throw new Error(`fixture: "${needle}" not found`);
  const before = text.slice(0, at).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}
