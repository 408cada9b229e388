// The platform cluster's CNI and control-plane VIP rules: exact message and FILE:LINE:COLUMN.
import { describe, expect, test } from 'vitest';
import { formatProblem, parseLab } from '@lab/shared';
import { SMALL_LAB, edit, positionOf } from './small-lab.js';

const problems = (text: string) => parseLab(text, 'lab.yaml').problems.map(formatProblem);

function expectOne(text: string, at: string, rest: string, nth = 0) {
  const { line, column } = positionOf(text, at, nth);
  expect(problems(text)).toEqual([`lab.yaml:${line}:${column} ${rest}`]);
}

const GITOPS = '    hosts: [cp-1]\n    gitops: { repo: "https://git.test/lab.git", path: platform }\n';
const withGitops = (cni: string) => edit(edit(SMALL_LAB, '    hosts: [cp-1]\n', GITOPS), '    endpoint: https://172.31.10.10:6443\n', `    endpoint: https://172.31.10.10:6443\n    cni: ${cni}\n`);

/** Three control-plane hosts on MGMT: cp-1 plus two VMs. */
function threeNodes(vipLine: string, endpoint = 'https://172.31.10.10:6443'): string {
  let t = edit(SMALL_LAB, '  - name: hv-1\n', [
    '  - { name: cp-2, model: vm, role: vm, nics: [{ mac: "aa:bb:cc:00:00:12", untagged: MGMT }], addresses: [{ network: MGMT, address: 172.31.10.12 }] }',
    '  - { name: cp-3, model: vm, role: vm, nics: [{ mac: "aa:bb:cc:00:00:13", untagged: MGMT }], addresses: [{ network: MGMT, address: 172.31.10.13 }] }',
    '  - name: hv-1\n',
  ].join('\n'));
  t = edit(t, '    hosts: [cp-1]\n', '    hosts: [cp-1, cp-2, cp-3]\n');
  return edit(t, '    endpoint: https://172.31.10.10:6443\n', `${vipLine}    endpoint: ${endpoint}\n`);
}

describe('how the CNI arrives', () => {
  test('cni: none with gitops is refused at the cni value, with the fix', () => {
    const text = withGitops('none');
    const { line, column } = positionOf(text, 'cni: none');
    expect(problems(text)).toEqual([
      `lab.yaml:${line}:${column + 'cni: '.length} clusters.platform.cni: cni: none with gitops never becomes Ready: Argo CD cannot install the CNI, because its own pods need a CNI to start — write cni: { name: cilium, via: inline } to put the pre-rendered Cilium manifest pinned in images.yaml into the Talos configs, or cni: { name: none, via: manual } if you apply a CNI yourself while bootstrap waits`,
    ]);
  });

  test('saying how it arrives is accepted: Cilium inline, or by hand; cni: none without gitops stays valid', () => {
    expect(problems(withGitops('{ name: cilium, via: inline }'))).toEqual([]);
    expect(problems(withGitops('{ name: none, via: manual }'))).toEqual([]);
    expect(problems(edit(SMALL_LAB, '    endpoint: https://172.31.10.10:6443\n', '    endpoint: https://172.31.10.10:6443\n    cni: none\n'))).toEqual([]);
    const parsed = parseLab(withGitops('{ name: cilium, via: inline }'), 'lab.yaml');
    expect(parsed.ok && parsed.lab.clusters.platform?.cni).toEqual({ name: 'cilium', via: 'inline', image: 'cilium-install' });
  });

  test('Cilium without kube-proxy needs KubePrism', () => {
    const text = edit(withGitops('{ name: cilium, via: inline }'), '    cni:', '    kubeProxy: false\n    kubePrism: { enabled: false }\n    cni:');
    expectOne(text, 'kubePrism:', 'clusters.platform.kubePrism: Cilium replaces kube-proxy here (kubeProxy: false) and reaches the API server through KubePrism on localhost, but KubePrism is disabled — set kubePrism: { enabled: true, port: 7445 }, or kubeProxy: true');
  });
});

describe('the control-plane VIP', () => {
  test('a free VIP with the endpoint on it is valid; one host keeps working without one', () => {
    expect(problems(threeNodes('    vip: 172.31.10.5\n', 'https://172.31.10.5:6443'))).toEqual([]);
    expect(problems(SMALL_LAB)).toEqual([]);
  });

  test('three hosts and an endpoint on cp-1’s own address: refused at the endpoint', () => {
    const text = threeNodes('');
    expectOne(text, 'https://172.31.10.10:6443', 'clusters.platform.endpoint: endpoint https://172.31.10.10:6443 is the own address of host "cp-1", so the other control-plane hosts lose the API whenever it is down — add vip: <a free address on the hosts\' network> to clusters.platform and point endpoint at it (https://<vip>:6443)');
  });

  test('the endpoint must use the VIP', () => {
    const text = threeNodes('    vip: 172.31.10.5\n');
    expectOne(text, 'https://172.31.10.10:6443', 'clusters.platform.endpoint: endpoint https://172.31.10.10:6443 does not use the VIP 172.31.10.5 (it is the own address of host "cp-1") — write endpoint: https://172.31.10.5:6443');
  });

  test('outside the hosts’ network, a host’s address, the gateway, inside the DHCP range', () => {
    const cases: [string, string][] = [
      ['172.31.20.5', 'VIP 172.31.20.5 is not a host address of "MGMT" (172.31.10.0/24), the network the control-plane hosts share — pick a free address inside 172.31.10.0/24'],
      ['172.31.10.12', 'VIP 172.31.10.12 is already used by host "cp-2" — pick an address no host has'],
      ['172.31.10.1', 'VIP 172.31.10.1 is the gateway address of "MGMT" — pick an address the gateway does not own'],
      ['172.31.10.120', 'VIP 172.31.10.120 lies inside the DHCP range of "MGMT" (172.31.10.100–172.31.10.150) — pick an address outside the range: a leased copy of it would fight the control plane for it'],
      ['172.31.10.20', 'VIP 172.31.10.20 is also the Harvester cluster\'s VIP — give each cluster its own VIP'],
    ];
    for (const [vip, message] of cases) {
      const text = threeNodes(`    vip: ${vip}\n`, `https://${vip}:6443`);
      const { line, column } = positionOf(text, `vip: ${vip}`);
      expect(problems(text), vip).toEqual([`lab.yaml:${line}:${column + 'vip: '.length} clusters.platform.vip: ${message}`]);
    }
  });
});
