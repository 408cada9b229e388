// Pure planning of the gateway stick: boot menus, live-boot module list, checksums, agent.yaml,
// the file plan. No I/O beyond reading the example lab.
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { AgentConfigSchema } from '@lab/shared';
import { addGrubEntry, addSyslinuxEntry, grubEntryTitles, labModuleFile, updateChecksums, BootConfigError } from '@lab/iso';
import { gatewayAgentYaml, planGatewayStick, MEDIUM } from '../../builder/src/gateway-stick/index.js';
import { exampleLab } from './fixture.js';

// The shape live-build writes for VyOS (grub-pc / grub-efi), tabs and --hotkey included.
const VYOS_GRUB = [
  'set default=0',
  'set timeout=10',
  '',
  'insmod serial',
  'serial --unit=0 --speed=115200',
  '',
  '# Live boot',
  'menuentry "Live system (amd64)" --hotkey=l {',
  '\tlinux\t/live/vmlinuz boot=live components hostname=vyos username=live nopersistence noautologin nonetworking union=overlay console=ttyS0,115200 console=tty0 net.ifnames=0 biosdevname=0',
  '\tinitrd\t/live/initrd.img',
  '}',
  'menuentry "Live system (amd64 fail-safe mode)" {',
  '\tlinux\t/live/vmlinuz boot=live components memtest noapic',
  '\tinitrd\t/live/initrd.img',
  '}',
  '',
].join('\n');

const ENTRY = { title: 'Lab x: gateway', args: [`vyos-config=${MEDIUM}/lab/config.boot`, 'module=lab'] };

describe('GRUB entry', () => {
  test('the lab entry comes first and is the default; the original entries follow unchanged', () => {
    const out = addGrubEntry(VYOS_GRUB, ENTRY);
    expect(grubEntryTitles(out)).toEqual(['Lab x: gateway', 'Live system (amd64)', 'Live system (amd64 fail-safe mode)']);
    expect(out).toMatch(/^set default=0$/m);
    const labLinux = out.split('\n').find((l) => l.includes('module=lab'))!;
    expect(labLinux).toBe('\tlinux\t/live/vmlinuz boot=live components hostname=vyos username=live nopersistence noautologin nonetworking union=overlay console=ttyS0,115200 console=tty0 net.ifnames=0 biosdevname=0 ' + ENTRY.args.join(' '));
    // Every original line is still there, in order, after the new entry.
    const firstOriginal = out.indexOf('menuentry "Live system (amd64)"');
    expect(out.slice(firstOriginal)).toBe(VYOS_GRUB.slice(VYOS_GRUB.indexOf('menuentry "Live system (amd64)"')));
    expect(out.match(/--hotkey=l/g)).toHaveLength(1);
  });

  test('a non-zero default is moved to the new first entry', () => {
    expect(addGrubEntry(VYOS_GRUB.replace('set default=0', 'set default=1'), ENTRY)).toMatch(/^set default=0$/m);
  });

  test('refuses a stick as base and a menu without a live entry', () => {
    const once = addGrubEntry(VYOS_GRUB, ENTRY);
    expect(() => addGrubEntry(once, ENTRY)).toThrow(BootConfigError);
    expect(() => addGrubEntry('menuentry "Talos" {\n linux /boot/vmlinuz talos.platform=metal\n}\n', ENTRY)).toThrow(/no menuentry with a "linux … boot=live"/);
  });
});

describe('ISOLINUX entry', () => {
  const LIVE_CFG = [
    'label live-amd64',
    '\tmenu label ^Live system (amd64)',
    '\tmenu default',
    '\tlinux /live/vmlinuz',
    '\tinitrd /live/initrd.img',
    '\tappend boot=live components hostname=vyos',
    '',
    'label live-amd64-failsafe',
    '\tmenu label ^Live system (amd64 fail-safe mode)',
    '\tlinux /live/vmlinuz',
    '\tinitrd /live/initrd.img',
    '\tappend boot=live components memtest noapic',
    '',
  ].join('\n');

  test('a copy of the live label becomes the menu default, originals stay', () => {
    const out = addSyslinuxEntry(LIVE_CFG, ENTRY);
    const labels = out.split('\n').filter((l) => /^label /.test(l));
    expect(labels).toEqual(['label lab-stick', 'label live-amd64', 'label live-amd64-failsafe']);
    expect(out.match(/menu default/g)).toHaveLength(1);
    expect(out.indexOf('menu default')).toBeLessThan(out.indexOf('label live-amd64'));
    expect(out).toContain(`\tappend boot=live components hostname=vyos ${ENTRY.args.join(' ')}`);
    expect(out).toContain('\tappend boot=live components memtest noapic\n');
  });
});

describe('live-boot module list', () => {
  test('without a module file: live-boot sorted glob, then the layer on top', () => {
    expect(labModuleFile(['vmlinuz', 'initrd.img', 'filesystem.squashfs', 'extra.squashfs', 'filesystem.packages'], 'lab/agent.squashfs')).toBe('extra.squashfs\nfilesystem.squashfs\nlab/agent.squashfs\n');
  });
  test('with filesystem.module: its list, then the layer', () => {
    expect(labModuleFile(['filesystem.squashfs', 'b.squashfs'], 'lab/agent.squashfs', 'filesystem.squashfs\n')).toBe('filesystem.squashfs\nlab/agent.squashfs\n');
  });
  test('a layer the default glob would match, one live-boot cannot mount, or a base without images, is refused', () => {
    expect(() => labModuleFile(['filesystem.squashfs'], 'zz.squashfs')).toThrow(/picked up by the original entries/);
    expect(() => labModuleFile(['filesystem.squashfs'], 'lab/agent.layer')).toThrow(/mounts only/);
    expect(() => labModuleFile(['vmlinuz'], 'lab/agent.squashfs')).toThrow(/not a live-boot ISO/);
  });
});

test('sha256sum.txt: changed files get their new hash, new files are appended', () => {
  const a = 'a'.repeat(64);
  const b = 'b'.repeat(64);
  const text = `${a}  ./boot/grub/grub.cfg\n${a}  ./live/vmlinuz\n`;
  expect(updateChecksums(text, [{ path: 'boot/grub/grub.cfg', sha256: b }, { path: '/lab/config.boot', sha256: b }])).toBe(`${b}  ./boot/grub/grub.cfg\n${a}  ./live/vmlinuz\n${b}  ./lab/config.boot\n`);
});

describe('agent.yaml', () => {
  test('example lab: the gateway runs the PXE service on LAB_PROV, validated by the agent schema', async () => {
    const lab = await exampleLab();
    const text = gatewayAgentYaml(lab, 't'.repeat(32));
    const cfg = AgentConfigSchema.parse(parse(text));
    expect(cfg.collector).toEqual({ url: lab.collector.url, token: 't'.repeat(32) });
    expect(cfg.host.name).toBe(lab.gateway!.host);
    expect(cfg.roles).toEqual(['host', 'pxe']);
    const net = lab.networks.find((n) => n.name === lab.pxe!.network)!;
    expect(cfg.pxe).toMatchObject({ mode: lab.pxe!.mode, address: lab.pxe!.address, root: `${MEDIUM}/lab/pxe`, httpPort: lab.pxe!.httpPort, range: [net.dhcp!.start, net.dhcp!.end] });
    const pxeHosts = lab.hosts.filter((h) => h.boot === 'pxe' && h.nics.length > 0).map((h) => h.name);
    expect(cfg.pxe!.hosts.map((h) => h.name)).toEqual(pxeHosts);
    // LAB_PLATFORM (VLAN 30) is relayed to the service: answered from its own range and router.
    expect(cfg.pxe!.subnets).toEqual([{ name: 'LAB_PLATFORM', network: '10.10.30.0', netmask: '255.255.255.0', range: ['10.10.30.100', '10.10.30.149'], leaseSeconds: 86400, router: '10.10.30.1', dns: ['10.10.30.1'] }]);
  });

  test('without pxe on the gateway: host role only; --collector-url overrides the lab', async () => {
    const lab = await exampleLab();
    delete (lab as { pxe?: unknown }).pxe;
    const cfg = AgentConfigSchema.parse(parse(gatewayAgentYaml(lab, 't'.repeat(32), { collectorUrl: 'http://10.0.2.2:9999' })));
    expect(cfg.roles).toEqual(['host']);
    expect(cfg.collector.url).toBe('http://10.0.2.2:9999');
  });

  test('the gateway host MAC from the lab goes into host.mac', async () => {
    const lab = await exampleLab();
    const gw = lab.hosts.find((h) => h.name === lab.gateway!.host)!;
    gw.nics = [{ name: 'eth0', mac: '00-0D-B9-AA-BB-CC', tagged: [] }];
    expect(AgentConfigSchema.parse(parse(gatewayAgentYaml(lab, 't'.repeat(32)))).host).toEqual({ name: gw.name, mac: '00:0d:b9:aa:bb:cc' });
  });
});

describe('stick plan', () => {
  test('secret files are 0600, the entry loads the config from the medium, the layer enables the unit', async () => {
    const lab = await exampleLab();
    const plan = planGatewayStick(
      { lab, release: '2025.11', configBoot: 'cfg', commands: 'cmds', agentYaml: 'a', agentBundle: '/x/agent.cjs', runbook: [{ name: 'runbook.md', content: '# r' }], pxeFiles: [] },
      { grubCfg: VYOS_GRUB, liveNames: ['filesystem.squashfs', 'vmlinuz'] },
    );
    const mode = (p: string) => plan.lab.find((f) => f.path === p)?.mode;
    expect([mode('config.boot'), mode('commands.sh'), mode('agent.yaml')]).toEqual([0o600, 0o600, 0o600]);
    expect(mode('start-agent.sh')).toBe(0o755);
    expect(plan.lab.map((f) => f.path)).toEqual(expect.arrayContaining(['README.txt', 'runbook/runbook.md', 'agent/agent.cjs', 'pxe/README.txt']));
    expect(plan.entry.args).toEqual([`vyos-config=${MEDIUM}/lab/config.boot`, 'module=lab']);
    expect(plan.layer.find((f) => f.link)).toEqual({ path: 'etc/systemd/system/multi-user.target.wants/lab-agent.service', link: '../lab-agent.service', mode: 0o777 });
    expect(plan.layer[0]!.content).toContain(`ExecStart=${MEDIUM}/lab/start-agent.sh`);
    expect(plan.replace.map((r) => r.iso)).toEqual(['/boot/grub/grub.cfg', '/live/lab.module']);
    expect(plan.warnings.join('\n')).toMatch(/no agent single executable/);
  });

  test('a base that is not a live ISO is refused with what to do', async () => {
    const lab = await exampleLab();
    expect(() => planGatewayStick({ lab, release: '2025.11', configBoot: '', commands: '', agentYaml: '', agentBundle: '/x', runbook: [], pxeFiles: [] }, { liveNames: [] })).toThrow(/not a VyOS live ISO/);
  });
});
