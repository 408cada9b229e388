import type { EventSource } from '../events/event.js';
import type { StageId } from '../phases/stages.js';
import type { RemedyId } from './remedies.js';

type Attrs = Record<string, unknown>;
/** What a proof's condition reads of an event. */
export interface Seen {
  source: string;
  attrs: Attrs;
}
export interface When {
  text: string;
  test: (e: Seen) => boolean;
}

/** One stage an event of a kind can prove; the first proof of a kind whose `when` holds wins. */
export interface Proof {
  stage: StageId;
  /** When only some events of the kind count: in words (the runbook's stage table) and as a test. */
  when?: When;
  /** Only from these of the kind's senders (default: all of them). */
  sources?: readonly EventSource[];
  /**
   * Proved by status derivation from what earlier events said, not by this event alone
   * (derive.ts, FactFolder): listed in the stage table, never returned by classifyEvent.
   */
  derived?: true;
  /** For `failed`: the reason in words, and the runbook section that helps. */
  reason?: (a: Attrs) => string;
  remedy?: RemedyId;
}

export interface KindDef {
  /** Its name in EVENT_KINDS, for senders. */
  key: string;
  kind: string;
  /** Who sends it (the stage table lists a row per source). */
  sources: readonly EventSource[];
  /** The stages it proves, in order of precedence; empty: stored and shown, proves nothing. */
  proves: readonly Proof[];
  /** Read by a phase check (the latest per kind and application decides), not by a host's stage. */
  check?: boolean;
  /** Every event from its source proves it, whatever the event's own kind (kernel log lines). */
  anyKindFromSource?: boolean;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
const attrIs = (name: string, ...values: unknown[]): When => ({
  text: `attrs.${name} is ${values.map(String).join(' or ')}`,
  test: (e) => values.includes(e.attrs[name]),
});
const from = (source: EventSource, text: string): When => ({ text, test: (e) => e.source === source });
const always = (text: string): When => ({ text, test: () => true });
const both = (x: When, y: When): When => ({ text: `${x.text} and ${y.text}`, test: (e) => x.test(e) && y.test(e) });
const sequenceFailed: When = {
  text: 'attrs.error is set and attrs.errorCode is neither LOCKED nor CANCELED',
  test: (e) => str(e.attrs.error) !== undefined && e.attrs.errorCode !== 'LOCKED' && e.attrs.errorCode !== 'CANCELED',
};
const sequenceReason = (a: Attrs) => `Talos sequence ${str(a.sequence) ?? '?'} failed: ${str(a.error)}`;

/**
 * The event kinds the phase model reads: who sends each, which stage it proves, and (for
 * failures) the remedy. Classification (phases/classify.ts), the stage table (phases/stages.ts),
 * status derivation (phases/derive.ts), the runbook's sections and the dashboard's links all
 * come from this list and REMEDIES. Senders may send other kinds: stored, shown, proving nothing.
 */
export const KINDS = [
  { key: 'boot', kind: 'boot', sources: ['agent', 'gateway'], proves: [{ stage: 'booted' }] },
  { key: 'dhcpDiscover', kind: 'dhcp.discover', sources: ['pxe'], proves: [{ stage: 'pxe-dhcp' }] },
  { key: 'dhcpOffer', kind: 'dhcp.offer', sources: ['pxe'], proves: [{ stage: 'pxe-dhcp' }] },
  { key: 'dhcpRequest', kind: 'dhcp.request', sources: ['pxe'], proves: [{ stage: 'pxe-dhcp' }] },
  { key: 'dhcpAck', kind: 'dhcp.ack', sources: ['pxe'], proves: [{ stage: 'pxe-dhcp' }] },
  // Full mode had no address for the MAC; attrs.reason says why. Shown, proves nothing.
  { key: 'dhcpNoAddress', kind: 'dhcp.no-address', sources: ['pxe'], proves: [] },
  { key: 'tftpStart', kind: 'tftp.start', sources: ['pxe'], proves: [{ stage: 'pxe-tftp' }] },
  { key: 'tftpDone', kind: 'tftp.done', sources: ['pxe'], proves: [{ stage: 'pxe-tftp' }] },
  // A read request dropped at a cap on concurrent transfers; the client retries. Proves nothing.
  { key: 'tftpBusy', kind: 'tftp.busy', sources: ['pxe'], proves: [] },
  // A retry or a client that gives up and tries the next file: shown, proves nothing.
  { key: 'tftpError', kind: 'tftp.error', sources: ['pxe'], proves: [] },
  { key: 'httpFetch', kind: 'http.fetch', sources: ['pxe'], proves: [{ stage: 'pxe-http' }] },
  {
    key: 'ipxeBeacon',
    kind: 'ipxe.beacon',
    sources: ['pxe'],
    proves: [
      { stage: 'failed', when: { text: 'attrs.failed is set (an iPXE fetch failed; it retries)', test: (e) => str(e.attrs.failed) !== undefined }, reason: (a) => `iPXE could not fetch ${str(a.step) ?? 'a boot file'} (iPXE error ${str(a.failed)}; it retries)`, remedy: 'host-failed' },
      { stage: 'pxe-http' },
    ],
  },
  // The PXE service answered a fetch with status >= 400; attrs.file, attrs.status.
  {
    key: 'httpError',
    kind: 'http.error',
    sources: ['pxe'],
    proves: [{ stage: 'failed', reason: (a) => `the PXE service answered HTTP ${String(a.status)} for ${str(a.file) ?? 'a file'}: it is missing from the boot tree (render, or builder images sync)`, remedy: 'host-failed' }],
  },
  // The PXE service marked the MAC installed (its network boots exit to disk), re-armed it (the
  // next network boot installs again), and sent a marked MAC iPXE `exit`. Shown, prove nothing.
  { key: 'pxeInstalled', kind: 'pxe.installed', sources: ['pxe'], proves: [] },
  { key: 'pxeRearmed', kind: 'pxe.rearmed', sources: ['pxe'], proves: [] },
  { key: 'pxeBootLocal', kind: 'pxe.boot-local', sources: ['pxe'], proves: [] },
  // The collector told the PXE agent a host's install is done (a Talos install, or a mark the
  // agent lost when the gateway rebooted), or could not yet (it retries). Shown, prove nothing.
  { key: 'pxeMarkSent', kind: 'pxe.mark-sent', sources: ['builder'], proves: [] },
  { key: 'pxeMarkFailed', kind: 'pxe.mark-failed', sources: ['builder'], proves: [] },
  // Any event whose MAC is not in the lab counts as an unknown machine (derive.ts), this one too.
  { key: 'unknownMac', kind: 'pxe.unknown-mac', sources: ['pxe'], proves: [] },
  {
    key: 'talosStage',
    kind: 'talos.stage',
    sources: ['talos'],
    proves: [
      { stage: 'booted', when: attrIs('stage', 'BOOTING', 'MAINTENANCE') },
      { stage: 'installing', when: attrIs('stage', 'INSTALLING') },
      { stage: 'rebooting', when: attrIs('stage', 'REBOOTING') },
      // Running from disk. Healthy comes from the cluster's own APIs (the join watchers), not
      // from the node's word; its unmet conditions say why it is not ready yet.
      { stage: 'installed', when: attrIs('stage', 'RUNNING') },
      // SHUTTING_DOWN, RESETTING, UPGRADING: shown in the timeline, no stage of Genesis.
    ],
  },
  { key: 'talosRestart', kind: 'talos.restart', sources: ['talos'], proves: [{ stage: 'rebooting' }] },
  { key: 'kmsg', kind: 'kmsg', sources: ['kmsg'], anyKindFromSource: true, proves: [{ stage: 'booted', when: always('any kernel log line from the host') }] },
  { key: 'apidReachable', kind: 'join.apid-reachable', sources: ['join'], proves: [{ stage: 'booted' }, { stage: 'installed', when: always('after the host rebooted'), derived: true }] },
  { key: 'installStarted', kind: 'install.started', sources: ['harvester', 'agent'], proves: [{ stage: 'installing' }] },
  {
    key: 'talosSequence',
    kind: 'talos.sequence',
    sources: ['talos'],
    proves: [
      // The install sequence's last phase returns runtime.RebootError on purpose; the controller
      // publishes it as a FATAL NOOP and machine_status.go reads it as REBOOTING (Talos v1.12.0
      // internal/app/machined/pkg/runtime/v1alpha1/v1alpha1_controller.go, pkg/controllers/runtime/machine_status.go).
      { stage: 'rebooting', when: { text: 'attrs.reboot is set (the FATAL NOOP carrying unix.Reboot)', test: (e) => str(e.attrs.reboot) !== undefined } },
      // LOCKED: another sequence holds the lock; CANCELED: a newer request replaced it. Neither is a failure.
      // A failed install sequence is an install failure (its remedy); any other, the host's.
      { stage: 'failed', when: both(sequenceFailed, attrIs('sequence', 'install')), reason: sequenceReason, remedy: 'install-failed' },
      { stage: 'failed', when: sequenceFailed, reason: sequenceReason, remedy: 'host-failed' },
    ],
  },
  {
    key: 'installSucceeded',
    kind: 'install.succeeded',
    sources: ['harvester', 'agent'],
    proves: [
      // Harvester's installer sends SUCCEEDED once the disk is written, before its reboot
      // (harvester-installer v1.5.0 pkg/console/util.go, doInstall); another installer's report means it runs from disk.
      { stage: 'rebooting', sources: ['harvester'], when: from('harvester', 'sent after the disk is written, before the reboot') },
      { stage: 'installed', sources: ['agent'] },
    ],
  },
  { key: 'nodeReady', kind: 'join.node-ready', sources: ['join'], proves: [{ stage: 'joined' }] },
  { key: 'nodeNotReady', kind: 'join.node-not-ready', sources: ['join'], proves: [] },
  { key: 'harvesterReady', kind: 'join.harvester-ready', sources: ['join'], proves: [{ stage: 'healthy' }] },
  { key: 'harvesterNotReady', kind: 'join.harvester-not-ready', sources: ['join'], proves: [] },
  // Healthy for a Talos node: its Kubernetes node Ready and every service healthy on its Talos API.
  { key: 'talosServices', kind: 'join.talos-services', sources: ['join'], proves: [{ stage: 'healthy', when: always('every service healthy, once join.node-ready was seen'), derived: true }] },
  { key: 'gatewayReady', kind: 'gateway.ready', sources: ['gateway'], proves: [{ stage: 'healthy' }] },
  // After SUCCEEDED, derive.ts names the remedy harvester-reboot-failed instead (the reboot failed).
  { key: 'installFailed', kind: 'install.failed', sources: ['harvester'], proves: [{ stage: 'failed', reason: (a) => `install failed${str(a.message) ? `: ${str(a.message)}` : ''}`, remedy: 'install-failed' }] },
  { key: 'talosConfigError', kind: 'talos.config-error', sources: ['talos'], proves: [{ stage: 'failed', reason: (a) => `Talos could not load its configuration${str(a.error) ? `: ${str(a.error)}` : ''}`, remedy: 'config-error' }] },
  { key: 'failed', kind: 'failed', sources: ['agent'], proves: [{ stage: 'failed', reason: (a) => str(a.message) ?? str(a.reason) ?? 'the host reported a failure', remedy: 'host-failed' }] },
  { key: 'argoHealthy', kind: 'join.argocd-healthy', sources: ['join'], proves: [], check: true },
  { key: 'argoApp', kind: 'join.argocd-app', sources: ['join'], proves: [], check: true },
] as const satisfies readonly KindDef[];

type Kinds = (typeof KINDS)[number];
/** Kind names by key, for senders: `EVENT_KINDS.dhcpDiscover` is `'dhcp.discover'`. */
export type EventKindNames = { readonly [K in Kinds as K['key']]: K['kind'] };
export const EVENT_KINDS = Object.fromEntries(KINDS.map((k) => [k.key, k.kind])) as EventKindNames;
export type EventKind = Kinds['kind'];

const BY_KIND = new Map<string, KindDef>(KINDS.map((k) => [k.kind, k]));
const BY_SOURCE = new Map<string, KindDef>(KINDS.filter((k: KindDef) => k.anyKindFromSource).map((k) => [k.sources[0]!, k]));

/** The catalogue entry that reads an event: by its source for whole-source kinds, else by its kind. */
export function kindDef(source: string, kind: string): KindDef | undefined {
  return BY_SOURCE.get(source) ?? BY_KIND.get(kind);
}

/** Kinds read by phase checks. */
export const CHECK_KINDS: ReadonlySet<string> = new Set(KINDS.filter((k: KindDef) => k.check).map((k) => k.kind));

/** The remedies a failure can name (derive.ts sends a failed host to one of these). */
export function failureRemedies(): RemedyId[] {
  const out = new Set<RemedyId>();
  for (const k of KINDS as readonly KindDef[]) for (const p of k.proves) if (p.remedy) out.add(p.remedy);
  return [...out];
}
