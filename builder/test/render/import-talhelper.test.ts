import { readFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseLab, type Lab } from '@lab/shared';
import { importTalhelper } from '../../src/import/index.js';
import { dispatch } from '../../src/cli/dispatch.js';
import { memoryIo } from '../../src/base/index.js';

const TALCONFIG = '../shared/reference/seed-lab/talconfig.yaml';

async function exampleLab(): Promise<{ text: string; lab: Lab }> {
  const text = await readFile('examples/genesis/lab.yaml', 'utf8');
  const r = parseLab(text, 'lab.yaml');
  if (!r.ok) throw new Error('example lab invalid');
  return { text, lab: r.lab };
}

describe('builder import talhelper', () => {
  it('turns the reference talconfig into the example lab platform cluster and hosts', async () => {
    const { lab } = await exampleLab();
    const r = importTalhelper(await readFile(TALCONFIG, 'utf8'), lab);
    expect(r.networks).toEqual([]);
    const p = lab.clusters.platform!;
    // The example lab decides three things beyond the talconfig: how the CNI arrives, the VIP
    // and the endpoint on it (and so its certificate name). The import says so in its notes.
    expect(r.clusters.platform).toEqual({
      name: p.name,
      talos: p.talos,
      kubernetes: p.kubernetes,
      endpoint: 'https://10.10.30.10:6443',
      podCidrs: p.podCidrs,
      serviceCidrs: p.serviceCidrs,
      cni: 'none',
      kubeProxy: p.kubeProxy,
      kubePrism: p.kubePrism,
      allowSchedulingOnControlPlanes: p.allowSchedulingOnControlPlanes,
      certSans: ['platform.lab.local', '10.10.30.10'],
      hosts: p.hosts,
    });
    expect(r.notes.some((n) => n.startsWith('cni: none') && n.includes('cni: { name: cilium, via: inline }'))).toBe(true);
    expect(r.notes).toContain('endpoint https://10.10.30.10:6443 is one node\'s own address, but 3 nodes are control planes: add vip: <a free address on their network> and point endpoint at it');
    const cp1 = r.hosts.find((h) => h.name === 'cp-1')!;
    expect(cp1).toMatchObject({ role: 'controlplane', boot: 'usb', model: 'um760', nics: [{ mac: '38:05:25:34:25:d0', tagged: ['LAB_PLATFORM'] }], addresses: [{ network: 'LAB_PLATFORM', address: '10.10.30.10' }], installDisk: { size: '>= 256GB', type: 'nvme' } });
    const cp2 = r.hosts.find((h) => h.name === 'cp-2')!;
    expect(cp2).toMatchObject({ role: 'vm', boot: 'pxe', model: 'harvester-vm', nics: [{ untagged: 'LAB_PLATFORM' }], addresses: [{ network: 'LAB_PLATFORM', address: '10.10.30.11' }] });
    expect(r.notes.some((n) => n.startsWith('cp-2:') && n.includes('MAC'))).toBe(true);
  });

  it('merged into the example lab (with the VM MACs filled in) gives a valid lab', async () => {
    const { text, lab } = await exampleLab();
    const r = importTalhelper(await readFile(TALCONFIG, 'utf8'), lab);
    const data = parse(text) as { hosts: Record<string, unknown>[]; clusters: { platform: Record<string, unknown> } };
    for (const imported of r.hosts) {
      const nics = imported.nics as Record<string, unknown>[];
      const original = lab.hosts.find((h) => h.name === imported.name)!;
      nics.forEach((n, i) => (n.mac ??= original.nics[i]!.mac));
      const at = data.hosts.findIndex((h) => h.name === imported.name);
      data.hosts[at] = imported;
    }
    const example = data.clusters.platform;
    data.clusters.platform = { ...r.clusters.platform, gitops: example.gitops };
    // As imported, with the example's gitops: refused for the CNI and the endpoint, as the notes said.
    const asImported = parseLab(stringify(data), 'merged.yaml');
    expect(asImported.ok ? [] : asImported.problems.map((x) => x.path.join('.'))).toEqual(['clusters.platform.cni', 'clusters.platform.endpoint']);
    data.clusters.platform = { ...r.clusters.platform, gitops: example.gitops, cni: example.cni, vip: example.vip, endpoint: example.endpoint };
    const merged = parseLab(stringify(data), 'merged.yaml');
    expect(merged.ok, JSON.stringify(merged.ok ? [] : merged.problems)).toBe(true);
  });

  it('without a lab, it proposes the networks it found', () => {
    const r = importTalhelper(
      stringify({
        clusterName: 'c',
        talosVersion: 'v1.12.0',
        kubernetesVersion: 'v1.32.0',
        endpoint: 'https://172.31.5.10:6443',
        nodes: [{ hostname: 'n1', controlPlane: true, networkInterfaces: [{ deviceSelector: { hardwareAddr: 'AA:BB:CC:00:11:22' }, vlans: [{ vlanId: 7, addresses: ['172.31.5.10/24'], routes: [{ network: '0.0.0.0/0', gateway: '172.31.5.1' }] }] }] }],
      }),
    );
    expect(r.networks).toEqual([{ name: 'VLAN7', vlan: 7, cidr: '172.31.5.0/24', gateway: '172.31.5.1', purpose: 'platform' }]);
    expect(r.hosts[0]).toMatchObject({ nics: [{ mac: 'aa:bb:cc:00:11:22', tagged: ['VLAN7'] }] });
  });

  it('CLI: writes YAML to --out, notes to stderr; a talconfig without nodes is a clear error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'import-'));
    const io = memoryIo(process.cwd());
    expect(await dispatch(['import', 'talhelper', TALCONFIG, '--lab', 'examples/genesis/lab.yaml', '--out', join(dir, 'out.yaml')], io)).toBe(0);
    const written = parse(await readFile(join(dir, 'out.yaml'), 'utf8'));
    expect(written.clusters.platform.name).toBe('platform');
    expect(written.hosts).toHaveLength(3);
    expect(io.stderr).toContain('note: cp-2');

    const bad = join(dir, 'bad.yaml');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(bad, 'clusterName: x\ntalosVersion: v1.12.0\n');
    const io2 = memoryIo(process.cwd());
    expect(await dispatch(['import', 'talhelper', bad], io2)).toBe(1);
    expect(io2.stderr).toContain('missing fields kubernetesVersion, endpoint');
    expect(io2.stderr).not.toContain('    at ');
  });
});
