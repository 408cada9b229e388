import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromLab, type AgentConfigInput, type StoredEvent } from '@lab/shared';
import { pxeMarksFromLab } from '../../builder/src/collector/pxe-marks/from-lab.js';
import { startCollector, type RunningCollector } from '../../builder/src/collector/server.js';
import { gatewayAgentYaml } from '../../builder/src/gateway-stick/agent-config.js';
import { agentBundle } from '../fixtures/netns/agent-bundle.js';
import { TalosNode } from '../genesis/clients.js';
import { becomesReady, installerBoot } from '../genesis/talos-trace.js';
import { exampleLab } from '../join/lab-credentials.js';

/**
 * A Talos install, heard only by the collector, turns into the PXE agent's install mark: the real
 * collector (in this process, on loopback) with its Talos event sink, and the real agent process
 * (the bundle, with the agent.yaml make-usb writes for the example lab's gateway, moved onto
 * loopback and high ports). cp-2 (a Talos VM that boots by PXE) publishes the install sequence
 * Talos v1.12.0 sends (test/genesis/talos-trace.ts) over gRPC from its own loopback address.
 * Shown: the collector retries while the agent is down and says so (event and log line); the
 * mark arrives once the agent is up, and cp-2's script becomes iPXE `exit`; a restarted agent
 * with an empty record (the gateway's live system rebooted: its /var was RAM) gets the mark
 * back from the collector; a re-arm is not undone by the node's later RUNNING, survives the
 * next agent restart, and a new install marks it again; the lab switch pxe.reinstall works from
 * the stick's agent.yaml (the agent ignores the mark) and from the lab file alone (the collector
 * takes the mark back).
 * Not modelled: DHCP and TFTP (no client boots here; firmware-pxe.test.ts covers them), the
 * network between the laptop and the gateway (both on loopback), a collector that is down while
 * the gateway reboots (then the marks come back only when it runs again: docs/agent.md).
 */
const TOKEN = 'talos-marks-token-0123456789abcdef';
const CP2_MAC = '02:00:00:00:03:02';
const CP3_MAC = '02:00:00:00:03:03';
const MS3_MAC = '02:00:00:00:02:03';
/** The example lab with the re-arm switch (hosts[].pxe.reinstall) on `host`. */
function labWithSwitch(host: string) {
  const l = exampleLab();
  l.hosts.find((h) => h.name === host)!.pxe = { reinstall: true };
  return l;
}
// The stick was made with the switch on ms02-3; the lab file the collector reads has it on cp-3 now.
const stickLab = () => labWithSwitch('ms02-3');
const lab = () => labWithSwitch('cp-3');
const NODE_ADDR = '127.0.0.12';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dir: string;
let collector: RunningCollector;
let node: TalosNode;
let agent: ResultPromise | undefined;
let agentPort = 0;
let agentBase = '';
let bundle = '';
const logs: string[] = [];

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** The gateway's agent.yaml as make-usb renders it, moved onto loopback; `record` is its install-mark file. */
async function agentConfig(record: string): Promise<string> {
  const cfg = parse(gatewayAgentYaml(stickLab(), TOKEN, { collectorUrl: `http://127.0.0.1:${collector.httpPort}` })) as AgentConfigInput;
  const root = join(dir, 'root');
  mkdirSync(join(root, 'ipxe'), { recursive: true });
  for (const [mac, name] of [[CP2_MAC, 'cp-2'], [CP3_MAC, 'cp-3'], [MS3_MAC, 'ms02-3']]) writeFileSync(join(root, 'ipxe', `${mac!.replace(/:/g, '-')}.ipxe`), `#!ipxe\necho ${name!} installer\n`);
  cfg.spool = { dir: join(dir, 'spool') };
  delete cfg.status;
  cfg.pxe = { ...cfg.pxe!, address: '127.0.0.1', root, installedFile: record, httpPort: agentPort, dhcpPort: await freePort(), tftpPort: await freePort() };
  const file = join(dir, `agent-${Date.now()}.yaml`);
  writeFileSync(file, stringify(cfg), { mode: 0o600 });
  return file;
}

async function startAgent(record: string): Promise<void> {
  agent = execa('node', [bundle, '--config', await agentConfig(record)], { reject: false, all: true });
  await until(async () => (await fetch(`${agentBase}/v1/pxe/installed`, { headers: auth }).catch(() => null))?.ok === true, 'the agent answers');
}

async function stopAgent(): Promise<void> {
  agent?.kill('SIGKILL');
  await agent;
  agent = undefined;
}

const auth = { authorization: `Bearer ${TOKEN}` };
const stored = (kind: string): StoredEvent[] => collector.hub.store.list({ since: 0, limit: 10_000 }).filter((e) => e.kind === kind && e.mac === CP2_MAC);
const marks = async () => (await (await fetch(`${agentBase}/v1/pxe/installed`, { headers: auth })).json()) as { mac: string; source: string }[];
const script = async (mac = CP2_MAC) => (await fetch(`${agentBase}/ipxe/${mac.replace(/:/g, '-')}.ipxe`)).text();

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}; agent output:\n${String(agent?.all ?? '')}\ncollector log:\n${logs.join('\n')}`);
    await sleep(100);
  }
}

beforeAll(async () => {
  bundle = await agentBundle();
  dir = mkdtempSync(join(tmpdir(), 'talos-marks-'));
  agentPort = await freePort();
  agentBase = `http://127.0.0.1:${agentPort}`;
  const pxeMarks = { ...pxeMarksFromLab(lab(), TOKEN)!, base: agentBase, firstRetryMs: 200, maxRetryMs: 800 };
  collector = await startCollector({ plan: planFromLab(lab()), dbFile: join(dir, 'events.db'), token: TOKEN, host: '127.0.0.1', port: 0, talosPort: 0, kmsgPort: 0, log: (l) => logs.push(l), pxeMarks });
  // cp-2 sends from 127.0.0.12 instead of its lab address: record it as cp-2's, as a PXE lease would.
  collector.hub.directory.leased(NODE_ADDR, 'cp-2');
  node = new TalosNode(NODE_ADDR, collector.talos.port, collector.kmsg.port);
});
afterAll(async () => {
  await stopAgent();
  node?.close();
  await collector?.close();
});

describe('Talos installed → the PXE agent’s install mark (real collector, real agent process, loopback)', () => {
  it('retries while the agent is down, saying so; marks cp-2 once it is up, and its script becomes iPXE exit', async () => {
    // cp-3 has the lab's re-arm switch: the collector never marks it, it re-arms it.
    expect(pxeMarksFromLab(lab(), TOKEN)).toMatchObject({ hosts: [{ name: 'ms02-1' }, { name: 'ms02-2' }, { name: 'ms02-3' }, { name: 'cp-2' }], reinstall: [{ name: 'cp-3', mac: CP3_MAC }] });
    await node.publish(installerBoot('cp-2', ['10.10.30.11/24']));
    await until(() => stored('pxe.mark-failed').length > 0, 'the failed delivery is an event');
    expect(stored('pxe.mark-failed')[0]).toMatchObject({ host: 'cp-2', source: 'builder', attrs: { code: 'ERR_PXE_UNREACHABLE', installedBy: 'talos', attempts: 1 } });
    expect(logs.some((l) => l.includes('ERR_PXE_UNREACHABLE') && l.includes('cp-2 (02:00:00:00:03:02)') && !l.includes(TOKEN))).toBe(true);

    await startAgent(join(dir, 'record-1.json'));
    await until(async () => (await marks()).some((m) => m.mac === CP2_MAC), 'the agent holds the mark');
    expect((await marks()).find((m) => m.mac === CP2_MAC)?.source).toBe('talos');
    expect(await script()).toMatch(/installed \(talos, .*\n.*\nexit 1\n/s);
    await until(() => stored('pxe.mark-sent').length > 0 && stored('pxe.installed').length > 0, 'delivery and the agent’s pxe.installed reach the collector');
    expect(stored('pxe.mark-sent')[0]!.attrs.attempts).toBeGreaterThan(1);
    // Only cp-2 installed: nobody else is marked.
    expect((await marks()).map((m) => m.mac)).toEqual([CP2_MAC]);
  }, 60_000);

  it('pxe.reinstall on the stick: the agent made from it hands ms02-3 the installer even when marked', async () => {
    const ms3 = `${agentBase}/v1/pxe/installed/${MS3_MAC.replace(/:/g, '-')}`;
    expect((await fetch(`${ms3}?source=harvester`, { method: 'POST', headers: auth })).status).toBe(200);
    expect(await script(MS3_MAC)).toContain('ms02-3 installer');
    expect(await script()).toContain('exit 1');
    expect((await fetch(ms3, { method: 'DELETE', headers: auth })).status).toBe(200);
    await until(() => collector.hub.store.list({ since: 0, limit: 10_000 }).some((e) => e.kind === 'pxe.rearmed' && e.mac === MS3_MAC), 'the collector hears of the re-arm');
  });

  it('pxe.reinstall set in the lab after the stick was made: the collector takes back a mark the agent is given for cp-3', async () => {
    const rearms = () => collector.hub.store.list({ since: 0, limit: 10_000 }).filter((e) => e.kind === 'pxe.mark-sent' && e.mac === CP3_MAC && e.attrs.action === 'rearm').length;
    const before = rearms();
    // As Harvester's own webhook, or an install before the switch, would mark it.
    expect((await fetch(`${agentBase}/v1/pxe/installed/${CP3_MAC.replace(/:/g, '-')}?source=talos`, { method: 'POST', headers: auth })).status).toBe(200);
    await until(async () => rearms() > before && !(await marks()).some((m) => m.mac === CP3_MAC), 'the collector re-armed cp-3');
    expect(await script(CP3_MAC)).toContain('cp-3 installer');
  });

  it('gives a restarted agent with an empty record (the live gateway rebooted) its marks back', async () => {
    const sent = stored('pxe.mark-sent').length;
    await stopAgent();
    await startAgent(join(dir, 'record-2.json'));
    await until(async () => (await marks()).some((m) => m.mac === CP2_MAC), 'the mark is back');
    expect(await script()).toContain('exit 1');
    await until(() => stored('pxe.mark-sent').length > sent, 'the collector recorded the resend');
  }, 60_000);

  it('keeps a re-arm: the node’s later RUNNING does not undo it, nor does the next agent restart; a new install marks again', async () => {
    expect((await fetch(`${agentBase}/v1/pxe/installed/${CP2_MAC.replace(/:/g, '-')}`, { method: 'DELETE', headers: auth })).status).toBe(200);
    await until(() => stored('pxe.rearmed').length > 0, 'the collector hears of the re-arm');
    const sent = stored('pxe.mark-sent').length;
    await node.publish(becomesReady());
    await stopAgent();
    await startAgent(join(dir, 'record-3.json'));
    await until(() => collector.hub.store.list({ since: 0, limit: 10_000 }).filter((e) => e.kind === 'boot' && e.host === 'gateway').length >= 3, 'the third agent start reached the collector');
    await sleep(1500);
    expect(await marks()).toEqual([]);
    expect(await script()).toContain('cp-2 installer');
    expect(stored('pxe.mark-sent').length).toBe(sent);

    await node.publish(installerBoot('cp-2', ['10.10.30.11/24']));
    await until(async () => (await marks()).some((m) => m.mac === CP2_MAC), 'the new install is marked');
  }, 60_000);
});
