/**
 * The stages a host moves through during Genesis. Ids are stable: the collector, the dashboard,
 * `builder status` and the runbook (anchors `runbook.html#<id>`) all use them.
 */

export const STAGE_IDS = [
  'expected',
  'pxe-dhcp',
  'pxe-tftp',
  'pxe-http',
  'booted',
  'installing',
  'rebooting',
  'installed',
  'joined',
  'healthy',
  'failed',
] as const;
export type StageId = (typeof STAGE_IDS)[number];

/** What proves a stage: who reports it and which event kinds (with the attribute that matters). */
export interface StageProof {
  source: string;
  kind: string;
  /** When only some events of the kind count, in words (for the runbook). */
  when?: string;
}

export interface StageDef {
  id: StageId;
  title: string;
  /** One sentence for the operator: what being in this stage means. */
  meaning: string;
  /** Progress order; `failed` sits outside it. */
  rank: number;
  provenBy: StageProof[];
}

export const STAGES: readonly StageDef[] = [
  {
    id: 'expected',
    title: 'Expected',
    meaning: 'The lab file names the host; nothing has been heard from it yet.',
    rank: 0,
    provenBy: [],
  },
  {
    id: 'pxe-dhcp',
    title: 'PXE: DHCP',
    meaning: 'The host asked for a network boot lease; the PXE service saw its MAC.',
    rank: 1,
    provenBy: [
      { source: 'pxe', kind: 'dhcp.discover' },
      { source: 'pxe', kind: 'dhcp.request' },
      { source: 'pxe', kind: 'dhcp.ack' },
    ],
  },
  {
    id: 'pxe-tftp',
    title: 'PXE: TFTP',
    meaning: 'The firmware is loading the iPXE loader over TFTP.',
    rank: 2,
    provenBy: [
      { source: 'pxe', kind: 'tftp.start' },
      { source: 'pxe', kind: 'tftp.done' },
    ],
  },
  {
    id: 'pxe-http',
    title: 'PXE: HTTP',
    meaning: 'iPXE is fetching its script, kernel and initrd over HTTP.',
    rank: 3,
    provenBy: [
      { source: 'pxe', kind: 'http.fetch' },
      { source: 'pxe', kind: 'ipxe.beacon' },
    ],
  },
  {
    id: 'booted',
    title: 'Booted',
    meaning: 'An operating system (live or installer) is running on the host and reporting.',
    rank: 4,
    provenBy: [
      { source: 'agent', kind: 'boot' },
      { source: 'gateway', kind: 'boot' },
      { source: 'talos', kind: 'talos.stage', when: 'attrs.stage is BOOTING or MAINTENANCE' },
      { source: 'kmsg', kind: 'kmsg', when: 'any kernel log line from the host' },
      { source: 'join', kind: 'join.apid-reachable' },
    ],
  },
  {
    id: 'installing',
    title: 'Installing',
    meaning: 'The installer is writing the operating system to disk.',
    rank: 5,
    provenBy: [
      { source: 'talos', kind: 'talos.stage', when: 'attrs.stage is INSTALLING' },
      { source: 'harvester', kind: 'install.started' },
      { source: 'agent', kind: 'install.started' },
    ],
  },
  {
    id: 'rebooting',
    title: 'Rebooting',
    meaning: 'The installer wrote the disk and the host is rebooting into the installed system (for Talos: kexec; its "unix.Reboot" FATAL sequence event is this reboot, not a failure).',
    rank: 6,
    provenBy: [
      { source: 'talos', kind: 'talos.stage', when: 'attrs.stage is REBOOTING' },
      { source: 'talos', kind: 'talos.restart' },
      { source: 'talos', kind: 'talos.sequence', when: 'attrs.reboot is set (the FATAL NOOP carrying unix.Reboot)' },
      { source: 'harvester', kind: 'install.succeeded', when: 'sent after the disk is written, before the reboot' },
    ],
  },
  {
    id: 'installed',
    title: 'Installed',
    meaning: 'The host runs from its disk (for Talos: RUNNING, not yet ready while etcd waits for Bootstrap or no CNI runs).',
    rank: 7,
    provenBy: [
      { source: 'talos', kind: 'talos.stage', when: 'attrs.stage is RUNNING' },
      { source: 'agent', kind: 'install.succeeded' },
      { source: 'join', kind: 'join.apid-reachable', when: 'after the host rebooted' },
    ],
  },
  {
    id: 'joined',
    title: 'Joined',
    meaning: 'The host is a node of its cluster.',
    rank: 8,
    provenBy: [{ source: 'join', kind: 'join.node-ready' }],
  },
  {
    id: 'healthy',
    title: 'Healthy',
    meaning: 'The cluster reports the host ready: for Talos, its node Ready and every service healthy on its Talos API; for Harvester, its node Ready in Harvester.',
    rank: 9,
    provenBy: [
      { source: 'join', kind: 'join.talos-services', when: 'every service healthy, once join.node-ready was seen' },
      { source: 'join', kind: 'join.harvester-ready' },
      { source: 'gateway', kind: 'gateway.ready' },
    ],
  },
  {
    id: 'failed',
    title: 'Failed',
    meaning: 'The host reported a failure it will not recover from by itself.',
    rank: -1,
    provenBy: [
      { source: 'harvester', kind: 'install.failed' },
      { source: 'talos', kind: 'talos.config-error' },
      { source: 'talos', kind: 'talos.sequence', when: 'attrs.error is set' },
      { source: 'agent', kind: 'failed' },
    ],
  },
];

const BY_ID = new Map(STAGES.map((s) => [s.id, s]));

export function stageDef(id: StageId): StageDef {
  const def = BY_ID.get(id);
  if (!def) throw new Error(`unknown stage ${id}`);
  return def;
}

export function stageRank(id: StageId): number {
  return stageDef(id).rank;
}
