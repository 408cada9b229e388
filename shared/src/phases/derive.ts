import { classifyEvent, type ModelEvent } from './classify.js';
import { compareDeclared, mismatchReason, type Mismatch, type ObservedHost } from './declared.js';
import type { GenesisPlan } from './plan.js';
import type { PhaseCheckDef, PhaseId } from './phases.js';
import { CHECK_KINDS, remedyTitle, type RemedyId } from '../catalogue/index.js';
import { SILENT_AFTER_MINUTES, stallReason, stallRuleFor, typicalMinutes } from './stalls.js';
import { stageDef, stageRank, type StageId } from './stages.js';

export interface StageStep {
  stage: StageId;
  /** Collector receive time of the first event proving it (in the current attempt). */
  at: string;
  kind: string;
  source: string;
}

export type ProblemKind = 'failed' | 'mismatch' | 'stalled' | 'check-stalled' | 'kernel-error' | 'unknown-mac';

export interface Problem {
  kind: ProblemKind;
  host?: string;
  phase?: PhaseId;
  /** The reason in words, naming the host: "ms02-2: no DHCP request seen for 10 min". */
  reason: string;
  /** Stall rule or check id. */
  rule?: string;
  /** Runbook section id: `runbook.html#<remedy>`. */
  remedy: RemedyId;
  remedyTitle: string;
  since: string;
}

export interface HostStatus {
  name: string;
  role: string;
  phase: PhaseId;
  path: StageId[];
  stage: StageId;
  stageTitle: string;
  /** When the host entered its current stage (for `expected`: when its phase started, if it has). */
  since?: string;
  lastSeen?: string;
  lastKind?: string;
  /** Reached the end of its path, and what the clusters report matches the lab. */
  done: boolean;
  /** Why the host is not further, in Talos's words (MachineStatus unmet conditions), when it says. */
  unmet?: { name: string; reason: string }[];
  /** Minutes left, from typical stage durations (absent when done, failed or not started). */
  etaMinutes?: number;
  /** Failures seen before the current attempt (kept for the timeline; a retry does not erase them). */
  failures: { at: string; reason: string }[];
  /** Observed facts: node name, addresses, roles, install disk, as the clusters report them. */
  observed?: ObservedHost;
  mismatches: Mismatch[];
  /** Kernel log lines at error level or worse (count and the latest). */
  kernelErrors?: { count: number; last: string; at: string };
  /** etcd on this node waits for Talos's Bootstrap call (`builder bootstrap`). */
  waitingBootstrap?: boolean;
  /** Not done, has reported before, and quiet for SILENT_AFTER_MINUTES: its stage is the last known one. */
  silent: boolean;
  steps: StageStep[];
  problem?: Problem;
}

export interface CheckStatus {
  id: string;
  title: string;
  met: boolean;
  at?: string;
  /** Latest value seen, in words, when not met (for example "Progressing / OutOfSync"). */
  seen?: string;
  remedy: RemedyId;
}

export type PhaseState = 'pending' | 'active' | 'done' | 'failed';

export interface PhaseStatus {
  id: PhaseId;
  number: number;
  title: string;
  state: PhaseState;
  startedAt?: string;
  doneAt?: string;
  hosts: { name: string; stage: StageId; done: boolean }[];
  checks: CheckStatus[];
  /** What keeps the phase from being done, in words. */
  blockers: string[];
  progress: { done: number; total: number };
}

export interface UnknownMac {
  mac: string;
  lastSeen: string;
  events: number;
}

export interface GenesisStatus {
  generatedAt: string;
  startedAt: string;
  phases: PhaseStatus[];
  /** Problems first (failed, stalled), then by phase, least progressed first. */
  hosts: HostStatus[];
  problems: Problem[];
  unknownMacs: UnknownMac[];
  /**
   * Set when the collector serves a rehearsal with demo stand-ins (`builder rehearse --demo`):
   * what the views show in place of a real bring-up's title, so nothing passes for the real thing.
   */
  demo?: string;
}

export interface DeriveOptions {
  /** When the bring-up began (phase 1's clock). */
  startedAt: string;
  now: string;
  /** Threshold overrides in minutes, by stall rule id or check id. */
  thresholds?: Record<string, number>;
}

const ms = (t: string) => Date.parse(t);
const minutesBetween = (from: string, to: string) => (ms(to) - ms(from)) / 60_000;

interface HostTrack {
  /** Stage-proving events, first of each stage (a failure does not erase them). */
  steps: StageStep[];
  /** The current failure: set by a failing event, cleared by progress after it. */
  failure?: { at: string; reason: string; kind: string; remedy: RemedyId };
  pastFailures: { at: string; reason: string }[];
  lastSeen?: string;
  lastKind?: string;
  unmet?: { name: string; reason: string }[];
  nodeReady?: boolean;
  servicesHealthy?: boolean;
  observed: ObservedHost;
  kernelErrors?: { count: number; last: string; at: string };
  etcdWaiting?: boolean;
  /** Set when a host that reached Healthy stops being so (its node out of Ready, a service unhealthy). */
  degraded?: { at: string; kind: string };
}

const newTrack = (): HostTrack => ({ steps: [], pastFailures: [], observed: {} });

/** syslog priority 3 (err) or worse; Talos's kmsg JSON carries `priority` as a number or name. */
const ERROR_PRIORITIES = new Set(['0', '1', '2', '3', 'emerg', 'alert', 'crit', 'err', 'error']);

function asStrings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * What the status is computed from, folded from events: bounded by hosts × stages, so a
 * collector that keeps it in memory stays flat however many events arrive.
 */
export interface GenesisFacts {
  hosts: Map<string, HostTrack>;
  /** Latest phase-check event per kind and application. */
  checks: Map<string, ModelEvent>;
  unknownMacs: Map<string, UnknownMac>;
}


function checkKey(kind: string, attrs: Record<string, unknown>): string {
  const app = typeof attrs.app === 'string' ? attrs.app : typeof attrs.name === 'string' ? attrs.name : '';
  return kind === 'join.argocd-app' ? `${kind}:${app}` : kind;
}

/** Folds events (in store order) into facts. */
export class FactFolder {
  readonly facts: GenesisFacts = { hosts: new Map(), checks: new Map(), unknownMacs: new Map() };
  private readonly byMac = new Map<string, string>();

  constructor(plan: GenesisPlan) {
    for (const h of plan.hosts) {
      this.facts.hosts.set(h.name, newTrack());
      for (const m of h.macs) this.byMac.set(m, h.name);
    }
  }

  add(e: ModelEvent): void {
    const hostName = e.host ?? (e.mac ? this.byMac.get(e.mac) : undefined);
    if (CHECK_KINDS.has(e.kind)) this.facts.checks.set(checkKey(e.kind, e.attrs), e);
    const t = hostName === undefined ? undefined : this.facts.hosts.get(hostName);
    if (!t) {
      // Bounded: a flood of random MACs must not grow the collector's memory without limit.
      if (e.mac && hostName === undefined && (this.facts.unknownMacs.has(e.mac) || this.facts.unknownMacs.size < 256)) {
        const u = this.facts.unknownMacs.get(e.mac) ?? { mac: e.mac, lastSeen: e.received, events: 0 };
        u.lastSeen = e.received;
        u.events += 1;
        this.facts.unknownMacs.set(e.mac, u);
      }
      return;
    }
    t.lastSeen = e.received;
    t.lastKind = e.kind;
    this.observe(t, e);
    const c = classifyEvent(e);
    if (c) this.apply(t, e, c.stage, c.reason, c.remedy);
    // Healthy for a Talos node: its Kubernetes node Ready and every service healthy on its Talos API.
    if (t.nodeReady && t.servicesHealthy && (e.kind === 'join.node-ready' || e.kind === 'join.talos-services')) this.apply(t, e, 'healthy');
    // Healthy is a state, not a milestone: a node that drops out of Ready (or a Talos service that
    // turns unhealthy) afterwards is back to Joined until the watchers see it healthy again.
    const dropped = e.kind === 'join.node-not-ready' || e.kind === 'join.harvester-not-ready' || (e.kind === 'join.talos-services' && t.servicesHealthy === false);
    if (dropped && !t.degraded && t.steps.some((s) => s.stage === 'healthy')) t.degraded = { at: e.received, kind: e.kind };
  }

  private apply(t: HostTrack, e: ModelEvent, stage: StageId, reason?: string, remedy?: RemedyId): void {
    if (stage === 'failed') {
      const harvesterRebootFailed = e.source === 'harvester' && e.kind === 'install.failed' && t.steps.some((s) => s.stage === 'rebooting' && s.source === 'harvester');
      t.failure = harvesterRebootFailed
        ? { at: e.received, reason: 'Harvester wrote its disk (SUCCEEDED) but its reboot step failed (FAILED after SUCCEEDED)', kind: e.kind, remedy: 'harvester-reboot-failed' }
        : { at: e.received, reason: reason ?? 'failed', kind: e.kind, remedy: remedy ?? 'host-failed' };
      return;
    }
    if (t.failure) {
      // Progress after a failure is a retry: the failure moves to the history, the timeline keeps it.
      t.pastFailures.push({ at: t.failure.at, reason: t.failure.reason });
      if (t.pastFailures.length > 20) t.pastFailures.shift();
      t.failure = undefined;
    }
    if (stage === 'healthy') t.degraded = undefined;
    if (!t.steps.some((s) => s.stage === stage)) t.steps.push({ stage, at: e.received, kind: e.kind, source: e.source });
  }

  /** Facts that are not stages: unmet conditions, readiness flags, observed node and disk, kernel errors. */
  private observe(t: HostTrack, e: ModelEvent): void {
    const a = e.attrs;
    switch (e.kind) {
      case 'talos.stage': {
        const unmet = Array.isArray(a.unmet) ? (a.unmet as { name?: unknown; reason?: unknown }[]).map((u) => ({ name: String(u.name ?? ''), reason: String(u.reason ?? '') })) : [];
        t.unmet = a.ready === true || unmet.length === 0 ? undefined : unmet;
        return;
      }
      case 'join.node-ready':
      case 'join.node-not-ready':
      case 'join.harvester-ready':
      case 'join.harvester-not-ready':
        t.nodeReady = e.kind.endsWith('-ready') && !e.kind.endsWith('not-ready');
        t.observed.node = { name: typeof a.node === 'string' ? a.node : '', addresses: asStrings(a.addresses), roles: asStrings(a.roles) };
        return;
      case 'join.talos-services': {
        const services = Array.isArray(a.services) ? (a.services as { healthy?: unknown; healthUnknown?: unknown; state?: unknown }[]) : [];
        t.servicesHealthy = services.length > 0 && services.every((x) => x.healthy === true || (x.healthUnknown === true && (x.state === 'Running' || x.state === 'Finished')));
        return;
      }
      case 'join.etcd-waiting-bootstrap':
      case 'join.etcd':
        t.etcdWaiting = e.kind === 'join.etcd-waiting-bootstrap';
        return;
      case 'join.bootstrap':
        if (a.ok === true) t.etcdWaiting = false;
        return;
      case 'join.install-disk':
        t.observed.disk = { device: String(a.device ?? ''), size: Number(a.size ?? 0), model: String(a.model ?? ''), serial: String(a.serial ?? ''), type: String(a.type ?? '') };
        return;
      case 'boot': {
        const macs = asStrings(a.macs);
        if (macs.length > 0) t.observed.macs = macs;
        // The agent's boot facts (agent/src/roles/host/facts.ts), for the page's host facts.
        const machine = {
          ...(typeof a.vendor === 'string' && a.vendor !== '' ? { vendor: a.vendor.slice(0, 100) } : {}),
          ...(typeof a.product === 'string' && a.product !== '' ? { product: a.product.slice(0, 100) } : {}),
          ...(typeof a.cpus === 'number' && Number.isInteger(a.cpus) && a.cpus > 0 ? { cpus: a.cpus } : {}),
          ...(typeof a.memoryBytes === 'number' && Number.isFinite(a.memoryBytes) && a.memoryBytes > 0 ? { memoryBytes: a.memoryBytes } : {}),
        };
        if (Object.keys(machine).length > 0) t.observed.machine = machine;
        return;
      }
      default:
        if (e.source === 'kmsg' && ERROR_PRIORITIES.has(String(a.priority ?? a['talos-level'] ?? '').toLowerCase())) {
          const msg = typeof a.msg === 'string' ? a.msg.slice(0, 300) : '';
          t.kernelErrors = { count: (t.kernelErrors?.count ?? 0) + 1, last: msg, at: e.received };
        }
    }
  }
}

function currentStage(t: HostTrack): { stage: StageId; since?: string } {
  if (t.failure) return { stage: 'failed', since: t.failure.at };
  let best: StageStep | undefined;
  for (const s of t.steps) if (!best || stageRank(s.stage) > stageRank(best.stage)) best = s;
  if (best?.stage === 'healthy' && t.degraded) return { stage: 'joined', since: t.degraded.at };
  return best ? { stage: best.stage, since: best.at } : { stage: 'expected' };
}

function nextOnPath(path: StageId[], stage: StageId): StageId | undefined {
  const rank = stageRank(stage);
  return path.find((s) => stageRank(s) > rank);
}

function matches(check: PhaseCheckDef, e: ModelEvent): boolean {
  if (e.kind !== check.kind) return false;
  return Object.entries(check.match).every(([k, v]) => e.attrs[k] === v || (k === 'app' && e.attrs.name === v));
}

/**
 * The Genesis status of a lab from its events (in store order). Pure: the same plan, events and
 * `now` always give the same status.
 */
export function deriveStatus(plan: GenesisPlan, events: readonly ModelEvent[], options: DeriveOptions): GenesisStatus {
  const folder = new FactFolder(plan);
  for (const e of events) folder.add(e);
  return statusFromFacts(plan, folder.facts, options);
}

/** The status from folded facts at time `options.now`. Pure. */
export function statusFromFacts(plan: GenesisPlan, facts: GenesisFacts, options: DeriveOptions): GenesisStatus {
  const { now, startedAt } = options;
  const thresholds = options.thresholds ?? {};
  const tracks = facts.hosts;
  const lastSeen = new Map<string, { received: string; kind: string }>();
  for (const [name, t] of tracks) if (t.lastSeen && t.lastKind) lastSeen.set(name, { received: t.lastSeen, kind: t.lastKind });

  const problems: Problem[] = [];
  const planHosts = new Map(plan.hosts.map((h) => [h.name, h]));
  const hostStatus = new Map<string, HostStatus>();
  const phases: PhaseStatus[] = [];
  let phaseStart: string | undefined = startedAt;

  for (const p of plan.phases) {
    const phaseHosts: HostStatus[] = [];
    for (const name of p.hosts) {
      const t = tracks.get(name) ?? newTrack();
      const planHost = planHosts.get(name)!;
      const seen = lastSeen.get(name);
      const { stage, since } = currentStage(t);
      const last = planHost.path[planHost.path.length - 1] ?? 'healthy';
      const mismatches = compareDeclared(planHost, t.observed);
      const done = stage !== 'failed' && stageRank(stage) >= stageRank(last) && mismatches.length === 0;
      const stageSince = stage === 'expected' ? phaseStart : since;
      const silent = !done && stage !== 'expected' && seen !== undefined && minutesBetween(seen.received, now) >= SILENT_AFTER_MINUTES;
      const hs: HostStatus = {
        name,
        role: planHost.role,
        phase: p.id,
        path: planHost.path,
        stage,
        stageTitle: stageDef(stage).title,
        done,
        silent,
        steps: t.steps,
        failures: t.pastFailures,
        mismatches,
      };
      if (t.observed.node || t.observed.disk || t.observed.macs || t.observed.machine) hs.observed = t.observed;
      if (t.unmet && !done && stage !== 'failed') hs.unmet = t.unmet;
      if (t.kernelErrors) hs.kernelErrors = t.kernelErrors;
      if (t.etcdWaiting) hs.waitingBootstrap = true;
      if (stageSince && !done && stage !== 'failed' && stage !== 'expected') {
        const left = typicalMinutes(planHost.path, stage, minutesBetween(stageSince, now));
        if (left !== undefined) hs.etaMinutes = left;
      }
      if (stageSince) hs.since = stageSince;
      if (seen) {
        hs.lastSeen = seen.received;
        hs.lastKind = seen.kind;
      }
      if (stage === 'failed' && t.failure) {
        const remedy = t.failure.remedy;
        hs.problem = { kind: 'failed', host: name, phase: p.id, reason: `${name}: ${t.failure.reason}`, remedy, remedyTitle: remedyTitle(remedy), since: t.failure.at };
      } else if (!done && stageSince) {
        const rule = stallRuleFor(stage, nextOnPath(planHost.path, stage));
        if (rule) {
          const limit = thresholds[rule.id] ?? rule.minutes;
          const waited = minutesBetween(stageSince, now);
          if (waited >= limit) {
            hs.problem = { kind: 'stalled', host: name, phase: p.id, reason: stallReason(name, rule, waited), rule: rule.id, remedy: rule.remedy, remedyTitle: remedyTitle(rule.remedy), since: stageSince };
          }
        }
      }
      if (!hs.problem && mismatches.length > 0) {
        hs.problem = { kind: 'mismatch', host: name, phase: p.id, reason: mismatches.map(mismatchReason).join('; '), remedy: 'declared-mismatch', remedyTitle: remedyTitle('declared-mismatch'), since: t.lastSeen ?? now };
      }
      if (hs.problem) problems.push(hs.problem);
      if (t.kernelErrors) {
        problems.push({ kind: 'kernel-error', host: name, phase: p.id, reason: `${name}: ${t.kernelErrors.count} kernel error${t.kernelErrors.count === 1 ? '' : 's'}, latest: ${t.kernelErrors.last}`, remedy: 'kernel-error', remedyTitle: remedyTitle('kernel-error'), since: t.kernelErrors.at });
      }
      hostStatus.set(name, hs);
      phaseHosts.push(hs);
    }

    const hostsDoneAt: string | undefined = phaseHosts.every((h) => h.done)
      ? phaseHosts.reduce<string | undefined>((acc, h) => {
          const at = h.steps.find((s) => s.stage === h.stage)?.at;
          return at && (!acc || ms(at) > ms(acc)) ? at : acc;
        }, undefined) ?? phaseStart
      : undefined;

    const checks: CheckStatus[] = p.checks.map((c) => {
      // The latest report decides: an app that went Healthy and then Degraded is not met.
      const latest = facts.checks.get(checkKey(c.kind, typeof c.match.app === 'string' ? { app: c.match.app } : {}));
      const met = latest && matches(c, latest) ? latest : undefined;
      const isMet = met !== undefined;
      const cs: CheckStatus = { id: c.id, title: c.title, met: isMet, remedy: c.remedy };
      if (isMet && met) cs.at = met.received;
      if (!isMet && latest) cs.seen = [latest.attrs.health, latest.attrs.sync].filter((v) => typeof v === 'string').join(' / ') || latest.kind;
      return cs;
    });

    const blockers: string[] = [];
    for (const h of phaseHosts) {
      if (h.done) continue;
      const last = h.path[h.path.length - 1] ?? 'healthy';
      blockers.push(h.problem ? h.problem.reason : `${h.name} is ${stageDef(h.stage).title.toLowerCase()}${h.silent ? ' (silent)' : ''}, waiting for ${stageDef(last).title.toLowerCase()}`);
    }
    for (const c of checks) {
      if (c.met) continue;
      blockers.push(`${c.title}: ${c.seen ? `last seen ${c.seen}` : 'not reported yet'}`);
      const def = p.checks.find((d) => d.id === c.id)!;
      const from = hostsDoneAt;
      if (from) {
        const limit = thresholds[c.id] ?? def.minutes;
        const waited = minutesBetween(from, now);
        if (waited >= limit) {
          problems.push({ kind: 'check-stalled', phase: p.id, reason: `${p.title}: ${c.title.charAt(0).toLowerCase()}${c.title.slice(1)} — not met for ${Math.floor(waited)} min`, rule: c.id, remedy: def.remedy, remedyTitle: remedyTitle(def.remedy), since: from });
        }
      }
    }

    const allChecksAt = checks.every((c) => c.met) ? checks.reduce<string | undefined>((acc, c) => (c.at && (!acc || ms(c.at) > ms(acc)) ? c.at : acc), undefined) : undefined;
    let doneAt: string | undefined;
    if (hostsDoneAt && checks.every((c) => c.met)) {
      doneAt = [hostsDoneAt, allChecksAt].filter((v): v is string => v !== undefined).reduce((a, b) => (ms(b) > ms(a) ? b : a));
      if (phaseStart && ms(doneAt) < ms(phaseStart)) doneAt = phaseStart;
    }
    const anyFailed = phaseHosts.some((h) => h.stage === 'failed');
    const anyHeard = phaseHosts.some((h) => h.lastSeen !== undefined);
    const state: PhaseState = doneAt ? 'done' : anyFailed ? 'failed' : phaseStart || anyHeard ? 'active' : 'pending';
    const ps: PhaseStatus = {
      id: p.id,
      number: p.number,
      title: p.title,
      state,
      hosts: phaseHosts.map((h) => ({ name: h.name, stage: h.stage, done: h.done })),
      checks,
      blockers,
      progress: { done: phaseHosts.filter((h) => h.done).length + checks.filter((c) => c.met).length, total: phaseHosts.length + checks.length },
    };
    if (phaseStart) ps.startedAt = phaseStart;
    if (doneAt) ps.doneAt = doneAt;
    phases.push(ps);
    phaseStart = doneAt;
  }

  for (const u of facts.unknownMacs.values()) {
    problems.push({ kind: 'unknown-mac', reason: `unknown machine ${u.mac} is PXE booting (not in the lab file)`, remedy: 'unknown-mac', remedyTitle: remedyTitle('unknown-mac'), since: u.lastSeen });
  }

  const phaseNo = new Map(plan.phases.map((p) => [p.id, p.number]));
  const severity = (h: HostStatus) => (h.problem?.kind === 'failed' ? 0 : h.problem ? 1 : h.silent ? 2 : 3);
  const hosts = [...hostStatus.values()].sort(
    (a, b) =>
      severity(a) - severity(b) ||
      (phaseNo.get(a.phase) ?? 0) - (phaseNo.get(b.phase) ?? 0) ||
      stageRank(a.stage) - stageRank(b.stage) ||
      a.name.localeCompare(b.name),
  );
  const kindOrder: Record<ProblemKind, number> = { failed: 0, mismatch: 1, stalled: 2, 'check-stalled': 3, 'kernel-error': 4, 'unknown-mac': 5 };
  problems.sort((a, b) => kindOrder[a.kind] - kindOrder[b.kind] || ms(a.since) - ms(b.since));
  return { generatedAt: now, startedAt, phases, hosts, problems, unknownMacs: [...facts.unknownMacs.values()] };
}
