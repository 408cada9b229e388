import { describe, expect, test } from 'vitest';
import { formatProblem, parseLab } from '@lab/shared';
import { SMALL_LAB, edit, positionOf } from './small-lab.js';

function problems(text: string): string[] {
  const result = parseLab(text, 'lab.yaml');
  return result.problems.map(formatProblem);
}

/** Expect exactly one problem, at the position of `at` in the edited text. */
function expectOne(text: string, at: string, rest: string, nth = 0) {
  const { line, column } = positionOf(text, at, nth);
  expect(problems(text)).toEqual([`lab.yaml:${line}:${column} ${rest}`]);
}

describe('lab rules', () => {
  test('the small lab is valid', () => {
    expect(problems(SMALL_LAB)).toEqual([]);
  });

  test('a static address outside its network', () => {
    const text = edit(SMALL_LAB, 'address: 172.31.10.10 }', 'address: 172.31.99.10 }');
    expectOne(text, '172.31.99.10', 'hosts[1].addresses[0].address: 172.31.99.10 is not a host address of network "MGMT" (172.31.10.0/24) — pick an address inside 172.31.10.0/24');
  });

  test('a gateway outside its network', () => {
    const text = edit(SMALL_LAB, 'gateway: 172.31.20.1\n', 'gateway: 172.31.21.1\n');
    expectOne(text, '172.31.21.1', 'networks[1].gateway: gateway 172.31.21.1 is not a host address of 172.31.20.0/24 — pick an address inside 172.31.20.0/24');
  });

  test('overlapping subnets', () => {
    const text = edit(SMALL_LAB, 'cidr: 172.31.20.0/24', 'cidr: 172.31.0.0/16');
    const out = problems(text);
    const { line, column } = positionOf(text, '172.31.0.0/16');
    expect(out[0]).toBe(`lab.yaml:${line}:${column} networks[1].cidr: 172.31.0.0/16 overlaps network "MGMT" (172.31.10.0/24) — give each network its own address range`);
  });

  test('duplicate host names', () => {
    const text = edit(SMALL_LAB, 'name: hv-1', 'name: cp-1');
    const out = problems(text);
    const { line, column } = positionOf(text, 'cp-1', 1);
    expect(out).toContain(`lab.yaml:${line}:${column} hosts[2].name: host name "cp-1" is used twice — give each host its own name`);
  });

  test('duplicate MACs, case-insensitively', () => {
    const text = edit(SMALL_LAB, '"aa:bb:cc:00:00:02"', '"AA:BB:CC:00:00:01"');
    expectOne(text, '"AA:BB:CC:00:00:01"', 'hosts[2].nics[0].mac: MAC AA:BB:CC:00:00:01 is already used by host "cp-1" — check the MAC on the machine’s label or in its firmware setup');
  });

  test('duplicate addresses', () => {
    const text = edit(SMALL_LAB, 'address: 172.31.10.11 }', 'address: 172.31.10.10 }');
    expectOne(text, '172.31.10.10 }', 'hosts[2].addresses[0].address: 172.31.10.10 is already used by host "cp-1" — give each host its own address', 1);
  });

  test('duplicate VLAN ids', () => {
    const text = edit(SMALL_LAB, 'vlan: 20', 'vlan: 10');
    expectOne(text, '10\n    cidr: 172.31.20', 'networks[1].vlan: VLAN 10 is already used by network "MGMT" — give each network its own VLAN id');
  });

  test('VLAN ids run from 1 to 4094', () => {
    const text = edit(SMALL_LAB, 'vlan: 20', 'vlan: 4095');
    expectOne(text, '4095', 'networks[1].vlan: VLAN ids run from 1 to 4094 — use a smaller value');
  });

  test('a DHCP range that includes a static address', () => {
    const text = edit(SMALL_LAB, 'address: 172.31.10.11 }', 'address: 172.31.10.120 }');
    expectOne(text, '172.31.10.120', 'hosts[2].addresses[0].address: 172.31.10.120 lies inside the DHCP range of "MGMT" (172.31.10.100–172.31.10.150) — pick an address outside the range, or shrink the range');
  });

  test('a DHCP range that includes the gateway', () => {
    const text = edit(SMALL_LAB, '{ start: 172.31.10.100, end: 172.31.10.150', '{ start: 172.31.10.1, end: 172.31.10.5');
    expectOne(text, 'dhcp: { start: 172.31.10.1,', 'networks[0].dhcp: DHCP range 172.31.10.1–172.31.10.5 includes the gateway 172.31.10.1 — move the range so it leaves the gateway out');
  });

  test('an undefined network', () => {
    const text = edit(SMALL_LAB, 'vlans: [MGMT, PROV]', 'vlans: [MGMT, PROVISIONING]');
    expectOne(text, 'PROVISIONING', 'gateway.ports[1].vlans[1]: network "PROVISIONING" is not defined — define it under networks, or use one of: MGMT, PROV, UPLINK');
  });

  test('an undefined host', () => {
    const text = edit(SMALL_LAB, 'hosts: [cp-1]', 'hosts: [cp-9]');
    expectOne(text, 'cp-9', 'clusters.platform.hosts[0]: host "cp-9" is not defined — define it under hosts, or use one of: gateway, cp-1, hv-1');
  });

  test('an undefined port', () => {
    const text = edit(SMALL_LAB, 'transit: { port: eth0', 'transit: { port: eth7');
    expectOne(text, 'eth7', 'gateway.transit.port: gateway port "eth7" is not defined — define it under gateway.ports, or use one of: eth0, eth1');
  });

  test('a NIC must carry the networks of its addresses', () => {
    const text = edit(SMALL_LAB, 'untagged: PROV, tagged: [MGMT] }]\n    addresses: [{ network: MGMT, address: 172.31.10.11', 'untagged: PROV }]\n    addresses: [{ network: MGMT, address: 172.31.10.11');
    expectOne(text, 'MGMT, address: 172.31.10.11', 'hosts[2].addresses[0].network: host "hv-1" has an address on "MGMT" but none of its NICs carries that network — add "MGMT" to a NIC\'s tagged list (or make it the untagged network)');
  });

  test('Talos v1.12 or later for a USB-booted host with an embedded config', () => {
    const text = edit(SMALL_LAB, 'talos: v1.12.0', 'talos: v1.11.5');
    expectOne(text, 'v1.11.5', 'clusters.platform.talos: host "cp-1" boots from USB with an embedded config, which needs Talos v1.12.0 or later (this lab says v1.11.5) — set clusters.platform.talos to v1.12.0 or later, or boot "cp-1" over PXE');
  });

  test('schema: a misspelt key is named', () => {
    const text = edit(SMALL_LAB, '    model: ms-02', '    modle: ms-02');
    const out = problems(text);
    const { line, column } = positionOf(text, 'modle');
    expect(out).toContain(`lab.yaml:${line}:${column} hosts[2].modle: unknown field "modle" — did you mean "model"? (or remove it; the JSON Schema lists every field)`);
    expect(out).toContain(`lab.yaml:${positionOf(text, '- name: hv-1').line}:${positionOf(text, 'name: hv-1').column} hosts[2].model: required field is missing — add model: with text`);
  });

  test('schema: a misspelling nothing like a field gets no guess', () => {
    const text = edit(SMALL_LAB, '    model: ms-02', '    model: ms-02\n    colour: blue');
    expectOne(text, 'colour', 'hosts[2].colour: unknown field "colour" — remove it or correct its spelling (the JSON Schema lists every field)');
  });

  test('schema: a port outside 1–65535 is refused where it is written (listen and URLs)', () => {
    const listen = edit(SMALL_LAB, '  url: http://127.0.0.1:8080', '  url: http://127.0.0.1:8080\n  listen: 127.0.0.1:80800');
    expectOne(listen, '127.0.0.1:80800', 'collector.listen: port 80800 is outside 1–65535 — use a port from 1 to 65535, such as 8080');
    const url = edit(SMALL_LAB, '  url: http://127.0.0.1:8080', '  url: http://127.0.0.1:0');
    expectOne(url, 'http://127.0.0.1:0', 'collector.url: port 0 is outside 1–65535 — use a port from 1 to 65535, such as 8080');
    expect(problems(edit(SMALL_LAB, '  url: http://127.0.0.1:8080', '  url: http://127.0.0.1:65535\n  listen: 0.0.0.0:1'))).toEqual([]);
  });

  test('schema: a number where text is needed says to quote it, as written (1.10 stays 1.10)', () => {
    const text = edit(SMALL_LAB, 'talos: v1.12.0', 'talos: 1.10');
    const at = positionOf(text, 'talos: 1.10');
    expect(problems(text)).toEqual([`lab.yaml:${at.line}:${at.column + 7} clusters.platform.talos: expected text, found the number 1.10 (YAML reads an unquoted 1.10 as a number) — put it in quotes: talos: "1.10"`]);
  });

  test('YAML: one indentation slip is one problem, naming the columns', () => {
    const text = edit(SMALL_LAB, '    model: ms-02', '   model: ms-02');
    const out = problems(text);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^lab\.yaml:\d+:\d+ \(document\): YAML syntax: .* — check the indentation .*this line's key starts in column 4, the line before's in column 5/);
    expect(out[0]).not.toMatch(/at line \d+, column/);
  });

  test('schema: a wrong type is named with what was found', () => {
    const text = edit(SMALL_LAB, 'vlan: 20', 'vlan: twenty');
    expectOne(text, 'twenty', 'networks[1].vlan: expected a number, found text — write a number here');
  });

  test('YAML syntax errors are located', () => {
    const text = edit(SMALL_LAB, '    role: harvester\n', '    role: harvester\n   bad: [\n');
    const out = problems(text);
    expect(out.length).toBeGreaterThan(0);
    expect(out[0]).toMatch(/^lab\.yaml:\d+:\d+ \(document\): YAML syntax: .+ — .+/);
  });

  test('every problem is reported in one run', () => {
    let text = edit(SMALL_LAB, 'vlan: 20', 'vlan: 10');
    text = edit(text, 'hosts: [cp-1]', 'hosts: [cp-9]');
    text = edit(text, 'address: 172.31.10.11 }', 'address: 172.31.99.11 }');
    expect(problems(text)).toHaveLength(3);
  });
});
