import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { hostPath, stageRank, type GenesisStatus, type Lab, type StageId } from '@lab/shared';
import { UserError, UsageError } from '../base/index.js';
import { fetchStatus } from '../collector/client.js';
import { statePaths, writeFileAtomic, type StatePaths } from '../state/index.js';
import { applySecretsPlan, loadSecrets, planSecrets, secretPaths, type LabSecrets } from '../secrets/index.js';
import { builtAgent } from '../media/rendered.js';
import { makeUsb, TARGETS } from '../media/make-usb.js';
import { buildHarvesterInstaller, buildTalosPxeInitrd, talosHostInputs, type TalosPayloadInputs } from './payload/initramfs.js';
import { planPxeRoot, writePxeRoot } from './pxe-root.js';
import { pxeAgentYaml } from './pxe-service.js';
import { rehearsalGatewayStick } from './gateway-stick.js';
import { renderTalosConfig } from '../render/index.js';
import { argocdInlineManifests } from '../render/argocd.js';
import { renderKubeconfig, renderTalosconfig } from '../render/clients.js';
import { DEMO_CILIUM_INSTALL, wantsInlineCilium } from './demo-cni.js';
import { type DemoHarvesterCluster, DEMO_ARGOCD_INSTALL, DEMO_ARGOCD_INSTALL_SOURCE, demoApisEntry, demoHarvesterCluster, planDemoApis, writeDemoApisConfig } from './demo-apis/index.js';
import { demoHarvesterImage } from './payload/installed-image.js';
import { open as openFile } from 'node:fs/promises';
import { FORWARDER, openDashboard, removeSocket } from './dashboard.js';
import { isSameProcess, Ledger, readLedger } from './ledger.js';
import { memoryOf } from './memory.js';
import { networkSteps, tapSteps } from './network.js';
import { buildPayload } from './payload/initramfs.js';
import { ensureDemoKernel, type DemoKernel } from './payload/kernel.js';
import { planRehearsal, type RehearsalPlan, type VmPlan } from './plan.js';
import { ip, netnsAllowed, spawnInNetns } from './tools/ip.js';
import { startQemu } from './tools/qemu.js';
import { teardown, type TeardownReport } from './teardown.js';
import { OVMF_CODE, OVMF_VARS, qemuArgs, SEABIOS } from './vm.js';

/** Where a rehearsal keeps its files: beside the lab's state, never mixed into it. */
export interface RehearsalPaths {
  root: string;
  ledger: string;
  /** The rehearsal's own lab state (its collector token and database): demo events stay out of the real one. */
  labState: string;
  token: string;
  logs: string;
  vms: string;
  socket: string;
  /** The demo APIs' config (0600) and control socket. */
  demoApis: string;
  demoApisSocket: string;
}

export function rehearsalPaths(state: StatePaths): RehearsalPaths {
  const root = join(state.root, 'rehearsal');
  const labState = join(root, 'state');
  return { root, ledger: join(root, 'rehearsal.json'), labState, token: join(labState, 'secrets', 'collector-token'), logs: join(root, 'logs'), vms: join(root, 'vms'), socket: join(root, 'dashboard.sock'), demoApis: join(root, 'demo-apis.json'), demoApisSocket: join(root, 'demo-apis.sock') };
}

export interface PhaseResult {
  number: number;
  title: string;
  /** Every host reached its goal and the collector's phase is done. */
  ok: boolean;
  /** Host, stage reached, the goal, and the stages it passed (with the collector's times), per host of the phase. */
  hosts: { name: string; stage: StageId; goal: StageId; timeline: { stage: StageId; at: string }[] }[];
  /** The phase's own checks in the collector (Argo CD healthy, its applications). */
  checks?: { title: string; met: boolean }[];
  wallMs: number;
  /** Peak resident memory of the rehearsal's processes while the phase ran. */
  peakRssMb: number;
  failure?: { host: string; stage: StageId; reason: string; remedy: string };
}

export interface RehearsalOptions {
  lab: Lab;
  labFile: string;
  paths: RehearsalPaths;
  phases: number[];
  cacheDir: string;
  keep: boolean;
  /** Seconds a phase may take before it counts as failed. */
  phaseTimeoutS: number;
  log(text: string): void;
  /** Resolves when the operator asks to stop (Ctrl-C, SIGTERM). */
  stopRequested: Promise<void>;
  /** `--mac HOST=MAC`: the MAC a host's machine really has, when the lab's is wrong. */
  machineMacs?: Record<string, string>;
}

export interface RehearsalResult {
  results: PhaseResult[];
  dashboard: string;
  teardown?: TeardownReport;
  interrupted: boolean;
}

/**
 * What each host must reach for its phase to count: the end of its path, as the collector has it
 * (a Talos or Harvester node: healthy, from the join watchers asking the demo APIs; the gateway:
 * booted). The phase itself must be done in the collector too (its checks: Argo CD healthy, its applications).
 */
export function demoGoal(vm: Pick<VmPlan, 'role' | 'boot'>): StageId {
  if (vm.role === 'switch') return 'booted';
  return hostPath({ role: vm.role, boot: vm.boot }).at(-1)!;
}
/** The runbook section for a host that stopped short of its goal, by the stage it reached. */
const STALLED_REMEDY: Partial<Record<StageId, string>> = { installing: 'install-slow', rebooting: 'not-back-from-reboot', installed: 'not-joined', joined: 'not-healthy' };
/** How long a host may stay unheard while an unknown MAC PXE boots before its phase fails (the lab's MAC is likely wrong). */
const UNKNOWN_MAC_GRACE_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** builder/bin/builder.js, found upward from this module (src or dist). */
function builderEntry(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'bin', 'builder.js');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('cannot find builder/bin/builder.js to start the collector');
}

async function preflight(paths: RehearsalPaths): Promise<void> {
  const old = await readLedger(paths.ledger);
  if (old) {
    if (isSameProcess(old.owner)) throw new UserError('ERR_REHEARSE_RUNNING', `rehearse: a rehearsal is already running (pid ${old.owner.pid}, ${paths.ledger})`, 'stop it with Ctrl-C, or wait for it to finish');
    throw new UserError('ERR_REHEARSE_UNFINISHED', `rehearse: an earlier rehearsal did not finish its teardown (${paths.ledger})`, 'run `builder rehearse --clean` to remove what it left');
  }
  const probe = `rhprobe${process.pid}`;
  const allowed = await netnsAllowed(probe);
  if (!allowed.ok) throw new UserError('ERR_REHEARSE_NETNS', `rehearse: cannot create network namespaces (${allowed.why})`, 'run the rehearsal as root (it creates namespaces, bridges and taps, and leaves the host\'s own interfaces alone)');
  for (const f of [OVMF_CODE, OVMF_VARS, SEABIOS]) {
    if (!existsSync(f)) throw new UserError('ERR_REHEARSE_TOOLS_MISSING', `rehearse: ${f} is missing`, 'install the firmware: `apt-get install ovmf seabios qemu-system-x86` (or `npm run setup`)');
  }
}

/**
 * The rehearsal's own secrets (created once in state/rehearsal/state, like `builder secrets
 * init`): the collector token the payloads report with, and the Talos bundle its nodes' demo
 * machine configs are rendered from. Never the lab's own secrets.
 */
async function ensureSecrets(o: RehearsalOptions): Promise<{ token: string; lab: LabSecrets; talosConfig(host: string): string; harvester?: DemoHarvesterCluster }> {
  const sp = statePaths(o.labFile, o.paths.labState);
  const plan = planSecrets(secretPaths(sp), existsSync, new Date(), { comment: 'rehearsal' });
  if (plan.create.length > 0) await applySecretsPlan(sp, plan);
  const secrets = await loadSecrets(sp);
  const token = (await readFile(o.paths.token, 'utf8')).trim();
  // The admin credentials the collector's join watchers use, where `builder render` puts them.
  await writeFileAtomic(join(sp.rendered, 'talosconfig'), renderTalosconfig(o.lab, secrets), { mode: 0o600 });
  await writeFileAtomic(join(sp.rendered, 'kubeconfig'), renderKubeconfig(o.lab, secrets), { mode: 0o600 });
  // Argo CD's bootstrap from the demo install manifest: the demo node applies it to the demo Kubernetes API.
  // The CNI first, as the render puts it: Argo CD's pods need it.
  const inline = [...(wantsInlineCilium(o.lab) ? [{ name: 'cilium', contents: DEMO_CILIUM_INSTALL }] : []), ...argocdInlineManifests(o.lab, { text: DEMO_ARGOCD_INSTALL, source: DEMO_ARGOCD_INSTALL_SOURCE })];
  // The demo Harvester cluster's RKE2 credentials, fresh for each rehearsal (demo-apis/harvester.ts).
  const harvester = o.lab.clusters.harvester ? demoHarvesterCluster(o.lab) : undefined;
  return { token, lab: secrets, talosConfig: (host) => renderTalosConfig(o.lab, host, secrets, inline), ...(harvester ? { harvester } : {}) };
}

/** A demo Talos node's events: its hostname and addresses, the words of a failed disk match, unique ids. */
function talosInputs(o: RehearsalOptions, plan: RehearsalPlan, host: string): Omit<TalosPayloadInputs, 'config'> {
  return talosHostInputs(o.lab, host, `demo-${plan.id}-${host}-`);
}

/**
 * The PXE service: the real agent (agent/dist/agent.cjs) with its PXE role, in the namespace at
 * pxe.address, serving the PXE tree `pxe-root.ts` plans. Started once the lab switch holds its tap.
 */
async function startPxeService(o: RehearsalOptions, plan: RehearsalPlan, ledger: Ledger, secrets: Secrets, kernel: DemoKernel): Promise<void> {
  const ns = plan.namespaces.pxe!;
  const bundle = builtAgent().bundle;
  if (!bundle) throw new UserError('ERR_AGENT_NOT_BUILT', 'rehearse: the agent is not built, so the PXE service cannot run', 'run `npm run build` (it writes agent/dist/agent.cjs)');
  const dir = join(o.paths.root, 'pxe');
  const root = join(dir, 'root');
  const harvesterInitrd = o.lab.clusters.harvester ? await buildHarvesterInstaller(kernel) : undefined;
  // The platform's PXE-booted hosts (phase 4) share one demo Talos initramfs with each one's events.
  const talosHosts = plan.vms.filter((v) => v.talos && v.boot === 'pxe').map((v) => talosInputs(o, plan, v.host));
  const talosInitrd = talosHosts.length > 0 ? await buildTalosPxeInitrd(o.lab, kernel, talosHosts, plan.laptop.address) : undefined;
  // What the demo installer writes to its disk and the MS-02 then boots (served at install.iso_url).
  const harvesterImage = secrets.harvester ? await demoHarvesterImage(o.cacheDir, kernel, secrets.harvester, plan.laptop.address, join(dir, 'image')) : undefined;
  await writePxeRoot(root, planPxeRoot(o.lab, secrets.lab, { kernel: kernel.vmlinuz, ...(harvesterInitrd ? { harvesterInitrd } : {}), ...(talosInitrd ? { talosInitrd } : {}), ...(harvesterImage ? { harvesterImage } : {}) }));
  const config = join(dir, 'agent.yaml');
  await rm(join(dir, 'var'), { recursive: true, force: true });
  await writeFileAtomic(config, pxeAgentYaml(o.lab, secrets.token, { root, spool: join(dir, 'var', 'spool'), installedFile: join(dir, 'var', 'pxe-installed.json') }), { mode: 0o600 });
  const agent = spawnInNetns(ns, process.execPath, [bundle, '--config', config], join(o.paths.logs, 'pxe-agent.log'));
  await ledger.addProcess(agent.pid, 'PXE service (the agent, PXE namespace)');
  o.log(`rehearse: PXE service (the agent's DHCP, TFTP and HTTP) at ${plan.pxe!.address} on ${plan.pxe!.network}, namespace ${ns}: the demo gateway does not run the agent (its stick carries no agent executable here), so the agent runs beside it at its PXE address\n`);
}

async function applyNetwork(plan: RehearsalPlan, ledger: Ledger): Promise<void> {
  for (const step of networkSteps(plan)) {
    // Recorded before it exists: a crash between the two still leaves it in the record.
    if (step.creates) await ledger.addNamespace(step.creates);
    await ip(step.args);
  }
}

async function startCollector(o: RehearsalOptions, plan: RehearsalPlan, ledger: Ledger, token: string): Promise<{ url: string; close(): Promise<void> }> {
  const lt = plan.namespaces.laptop;
  // --bootstrap: the collector calls Talos's Bootstrap once cp-1's etcd waits for it, as the operator would have it.
  const collector = spawnInNetns(lt, process.execPath, [builderEntry(), 'collect', '--lab', resolve(o.labFile), '--state', o.paths.labState, '--listen', `0.0.0.0:${plan.collectorPort}`, '--bootstrap', '--demo'], join(o.paths.logs, 'collector.log'));
  await ledger.addProcess(collector.pid, 'collector (laptop namespace)');
  await removeSocket(o.paths.socket);
  const fwd = spawnInNetns(lt, process.execPath, ['-e', FORWARDER, o.paths.socket, String(plan.collectorPort)], join(o.paths.logs, 'forwarder.log'));
  await ledger.addProcess(fwd.pid, 'dashboard forwarder (laptop namespace)');
  const dash = await openDashboard(o.paths.socket, plan.collectorPort);
  for (let i = 0; i < 300; i++) {
    if (await fetchStatus(dash.url, token, 1000)) return dash;
    if (!isSameProcess(ledger.data.processes[0]!)) break;
    await sleep(100);
  }
  await dash.close();
  const logText = await readFile(join(o.paths.logs, 'collector.log'), 'utf8').catch(() => '');
  throw new UserError('ERR_REHEARSE_COLLECTOR', `rehearse: the collector in the laptop namespace did not answer:\n${logText.trim().split('\n').slice(-6).join('\n')}`, `see ${join(o.paths.logs, 'collector.log')}`);
}

const DEMO_APIS_PROCESS = 'demo APIs (laptop namespace)';

/** The demo APIs beside the collector in the laptop namespace, on the laptop's address. */
async function startDemoApis(o: RehearsalOptions, plan: RehearsalPlan, ledger: Ledger, secrets: Secrets): Promise<void> {
  await writeDemoApisConfig(o.paths.demoApis, planDemoApis(o.lab, secrets.lab, { listen: plan.laptop.address, control: o.paths.demoApisSocket, ...(secrets.harvester ? { harvester: secrets.harvester } : {}) }));
  const p = spawnInNetns(plan.namespaces.laptop, process.execPath, [demoApisEntry(builderEntry()), o.paths.demoApis], join(o.paths.logs, 'demo-apis.log'));
  await ledger.addProcess(p.pid, DEMO_APIS_PROCESS);
}

async function bootVm(o: RehearsalOptions, plan: RehearsalPlan, vm: VmPlan, kernel: DemoKernel, secrets: Secrets, ledger: Ledger): Promise<void> {
  const dir = join(o.paths.vms, vm.host);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const pxe = vm.boot === 'pxe';
  const initrd = join(dir, 'payload.cpio');
  // The payload carries the rehearsal's collector token: 0600, like every secret.
  const host = o.lab.hosts.find((h) => h.name === vm.host);
  const talos = vm.talos && host ? { config: secrets.talosConfig(vm.host), ...talosInputs(o, plan, vm.host), demoApis: plan.laptop.address } : undefined;
  // The UM760 boots the stick make-usb builds from the demo Talos base and the rehearsal's config.
  const usbStick = talos && vm.boot === 'usb' && host?.model && (TARGETS as readonly string[]).includes(host.model) ? await buildStick(o, vm, host.model, talos.config, dir) : undefined;
  // The payload carries the rehearsal's collector token (and a demo Talos config): 0600.
  // A PXE host has none: its firmware boots what the PXE service serves.
  // The gateway boots the stick make-usb builds from the demo VyOS base: its init applies the config.boot on it.
  const stick = vm.role === 'gateway' ? await rehearsalGatewayStick({ lab: o.lab, secrets: secrets.lab, cacheDir: o.cacheDir, dir, log: o.log }) : undefined;
  if (!pxe && !usbStick && !stick) await writeFileAtomic(initrd, await buildPayload(o.lab, plan, vm, kernel, secrets.token, talos), { mode: 0o600 });
  let diskFile: string | undefined;
  if (vm.disk) {
    diskFile = join(dir, 'disk.raw');
    // Sparse: the demo never writes it, so it costs no space whatever its size.
    const fh = await openFile(diskFile, 'w', 0o600);
    await fh.truncate(vm.disk.bytes);
    await fh.close();
  }
  const varsFile = join(dir, 'OVMF_VARS.fd');
  if (vm.firmware === 'uefi') await copyFile(OVMF_VARS, varsFile);
  const serialLog = join(o.paths.logs, `${vm.host}.console.log`);
  const direct = { kernel: kernel.vmlinuz, initrd, cmdline: `console=ttyS0 panic=-1 quiet lab.demo=1 lab.host=${vm.host}` };
  const args = qemuArgs(vm, { varsFile, serialLog, ...(pxe ? {} : usbStick ? { usbStick } : stick ? { virtioStick: stick } : direct), ...(diskFile ? { diskFile } : {}) });
  const q = startQemu(plan.namespaces.lab, args, join(o.paths.logs, `${vm.host}.qemu.log`));
  await ledger.addProcess(q.pid, `VM ${vm.host} (QEMU)`);
  const steps = tapSteps(plan, vm);
  if (steps.length > 0) {
    // QEMU attaches to its taps as it starts; move them only once it holds them.
    for (let i = 0; i < 100 && !(await holdsTaps(q.pid)); i++) await sleep(50);
    for (const step of steps) await ip(step.args);
  }
}

/**
 * The host's stick, built by make-usb's own code from the demo Talos base (always: the real Talos
 * cannot run here) and the rehearsal's rendered config for the host (its own secrets), 0600.
 */
async function buildStick(o: RehearsalOptions, vm: VmPlan, model: string, config: string, dir: string): Promise<string> {
  const configFile = join(dir, 'config.yaml');
  await writeFileAtomic(configFile, config, { mode: 0o600 });
  const out = join(dir, `${vm.host}-${model}-demo.iso`);
  const started = Date.now();
  const r = await makeUsb({ target: model, lab: o.labFile, state: o.paths.labState, config: configFile, out, demoBase: 'always', demoCache: o.cacheDir, cwd: process.cwd(), env: process.env, log: () => undefined });
  o.log(`  make-usb: ${vm.host}'s stick ${out} from the DEMO base ${r.demoBase?.path ?? ''} (config sha256 ${r.plan.configSha256.slice(0, 12)}, ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  return out;
}

/** Whether a process has /dev/net/tun open (QEMU attached to its tap). */
async function holdsTaps(pid: number): Promise<boolean> {
  const { readdir, readlink } = await import('node:fs/promises');
  try {
    for (const fd of await readdir(`/proc/${pid}/fd`)) if ((await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')) === '/dev/net/tun') return true;
  } catch {
    return false;
  }
  return false;
}

async function consoleTail(o: RehearsalOptions, host: string): Promise<string> {
  const text = await readFile(join(o.paths.logs, `${host}.console.log`), 'utf8').catch(() => '');
  return text.replace(/\r/g, '').trim().split('\n').slice(-5).join('\n    ');
}

type Secrets = Awaited<ReturnType<typeof ensureSecrets>>;

async function runPhase(o: RehearsalOptions, plan: RehearsalPlan, n: number, dash: string, secrets: Secrets, ledger: Ledger, kernel: DemoKernel): Promise<PhaseResult> {
  const token = secrets.token;
  const started = Date.now();
  const vms = plan.vms.filter((v) => v.phaseNumber === n);
  for (const vm of vms) {
    o.log(`  booting ${vm.host} (${vm.firmware === 'uefi' ? 'OVMF' : 'SeaBIOS'}, ${vm.memoryMb} MiB, NICs ${vm.nics.map((x) => `${x.mac} to ${x.peer}`).join(', ')}${vm.demoMacs ? '; demo MACs: the lab lists none' : ''})\n`);
    await bootVm(o, plan, vm, kernel, secrets, ledger);
  }
  let peak = 0;
  let status: GenesisStatus | undefined;
  const unknownSince = new Map<string, number>();
  const deadline = started + o.phaseTimeoutS * 1000;
  const reached = () =>
    vms.map((vm) => {
      const hs = status?.hosts.find((h) => h.name === vm.host);
      return { name: vm.host, stage: (hs?.stage ?? 'expected') as StageId, goal: demoGoal(vm), timeline: (hs?.steps ?? []).map((st) => ({ stage: st.stage, at: st.at })) };
    });
  const title = status?.phases[n - 1]?.title ?? `phase ${n}`;
  for (;;) {
    peak = Math.max(peak, memoryOf(ledger.data.processes));
    status = (await fetchStatus(dash, token, 2000)) ?? status;
    const hosts = reached();
    const phase = status?.phases[n - 1];
    const base = { number: n, title: phase?.title ?? title, hosts, peakRssMb: Math.round(peak), ...(phase ? { checks: phase.checks.map((c) => ({ title: c.title, met: c.met })) } : {}) };
    // The collector's phase must be done too.
    if (phase?.state === 'done' && hosts.every((h) => h.stage !== 'failed' && stageRank(h.stage) >= stageRank(h.goal))) return { ...base, ok: true, wallMs: Date.now() - started };
    const broken = hosts.find((h) => h.stage === 'failed');
    if (broken) {
      const hs = status?.hosts.find((x) => x.name === broken.name);
      // The stage it failed in: the last one it reached before failing.
      const last = [...(hs?.steps ?? [])].reverse().find((st) => st.stage !== 'failed')?.stage ?? 'expected';
      return { ...base, ok: false, wallMs: Date.now() - started, failure: { host: broken.name, stage: last, reason: hs?.problem?.reason ?? 'it reported a failure', remedy: hs?.problem?.remedy ?? 'host-failed' } };
    }
    const unheard = unknownMacFailure(o.lab, status, hosts, vms, started, unknownSince);
    if (unheard) return { ...base, ok: false, wallMs: Date.now() - started, failure: unheard };
    const dead = vms.find((vm) => {
      const p = ledger.data.processes.find((x) => x.what === `VM ${vm.host} (QEMU)`);
      return p !== undefined && !isSameProcess(p);
    });
    const apis = ledger.data.processes.find((x) => x.what === DEMO_APIS_PROCESS);
    if (apis && !isSameProcess(apis)) {
      const tail = (await readFile(join(o.paths.logs, 'demo-apis.log.err'), 'utf8').catch(() => '')).trim().split('\n').slice(-3).join('\n    ');
      return { ...base, ok: false, wallMs: Date.now() - started, failure: { host: o.lab.clusters.platform?.hosts[0] ?? '', stage: hosts[0]?.stage ?? 'expected', reason: `the demo APIs stopped (${join(o.paths.logs, 'demo-apis.log.err')}):\n    ${tail}`, remedy: 'not-joined' } };
    }
    const stopped = await Promise.race([o.stopRequested.then(() => true), sleep(500).then(() => false)]);
    if (dead || Date.now() > deadline || stopped) {
      const behind = hosts.find((x) => stageRank(x.stage) < stageRank(x.goal));
      const check = phase?.checks.find((c) => !c.met);
      if (!behind && check && !dead && !stopped) {
        // Every host is there but a check of the phase is not: say which, against the host the cluster reports on.
        const host = o.lab.clusters.platform?.hosts[0] ?? hosts[0]?.name ?? '';
        const stage = (status?.hosts.find((x) => x.name === host)?.stage ?? 'expected') as StageId;
        return { ...base, ok: false, wallMs: Date.now() - started, failure: { host, stage, reason: `${check.title}: not after ${o.phaseTimeoutS} s (${check.seen ?? 'not reported'}); see ${join(o.paths.logs, 'demo-apis.log')}`, remedy: check.remedy } };
      }
      const h = behind ?? hosts[0];
      const problem = h ? status?.hosts.find((x) => x.name === h.name)?.problem : undefined;
      const unmet = h ? status?.hosts.find((x) => x.name === h.name)?.unmet : undefined;
      const why = stopped ? 'the rehearsal was interrupted' : dead ? `its VM stopped; console:\n    ${await consoleTail(o, dead.host)}` : `not ${h?.goal ?? 'done'} after ${o.phaseTimeoutS} s${unmet ? ` (Talos: ${unmet.map((u) => `${u.name}: ${u.reason}`).join('; ')})` : ''}; console:\n    ${h ? await consoleTail(o, h.name) : ''}`;
      return { ...base, ok: false, wallMs: Date.now() - started, failure: { host: h?.name ?? '', stage: h?.stage ?? 'expected', reason: problem?.reason ?? why, remedy: problem?.remedy ?? STALLED_REMEDY[h?.stage ?? 'expected'] ?? 'no-boot' } };
    }
  }
}

/**
 * A PXE host of the phase never heard from while a MAC the lab does not know PXE boots: the
 * lab's MAC for it is likely wrong (the agent answers no DHCP for an unknown MAC). Reported once
 * the unknown MAC has been seen for UNKNOWN_MAC_GRACE_MS, naming both MACs.
 */
function unknownMacFailure(lab: Lab, status: GenesisStatus | undefined, hosts: { name: string; stage: StageId }[], vms: VmPlan[], started: number, since: Map<string, number>): PhaseResult['failure'] {
  for (const u of status?.unknownMacs ?? []) if (Date.parse(u.lastSeen) >= started - 1000 && !since.has(u.mac)) since.set(u.mac, Date.now());
  const first = Math.min(...since.values());
  if (since.size === 0 || Date.now() - first < UNKNOWN_MAC_GRACE_MS) return undefined;
  const silent = hosts.find((h) => h.stage === 'expected' && vms.find((v) => v.host === h.name)?.boot === 'pxe');
  if (!silent) return undefined;
  const labMac = lab.hosts.find((h) => h.name === silent.name)?.nics[0]?.mac;
  return { host: silent.name, stage: 'expected', reason: `no DHCP or PXE request from its MAC${labMac ? ` ${labMac}` : ''} reached the PXE service, while unknown MAC ${[...since.keys()].join(', ')} asked for a network boot: the lab's MAC for ${silent.name} is likely wrong`, remedy: 'unknown-mac' };
}

/** The whole rehearsal: networks, collector, the VMs phase by phase, then teardown. */
export async function rehearse(o: RehearsalOptions): Promise<RehearsalResult> {
  // Every later phase reaches the collector through phase 1's gateway (it routes the VLANs).
  if (!o.phases.includes(1)) throw new UsageError('ERR_REHEARSE_PHASE_UNSUPPORTED', `rehearse: phase ${o.phases.join(', ')} needs phase 1: its gateway routes the lab's VLANs to the collector`, `run \`builder rehearse --demo --phases 1,${o.phases.join(',')}\``);
  await mkdir(o.paths.root, { recursive: true, mode: 0o700 });
  await preflight(o.paths);
  const id = `rh${randomBytes(2).toString('hex')}`;
  const plan = planRehearsal(o.lab, { id, phases: o.phases, ...(o.machineMacs ? { machineMacs: o.machineMacs } : {}) });
  await mkdir(o.paths.logs, { recursive: true, mode: 0o700 });
  const ledger = await Ledger.create(o.paths.ledger, id);
  // Each rehearsal is a fresh Genesis: the previous rehearsal's events would count as progress.
  await rm(join(o.paths.labState, 'collector'), { recursive: true, force: true });
  let dash: { url: string; close(): Promise<void> } | undefined;
  const results: PhaseResult[] = [];
  let interrupted = false;
  let report: TeardownReport | undefined;
  o.stopRequested.then(() => (interrupted = true), () => undefined);
  try {
    o.log(`rehearse: demo rehearsal ${id} of ${o.labFile}: namespaces ${Object.values(plan.namespaces).join(', ')} (state file ${o.paths.ledger})\n`);
    await applyNetwork(plan, ledger);
    o.log(`rehearse: lab switch with ${plan.switchPorts.length} ports (VLANs ${plan.vlans.join(', ')}), laptop ${plan.laptop.address} on ${plan.laptop.network}${plan.uplink ? `, upstream router ${plan.uplink.address} (routes to nowhere)` : ''}\n`);
    const secrets = await ensureSecrets(o);
    const token = secrets.token;
    dash = await startCollector(o, plan, ledger, token);
    o.log(`rehearse: collector running in the laptop namespace; dashboard at ${dash.url}/\n`);
    const kernel = await ensureDemoKernel(o.cacheDir);
    for (const vm of plan.vms.filter((v) => v.phaseNumber === 0)) {
      o.log(`rehearse: booting ${vm.host} (demo: ${vm.nics.length} ports, VLANs ${plan.vlans.join(', ')})\n`);
      await bootVm(o, plan, vm, kernel, secrets, ledger);
    }
    if (plan.pxe) await startPxeService(o, plan, ledger, secrets, kernel);
    // After the switch: the laptop's address exists once its tap is in the laptop namespace.
    await startDemoApis(o, plan, ledger, secrets);
    o.log(`rehearse: demo APIs (apid, Kubernetes, Argo CD) beside the collector on ${plan.laptop.address}; the demo nodes relay their ports to them\n`);
    for (const n of o.phases) {
      if (interrupted) break;
      o.log(`rehearse: phase ${n}\n`);
      const r = await runPhase(o, plan, n, dash.url, secrets, ledger, kernel);
      results.push(r);
      o.log(formatPhase(r));
      if (!r.ok) break;
    }
    if (o.keep && !interrupted && results.every((r) => r.ok)) {
      o.log(`rehearse: --keep: the lab stays up; dashboard at ${dash.url}/ — Ctrl-C tears it down\n`);
      await o.stopRequested;
    }
  } finally {
    await dash?.close();
    o.log('rehearse: tearing down\n');
    report = await teardown(ledger);
    await removeSocket(o.paths.socket);
    o.log(`rehearse: removed ${report.namespaces.length} namespaces and stopped ${report.stopped.length} processes${report.problems.length ? `; left: ${report.problems.join('; ')} (run \`builder rehearse --clean\`)` : ''}\n`);
  }
  return { results, dashboard: dash?.url ?? '', teardown: report, interrupted };
}

export function formatPhase(r: PhaseResult): string {
  const lines = [`rehearse: phase ${r.number} (${r.title}): ${r.ok ? 'done' : 'FAILED'} in ${(r.wallMs / 1000).toFixed(1)} s, peak memory ${r.peakRssMb} MiB`];
  for (const h of r.hosts) lines.push(`  ${h.name}: ${h.stage}${h.stage === h.goal ? '' : ` (needs ${h.goal})`}${h.timeline.length > 1 ? ` — ${h.timeline.map((t) => t.stage).join(' → ')}` : ''}`);
  for (const c of r.checks ?? []) lines.push(`  ${c.met ? 'met' : 'not met'}: ${c.title}`);
  if (r.failure) lines.push(`  failed at ${r.failure.host}, stage ${r.failure.stage}: ${r.failure.reason}`, `  remedy: runbook section #${r.failure.remedy} (\`builder runbook\`, then open runbook.html#${r.failure.remedy})`);
  return `${lines.join('\n')}\n`;
}

/** `builder rehearse --clean`: finishes the teardown an interrupted rehearsal left. */
export async function cleanRehearsal(paths: RehearsalPaths): Promise<TeardownReport | undefined> {
  const data = await readLedger(paths.ledger);
  if (!data) return undefined;
  if (isSameProcess(data.owner)) throw new UserError('ERR_REHEARSE_RUNNING', `rehearse: the rehearsal is still running (pid ${data.owner.pid})`, 'stop it with Ctrl-C; it tears itself down');
  const report = await teardown(Ledger.open(paths.ledger, data));
  await removeSocket(paths.socket);
  return report;
}
