import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLab, type Lab } from '@lab/shared';
import { parse } from 'yaml';
import { networkSteps, planRehearsal, qemuArgs, tapSteps, parsePhases, nodeScript, switchScript } from '../../builder/src/rehearse/index.js';
import { planPxeRoot, scriptFetches } from '../../builder/src/rehearse/pxe-root.js';
import { pxeAgentYaml } from '../../builder/src/rehearse/pxe-service.js';
import { generateTalosBundle, issueAdminCredentials, type LabSecrets } from '../../builder/src/secrets/index.js';

const LAB_FILE = 'examples/genesis/lab.yaml';
function lab(edit: (text: string) => string = (t) => t): Lab {
  const r = parseLab(edit(readFileSync(LAB_FILE, 'utf8')), LAB_FILE);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.lab;
}

describe('the rehearsal plan of the example lab (pure)', () => {
  const plan = planRehearsal(lab(), { id: 'rhtest', phases: [1] });

  it('boots the lab switch first, then every host in file order, each in its phase with its firmware', () => {
    expect(plan.vms.map((v) => [v.host, v.phaseNumber, v.firmware])).toEqual([
      ['lab-switch', 0, 'bios'],
      ['gateway', 1, 'uefi'],
      ['cp-1', 1, 'uefi'],
      ['ms02-1', 3, 'uefi'],
      ['ms02-2', 3, 'uefi'],
      ['ms02-3', 3, 'uefi'],
      ['cp-2', 4, 'uefi'],
      ['cp-3', 4, 'uefi'],
    ]);
  });

  it('gives each host VM its NICs with the lab MACs, and cables cp-1 straight to the gateway eth2', () => {
    const cp1 = plan.vms.find((v) => v.host === 'cp-1')!;
    const gw = plan.vms.find((v) => v.host === 'gateway')!;
    expect(cp1.nics.map((n) => n.mac)).toEqual(['38:05:25:34:25:d0']);
    expect(plan.vms.find((v) => v.host === 'ms02-2')!.nics[0]!.mac).toBe('02:00:00:00:02:02');
    // A cable is a UDP pair: each end sends to the port the other listens on.
    const a = cp1.nics[0]!.link;
    const b = gw.nics[2]!.link;
    expect(a.kind === 'udp' && b.kind === 'udp' && a.localPort === b.remotePort && a.remotePort === b.localPort).toBe(true);
    expect(gw.nics[0]!.link).toEqual({ kind: 'tap', ifname: 'uplink', ns: 'rhtest-up' });
    // cp-1 is a platform host: the Talos-shaped payload, and the UM760's NVMe drive to match its selector against.
    expect(cp1).toMatchObject({ talos: true, memoryMb: 256, disk: { bus: 'nvme', bytes: 512e9 } });
    // The gateway boots its stick through OVMF: GRUB ran out of memory at 160 MiB.
    expect(gw).toMatchObject({ talos: false, memoryMb: 256 });
    expect(gw.disk).toBeUndefined();
  });

  it('makes the switch carry the gateway trunk tagged, the MS-02s untagged on LAB_PROV with their tagged VLANs, and the laptop on LAB_MGMT', () => {
    expect(plan.switchPorts.map((p) => [p.what, p.pvid, p.tagged])).toEqual([
      ['gateway eth1 (trunk)', undefined, [10, 20, 30, 40, 50, 60]],
      ['ms02-1 nic 0', 20, [10, 40, 60]],
      ['ms02-2 nic 0', 20, [10, 40, 60]],
      ['ms02-3 nic 0', 20, [10, 40, 60]],
      ['cp-2 nic 0', 30, []],
      ['cp-3 nic 0', 30, []],
      ['the laptop (collector) on LAB_MGMT', 10, []],
    ]);
    expect(plan.laptop).toMatchObject({ ns: 'rhtest-lt', address: '10.10.10.5', prefix: 24, gateway: '10.10.10.1' });
    expect(plan.uplink).toMatchObject({ ns: 'rhtest-up', address: '10.0.0.1', prefix: 30, blackholeDefault: true });
  });

  it("runs every ip command inside the rehearsal's own namespaces, never in the host's", () => {
    const steps = [...networkSteps(plan), ...plan.vms.flatMap((v) => tapSteps(plan, v))];
    const ours = Object.values(plan.namespaces);
    for (const s of steps) {
      const named = s.args[0] === '-n' ? s.args[1] : s.args[0] === 'netns' && s.args[1] === 'add' ? s.args[2] : undefined;
      expect(ours, s.args.join(' ')).toContain(named);
    }
    expect(steps.filter((s) => s.creates).map((s) => s.creates)).toEqual(ours);
    // The lab's addresses are bound only in the laptop and uplink namespaces.
    const addrs = steps.filter((s) => s.args.includes('addr'));
    expect(addrs.map((s) => [s.args[1], s.args[4]])).toEqual([
      ['rhtest-lt', '10.10.10.5/24'],
      ['rhtest-up', '10.0.0.1/30'],
    ]);
  });

  it('boots each VM under its firmware with its MACs and no option ROM', () => {
    const cp1 = plan.vms.find((v) => v.host === 'cp-1')!;
    const args = qemuArgs(cp1, { varsFile: '/v.fd', serialLog: '/s.log', kernel: '/k', initrd: '/i', cmdline: 'console=ttyS0' }).join(' ');
    expect(args).toContain('-accel tcg');
    expect(args).toContain('if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd');
    expect(args).toContain('virtio-net-pci,netdev=n0,mac=38:05:25:34:25:d0,romfile=');
    // OVMF alone: a UEFI guest is never handed SeaBIOS as well.
    expect(args).not.toContain('-bios');
    const sw = qemuArgs(plan.vms[0]!, { varsFile: '/v.fd', serialLog: '/s.log', kernel: '/k', initrd: '/i', cmdline: '' }).join(' ');
    expect(sw).toContain('-bios /usr/share/seabios/bios-256k.bin');
    expect(sw).toContain('tap,id=n6,ifname=laptop');
  });

  it('boots the gateway from its stick: a virtio disk first in the boot order, no kernel handed over', () => {
    const gw = qemuArgs(plan.vms[1]!, { varsFile: '/v.fd', serialLog: '/s.log', virtioStick: '/gw.iso' }).join(' ');
    expect(gw).toContain('-drive file=/gw.iso,if=none,id=stick,format=raw,readonly=on -device virtio-blk-pci,drive=stick,bootindex=0');
    expect(gw).toContain('if=pflash');
    expect(gw).not.toContain('-kernel');
    expect(gw).not.toContain('-bios');
  });

  it('writes demo payloads that say demo and carry the lab: cp-1 on VLAN 30 routed by 10.10.30.1', () => {
    const l = lab();
    const cp1 = nodeScript(l, l.hosts[1]!, plan.vms[2]!, []);
    expect(cp1).toContain('N0=$(devof 38:05:25:34:25:d0)');
    expect(cp1).toContain('ip addr add 10.10.30.10/24 dev ${N0}.30');
    expect(cp1).toContain('ip route add default via 10.10.30.1');
    expect(cp1).toContain('nc -w 5 10.10.10.5 8080');
    const sw = switchScript(plan, plan.vms[0]!, []);
    expect(sw).toContain('brctl addif br20 $S1');
    expect(sw).toContain('brctl addif br10 ${S1}.10');
    for (const s of [cp1, sw]) expect(s).not.toMatch(/Bearer [A-Za-z0-9]/);
  });
});

describe('what the planner refuses', () => {
  it('names the NIC cabled to a port the gateway does not have', () => {
    expect(() => planRehearsal(lab((t) => t.replace('port: eth2 }', 'port: eth1 }')), { id: 'x', phases: [1] })).toThrow(/cp-1 nic 0 \(enp2s0\) is cabled to gateway port eth1, which is not a lan port/);
  });
  it('refuses a collector.url on no lab network', () => {
    expect(() => planRehearsal(lab((t) => t.replace('url: http://10.10.10.5:8080', 'url: http://172.16.0.5:8080')), { id: 'x', phases: [1] })).toThrow(/collector.url http:\/\/172.16.0.5:8080 is on none of the lab's networks/);
  });
  it('reads --phases lists and ranges', () => {
    expect(parsePhases('1')).toEqual([1]);
    expect(parsePhases('3-1')).toEqual([1, 2, 3]);
    expect(parsePhases('1,4')).toEqual([1, 4]);
    expect(() => parsePhases('5')).toThrow(/--phases "5" is not a phase list/);
  });
});

describe('the PXE part of the rehearsal plan (pure)', () => {
  const plan = planRehearsal(lab(), { id: 'rhpx', phases: [1, 3] });

  it('puts the PXE service in a namespace of its own at pxe.address, on an access port of LAB_PROV, routed by the gateway', () => {
    expect(plan.namespaces.pxe).toBe('rhpx-px');
    expect(plan.pxe).toMatchObject({ ifname: 'pxe', ns: 'rhpx-px', address: '10.10.20.10', prefix: 24, gateway: '10.10.20.1', network: 'LAB_PROV', vlan: 20, httpPort: 8081 });
    expect(plan.switchPorts.at(-1)).toMatchObject({ pvid: 20, tagged: [], what: 'the PXE service (agent) on LAB_PROV' });
    expect(networkSteps(plan).map((s) => s.args.join(' '))).toContain('-n rhpx-lab tuntap add dev pxe mode tap');
    // Phase 1 alone boots nobody by PXE: no PXE namespace.
    expect(planRehearsal(lab(), { id: 'rh1', phases: [1] }).namespaces.pxe).toBeUndefined();
  });

  it("boots an MS-02 by OVMF's own PXE: no kernel, the NIC's ROM disabled and first in the boot order", () => {
    const ms = plan.vms.find((v) => v.host === 'ms02-1')!;
    const args = qemuArgs(ms, { varsFile: '/v.fd', serialLog: '/s.log', diskFile: '/d.raw' });
    expect(args).not.toContain('-kernel');
    expect(args.join(' ')).toContain(`virtio-net-pci,netdev=n0,mac=02:00:00:00:02:01,romfile=,bootindex=1`);
    expect(args.join(' ')).toContain('OVMF_CODE');
    // It reboots after its install (no -no-reboot) and boots its NVMe disk once iPXE exits: the disk next in the boot order.
    expect(args).not.toContain('-no-reboot');
    expect(args.join(' ')).toContain('nvme,drive=d0,serial=demo-ms02-1,bootindex=2');
    // A direct-boot VM still stops on a reboot or panic.
    expect(qemuArgs(plan.vms.find((v) => v.host === 'cp-1')!, { varsFile: '/v.fd', serialLog: '/s.log', kernel: '/k', initrd: '/i' })).toContain('-no-reboot');
  });

  it('gives a machine whose lab MAC is wrong its real MAC (--mac), and refuses a host it does not know', () => {
    const p = planRehearsal(lab(), { id: 'rhm', phases: [1, 3], machineMacs: { 'ms02-2': '02:00:00:00:02:99' } });
    expect(p.vms.find((v) => v.host === 'ms02-2')!.nics[0]!.mac).toBe('02:00:00:00:02:99');
    expect(() => planRehearsal(lab(), { id: 'rhm', phases: [1], machineMacs: { nobody: '02:00:00:00:02:99' } })).toThrow(/--mac names nobody/);
  });
});

describe("the rehearsal's PXE tree and agent (pure)", () => {
  // Real Talos secrets (the Talos configs are rendered too); the rest as `secrets init` shapes them.
  const talos = generateTalosBundle(new Date());
  const secrets = { talos, admin: issueAdminCredentials(talos, new Date()), collectorToken: 'c'.repeat(32), harvesterToken: 'h'.repeat(32), ssh: { publicKey: 'ssh-ed25519 AAAAC3Nza test' }, login: { passwordHash: '$6$x$y' } } as unknown as LabSecrets;

  it("serves the rendered scripts and configs, Debian's loaders, and the demo boot files at the URLs the scripts fetch", () => {
    const files = planPxeRoot(lab(), secrets, { kernel: '/k/vmlinuz', harvesterInitrd: Buffer.from('initrd'), harvesterImage: Buffer.from('image') });
    const byPath = new Map(files.map((f) => [f.path, f]));
    const script = String(byPath.get('ipxe/02-00-00-00-02-01.ipxe')!.data);
    const fetches = scriptFetches(script, 'http://10.10.20.10:8081');
    expect(fetches).toEqual({ kernel: 'assets/harvester/v1.5.0/harvester-v1.5.0-vmlinuz-amd64', initrd: 'assets/harvester/v1.5.0/harvester-v1.5.0-initrd-amd64', live: 'assets/harvester/v1.5.0/harvester-v1.5.0-rootfs-amd64.squashfs' });
    expect(byPath.get(fetches.kernel!)).toMatchObject({ src: '/k/vmlinuz' });
    expect(String(byPath.get(fetches.initrd!)!.data)).toBe('initrd');
    expect(byPath.get('ipxe.efi')).toMatchObject({ src: '/usr/lib/ipxe/ipxe.efi' });
    // The Harvester configs hold the webhooks' token: served, but 0600 on disk.
    expect(byPath.get('harvester/ms02-1.yaml')).toMatchObject({ mode: 0o600 });
    // The demo image at the configs' install.iso_url: it carries the demo RKE2 kubeconfig, 0600.
    expect(String(byPath.get('harvester/ms02-1.yaml')!.data)).toContain('iso_url: http://10.10.20.10:8081/assets/harvester/v1.5.0/harvester-v1.5.0-amd64.iso');
    expect(byPath.get('assets/harvester/v1.5.0/harvester-v1.5.0-amd64.iso')).toMatchObject({ mode: 0o600, data: Buffer.from('image') });
    expect(String(byPath.get('assets/harvester/v1.5.0/README.demo')!.data)).toContain('demo stand-ins');
    // Nothing of the admin side (talosconfig, kubeconfig, the VyOS config) is served.
    expect(files.some((f) => /^(talosconfig|kubeconfig|vyos\/)/.test(f.path))).toBe(false);
  });

  it("runs the gateway agent's own PXE configuration, with only its files moved into the rehearsal", () => {
    const cfg = parse(pxeAgentYaml(lab(), secrets.collectorToken, { root: '/r/root', spool: '/r/spool', installedFile: '/r/installed.json' }));
    expect(cfg.roles).toEqual(['pxe']);
    expect(cfg.pxe).toMatchObject({ mode: 'full', address: '10.10.20.10', root: '/r/root', installedFile: '/r/installed.json', httpPort: 8081, range: ['10.10.20.100', '10.10.20.199'] });
    expect(cfg.pxe.hosts.map((h: { name: string }) => h.name)).toEqual(['ms02-1', 'ms02-2', 'ms02-3', 'cp-2', 'cp-3']);
    expect(cfg.pxe.subnets.map((s: { name: string }) => s.name)).toEqual(['LAB_PLATFORM']);
  });
});
