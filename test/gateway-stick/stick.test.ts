// End to end: `builder make-usb --target vp6630` on the demo VyOS base, then the stick boots in
// QEMU. Real VyOS cannot run here (no image download, no KVM), so the demo base's init does what
// VyOS does that matters (builder/src/demo-bases/, through test/fixtures/vyos-standin): live-boot's
// medium and layer stacking, vyos-router's `vyos-config=`, then it applies the interfaces, vifs,
// bridges, addresses, static routes, forwarding and `service dhcp-relay` (ISC dhcrelay) of THAT
// config, and systemd starting the units of multi-user.target. It does not model VyOS's firewall,
// NAT, BGP, DHCP server, DNS forwarding, NTP, SSH or logins (it says so on the console), config
// migration, commit semantics or hw-id interface naming (ports are named in PCI order).
// The agent is the real one, built as a single executable, reporting to a receiver on 127.0.0.1
// through the uplink the config gives eth0 (10.0.0.2/30, next hop 10.0.0.1: QEMU's host side).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { AgentConfigSchema, parseLab, type Lab } from '@lab/shared';
import { grubEntryTitles, sha256File } from '@lab/iso';
import { makeUsbCommand } from '../../builder/src/cli/make-usb.js';
import { renderCommand } from '../../builder/src/cli/render.js';
import { memoryIo } from '../../builder/src/base/index.js';
import { renderGateway } from '../../builder/src/vyos/gateway/index.js';
import { loadSecrets, type LabSecrets } from '../../builder/src/secrets/index.js';
import { statePaths } from '../../builder/src/state/index.js';
import { buildVyosStandinIso } from '../fixtures/vyos-standin/vyos-standin.js';
import { startReceiver, type Receiver } from '../agent/receiver.js';
import { buildAgentSea, ensureAgentBundle } from './agent-sea.js';
import { EXAMPLE_LAB, freshSecrets } from './fixture.js';
import { bootTreeLab } from '../boot-tree/fixture.js';
import { bootStick } from './qemu.js';

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
/** The whole line, not just its start (serial output arrives in pieces). */
const HASH_LINE = /CONFIG-SHA256 ([0-9a-f]{64})\n/;

let dir: string;
let base: string;
let labFile: string;
let lab: Lab;
let secrets: LabSecrets;
let receiver: Receiver;
let stick: string;
let cli: { code: number; stdout: string; stderr: string };
let agentExe: string;
let extracted: string;

async function xorriso(args: string[]): Promise<string> {
  return (await execa('xorriso', args, { env: { LC_ALL: 'C' } })).stdout;
}

beforeAll(async () => {
  [base, agentExe] = await Promise.all([buildVyosStandinIso(), buildAgentSea()]);
  const fresh = await freshSecrets();
  dir = fresh.paths.root.replace(/\/state$/, '');
  // The example lab with the PXE service moved off the gateway: in QEMU the gateway has no
  // LAB_PROV address to serve from (the PXE role has its own netns tests). The rest is the example.
  const doc = parse(await readFile(EXAMPLE_LAB, 'utf8')) as { pxe: { host: string } };
  doc.pxe.host = 'cp-1';
  labFile = join(dir, 'lab.yaml');
  await writeFile(labFile, stringify(doc));
  const parsed = parseLab(await readFile(labFile, 'utf8'), labFile);
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('; '));
  lab = parsed.lab;
  secrets = await loadSecrets(statePaths(labFile));
  receiver = await startReceiver({ token: secrets.collectorToken });
  const port = new URL(receiver.url).port;
  stick = join(dir, 'state/media/gateway-vp6630.iso');
  const io = memoryIo(dir);
  const code = await makeUsbCommand.run(
    ['--target', 'vp6630', '--lab', labFile, '--base', base, '--agent', await ensureAgentBundle(), '--agent-exe', agentExe, '--collector-url', `http://10.0.0.1:${port}`],
    io,
  );
  cli = { code, stdout: io.stdout, stderr: io.stderr };
  extracted = join(dir, 'extracted');
  await mkdir(extracted);
  await xorriso(['-osirrox', 'on', '-indev', stick, '-extract', '/lab', join(extracted, 'lab'), '-extract', '/boot/grub/grub.cfg', join(extracted, 'grub.cfg'), '-extract', '/sha256sum.txt', join(extracted, 'sha256sum.txt'), '-extract', '/live/lab.module', join(extracted, 'lab.module')]);
}, 600_000);

afterAll(async () => {
  await receiver?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('make-usb --target vp6630', () => {
  test('writes the stick (0600) and a sidecar with the output and input hashes; the token is never printed', async () => {
    expect(cli.stderr).not.toMatch(/error/i);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain(`wrote ${stick}`);
    expect((await stat(stick)).mode & 0o777).toBe(0o600);
    const side = JSON.parse(await readFile(`${stick}.json`, 'utf8'));
    expect(side.output.sha256).toBe(await sha256File(stick));
    expect(side.inputs.base.sha256).toBe(await sha256File(base));
    expect(side.inputs.agentExe.sha256).toBe(await sha256File(agentExe));
    expect(side.inputs.configBoot.sha256).toBe(sha256(renderGateway(lab, secrets).configBoot));
    const all = cli.stdout + cli.stderr + (await readFile(`${stick}.json`, 'utf8'));
    expect(all).not.toContain(secrets.collectorToken);
    expect(all).not.toContain(secrets.login.passwordHash);
  });

  test('carries the rendered config, agent.yaml (0600) pointing at the collector, the agent and the runbook', async () => {
    const rendered = renderGateway(lab, secrets);
    expect(await readFile(join(extracted, 'lab/config.boot'), 'utf8')).toBe(rendered.configBoot);
    expect(await readFile(join(extracted, 'lab/commands.sh'), 'utf8')).toBe(rendered.commands);
    const agent = AgentConfigSchema.parse(parse(await readFile(join(extracted, 'lab/agent.yaml'), 'utf8')));
    expect(agent.collector).toEqual({ url: `http://10.0.0.1:${new URL(receiver.url).port}`, token: secrets.collectorToken });
    expect(agent.host.name).toBe('gateway');
    expect(await sha256File(join(extracted, 'lab/agent/lab-agent'))).toBe(await sha256File(agentExe));
    const html = await readFile(join(extracted, 'lab/runbook/runbook.html'), 'utf8');
    const md = await readFile(join(extracted, 'lab/runbook/runbook.md'), 'utf8');
    expect(html).toMatch(/<html/i);
    expect(md).toContain(`# ${lab.site.name}`);
    // Rock Ridge keeps the modes: secrets 0600 and root-owned, the agent and script executable.
    const ls = await xorriso(['-indev', stick, '-lsl', '/lab', '/lab/agent']);
    const line = (name: string) => ls.split('\n').find((l) => l.endsWith(`'${name}'`)) ?? '';
    for (const f of ['agent.yaml', 'config.boot', 'commands.sh']) expect(line(f)).toMatch(/^-rw------- +1 0 +0 /);
    expect(line('lab-agent')).toMatch(/^-rwxr-xr-x/);
    expect(line('start-agent.sh')).toMatch(/^-rwxr-xr-x/);
  });

  test('keeps the original boot entries and both boot images; the lab entry is first and default', async () => {
    await xorriso(['-osirrox', 'on', '-indev', base, '-extract', '/boot/grub/grub.cfg', join(extracted, 'base-grub.cfg')]);
    const baseCfg = await readFile(join(extracted, 'base-grub.cfg'), 'utf8');
    const cfg = await readFile(join(extracted, 'grub.cfg'), 'utf8');
    const titles = grubEntryTitles(cfg);
    expect(titles.slice(1)).toEqual(grubEntryTitles(baseCfg));
    expect(titles[0]).toMatch(/^Lab genesis: VyOS 2025\.11/);
    expect(cfg).toContain(baseCfg.slice(baseCfg.indexOf('menuentry')));
    expect(cfg).toMatch(/^set default=0$/m);
    expect(await readFile(join(extracted, 'lab.module'), 'utf8')).toBe('filesystem.squashfs\nlab/lab-agent.squashfs\n');
    const boot = await xorriso(['-indev', stick, '-report_el_torito', 'plain']);
    expect(boot).toMatch(/El Torito boot img : +1 +BIOS/);
    expect(boot).toMatch(/El Torito boot img : +2 +UEFI/);
    // sha256sum.txt (checked by VyOS's `add system image`) matches the new and changed files.
    const sums = await readFile(join(extracted, 'sha256sum.txt'), 'utf8');
    expect(sums).toContain(`${sha256(cfg)}  ./boot/grub/grub.cfg`);
    expect(sums).toContain(`${await sha256File(join(extracted, 'lab/config.boot'))}  ./lab/config.boot`);
  });

  test('the same inputs give the same bytes', async () => {
    const again = join(dir, 'again.iso');
    const io = memoryIo(dir);
    const port = new URL(receiver.url).port;
    const code = await makeUsbCommand.run(
      ['--target', 'vp6630', '--lab', labFile, '--base', base, '--agent', await ensureAgentBundle(), '--agent-exe', agentExe, '--collector-url', `http://10.0.0.1:${port}`, '--out', again],
      io,
    );
    expect(code).toBe(0);
    expect(await sha256File(again)).toBe(await sha256File(stick));
    await rm(again);
    await rm(`${again}.json`);
  }, 300_000);

  test('with the PXE service on the gateway: agent.yaml has the pxe role and the stick carries what it serves', async () => {
    // The example lab with its boot tree (loaders, kernels, Harvester files) stood in and cached.
    const pxeLab = await bootTreeLab();
    const state = join(pxeLab.dir, 'state');
    const rendered = join(state, 'rendered');
    const io = memoryIo(dir);
    // The example lab's Cilium entry is not pinned yet (images.yaml): give the test's stand-in.
    const cilium = ['--cilium-manifest', join(import.meta.dirname, '../../builder/test/render/fixtures/cilium-install.yaml')];
    expect(await renderCommand.run(['--lab', pxeLab.labFile, '--state', state, '--cache', pxeLab.cache, '--without-argocd', ...cilium], io), io.stderr).toBe(0);
    const mac = (await readdir(join(rendered, 'ipxe')))[0]!;
    const out = join(dir, 'pxe-stick.iso');
    const args = ['--target', 'vp6630', '--lab', pxeLab.labFile, '--state', state, '--cache', pxeLab.cache, '--base', base, '--agent', await ensureAgentBundle(), '--out', out];
    // A served file that is not what renders now: refused, named, nothing written.
    const served = join(rendered, 'harvester/ms02-1.yaml');
    const good = await readFile(served, 'utf8');
    await writeFile(served, good.replace(/^(\s*)token: .*$/m, '$1token: old-token'));
    await expect(makeUsbCommand.run([...args, '--without-argocd', ...cilium], memoryIo(dir))).rejects.toThrow(/harvester\/ms02-1\.yaml: .*token/);
    expect(existsSync(out)).toBe(false);
    await writeFile(served, good, { mode: 0o600 });
    const code = await makeUsbCommand.run([...args, '--without-argocd', ...cilium], io);
    expect(code, io.stderr).toBe(0);
    await xorriso(['-osirrox', 'on', '-indev', out, '-extract', '/lab/agent.yaml', join(dir, 'pxe-agent.yaml')]);
    const agent = AgentConfigSchema.parse(parse(await readFile(join(dir, 'pxe-agent.yaml'), 'utf8')));
    expect(agent.roles).toEqual(['host', 'pxe']);
    expect(agent.pxe!.root).toBe('/usr/lib/live/mount/medium/lab/pxe');
    const ls = await xorriso(['-indev', out, '-lsl', '/lab/pxe/ipxe', '/lab/pxe/harvester']);
    expect(ls).toContain(`'${mac}'`);
    expect(ls).toMatch(/^-rw-r--r-- .*\.ipxe'$/m);
    expect(ls).toMatch(/^-rw------- .*'ms02-1\.yaml'$/m);
    expect((await xorriso(['-indev', out, '-find', '/lab', '-name', 'kubeconfig'])).trim()).toBe('');
    await rm(out);
    await rm(`${out}.json`);
    await rm(pxeLab.dir, { recursive: true, force: true });
  }, 120_000);

  test('refuses a stick as the base, leaving nothing behind', async () => {
    const io = memoryIo(dir);
    const out = join(dir, 'second.iso');
    await expect(makeUsbCommand.run(['--target', 'vp6630', '--lab', labFile, '--base', stick, '--out', out], io)).rejects.toThrow(/already has a lab entry/);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.json`)).toBe(false);
  });
});

describe('booting the stick (stand-in VyOS)', () => {
  test('BIOS: VyOS loads config.boot from the stick and the agent reports the boot to the collector', async () => {
    const configSha = sha256(renderGateway(lab, secrets).configBoot);
    const agentBoot = () => receiver.events.find((e) => e.source === 'agent' && e.kind === 'boot');
    const serial = await bootStick(stick, 'bios', (s) => HASH_LINE.test(s) && agentBoot() !== undefined, 240_000);
    expect(serial).toContain('LAYER lab-agent.squashfs');
    expect(serial).toContain('Config selected manually: /usr/lib/live/mount/medium/lab/config.boot');
    expect(HASH_LINE.exec(serial)?.[1]).toBe(configSha);
    expect(serial).toContain('UNIT-START lab-agent.service');
    // The demo gateway applied the config from the stick: the agent's packets leave by its eth0 address and route.
    expect(serial).toContain('demo: applied: address 10.0.0.2/30 on eth0');
    expect(serial).toContain('demo: applied: protocols static route 0.0.0.0/0 next-hop 10.0.0.1');
    expect(serial).toMatch(/demo: {3}firewall ipv4 \(\d+ statements\)/);
    expect(serial).toMatch(/demo: {3}nat source \(\d+ statements\)/);
    const ev = agentBoot();
    expect(ev, `no boot event arrived; serial:\n${serial.slice(-3000)}`).toBeDefined();
    expect(String((ev!.attrs as Record<string, unknown>).cmdline)).toContain('vyos-config=/usr/lib/live/mount/medium/lab/config.boot');
    expect(serial).not.toContain(secrets.collectorToken);
  }, 300_000);

  test('UEFI (OVMF): the same default entry loads config.boot from the stick', async () => {
    const configSha = sha256(renderGateway(lab, secrets).configBoot);
    const serial = await bootStick(stick, 'uefi', (s) => HASH_LINE.test(s), 180_000);
    expect(serial).toContain('LAYER lab-agent.squashfs');
    expect(HASH_LINE.exec(serial)?.[1]).toBe(configSha);
  }, 240_000);
});

// VyOS's vyos-build defaults to `syslinux,grub-efi` for amd64: BIOS boots through ISOLINUX
// (isolinux/live.cfg), UEFI through GRUB's efi.img reading /boot/grub/grub.cfg.
describe('a live-build ISO with ISOLINUX for BIOS and GRUB for UEFI', () => {
  let isoBase: string;
  let isoStick: string;
  beforeAll(async () => {
    isoBase = await buildVyosStandinIso('isolinux');
    isoStick = join(dir, 'isolinux-stick.iso');
    const io = memoryIo(dir);
    const code = await makeUsbCommand.run(['--target', 'vp6630', '--lab', labFile, '--base', isoBase, '--agent', await ensureAgentBundle(), '--out', isoStick], io);
    expect(code, io.stderr).toBe(0);
  }, 300_000);

  test('the lab label is the ISOLINUX menu default; the original labels stay; El Torito and isohybrid MBR kept', async () => {
    await xorriso(['-osirrox', 'on', '-indev', isoStick, '-extract', '/isolinux/live.cfg', join(dir, 'live.cfg')]);
    const cfg = await readFile(join(dir, 'live.cfg'), 'utf8');
    expect(cfg.split('\n').filter((l) => l.startsWith('label '))).toEqual(['label lab-stick', 'label live-amd64', 'label live-amd64-failsafe']);
    expect(cfg.match(/menu default/g)).toHaveLength(1);
    expect(cfg).toContain('module=lab');
    const report = await xorriso(['-indev', isoStick, '-report_el_torito', 'as_mkisofs']);
    expect(report).toContain("-b '/isolinux/isolinux.bin'");
    expect(report).toContain("-e '/boot/grub/efi.img'");
    expect(report).toMatch(/^-isohybrid-mbr /m);
  });

  test.each(['bios', 'uefi'] as const)('%s: boots the lab entry and loads config.boot from the stick', async (mode) => {
    const serial = await bootStick(isoStick, mode, (s) => HASH_LINE.test(s), 180_000);
    expect(serial).toContain('LAYER lab-agent.squashfs');
    expect(HASH_LINE.exec(serial)?.[1]).toBe(sha256(renderGateway(lab, secrets).configBoot));
  }, 240_000);
});

// The demo gateway configures from the config.boot on the stick, not from the lab: a lab whose
// relay serves one network less gives a config.boot whose `service dhcp-relay` has one
// listen-interface less, and the demo gateway starts dhcrelay without it.
describe('the demo gateway does what the stick\'s config.boot says', () => {
  test('a relay interface removed from the config is not relayed; an address added is applied', async () => {
    const doc = parse(await readFile(labFile, 'utf8')) as { gateway: { dhcpRelay: { networks: string[] }; routes: { to: string; via: string }[] } };
    doc.gateway.dhcpRelay.networks = ['LAB_CLUSTER'];
    doc.gateway.routes.push({ to: '172.16.99.0/24', via: '10.0.0.1' });
    const changedFile = join(dir, 'changed.yaml');
    await writeFile(changedFile, stringify(doc));
    const out = join(dir, 'changed-stick.iso');
    const io = memoryIo(dir);
    const code = await makeUsbCommand.run(['--target', 'vp6630', '--lab', changedFile, '--state', join(dir, 'state'), '--base', base, '--agent', await ensureAgentBundle(), '--out', out], io);
    expect(code, io.stderr).toBe(0);
    // Three NICs, as the VP6630's ports eth0, eth1 and eth2 (in PCI order).
    const serial = await bootStick(out, 'bios', (s) => s.includes('DEMO-CONFIG-APPLIED'), 180_000, 3);
    expect(serial).toContain('demo: applied: service dhcp-relay (ISC dhcrelay -c 10 -a -m discard -id eth1.40 -iu eth1.20 10.10.20.10)');
    expect(serial).toContain('demo: applied: protocols static route 172.16.99.0/24 next-hop 10.0.0.1');
    expect(serial).toContain('demo: applied: interfaces bridge br30 member interface eth2.30');
  }, 240_000);
});
