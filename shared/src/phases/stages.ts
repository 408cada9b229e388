import { KINDS, type KindDef } from '../catalogue/kinds.js';

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

/** What proves a stage, read from the event catalogue (catalogue/kinds.ts): a row per kind and source. */
function provenBy(stage: StageId): StageProof[] {
  const out: StageProof[] = [];
  for (const k of KINDS as readonly KindDef[]) {
    for (const p of k.proves) {
      if (p.stage !== stage) continue;
      for (const source of p.sources ?? k.sources) out.push(p.when ? { source, kind: k.kind, when: p.when.text } : { source, kind: k.kind });
    }
  }
  return out;
}

export const STAGES: readonly StageDef[] = [
  {
    id: 'expected',
    title: 'Expected',
    meaning: 'The lab file names the host; nothing has been heard from it yet.',
    rank: 0,
    provenBy: provenBy('expected'),
  },
  {
    id: 'pxe-dhcp',
    title: 'PXE: DHCP',
    meaning: 'The host asked for a network boot lease; the PXE service saw its MAC.',
    rank: 1,
    provenBy: provenBy('pxe-dhcp'),
  },
  {
    id: 'pxe-tftp',
    title: 'PXE: TFTP',
    meaning: 'The firmware is loading the iPXE loader over TFTP.',
    rank: 2,
    provenBy: provenBy('pxe-tftp'),
  },
  {
    id: 'pxe-http',
    title: 'PXE: HTTP',
    meaning: 'iPXE is fetching its script, kernel and initrd over HTTP.',
    rank: 3,
    provenBy: provenBy('pxe-http'),
  },
  {
    id: 'booted',
    title: 'Booted',
    meaning: 'An operating system (live or installer) is running on the host and reporting.',
    rank: 4,
    provenBy: provenBy('booted'),
  },
  {
    id: 'installing',
    title: 'Installing',
    meaning: 'The installer is writing the operating system to disk.',
    rank: 5,
    provenBy: provenBy('installing'),
  },
  {
    id: 'rebooting',
    title: 'Rebooting',
    meaning: 'The installer wrote the disk and the host is rebooting into the installed system (for Talos: kexec; its "unix.Reboot" FATAL sequence event is this reboot, not a failure).',
    rank: 6,
    provenBy: provenBy('rebooting'),
  },
  {
    id: 'installed',
    title: 'Installed',
    meaning: 'The host runs from its disk (for Talos: RUNNING, not yet ready while etcd waits for Bootstrap or no CNI runs).',
    rank: 7,
    provenBy: provenBy('installed'),
  },
  {
    id: 'joined',
    title: 'Joined',
    meaning: 'The host is a node of its cluster.',
    rank: 8,
    provenBy: provenBy('joined'),
  },
  {
    id: 'healthy',
    title: 'Healthy',
    meaning: 'The cluster reports the host ready: for Talos, its node Ready and every service healthy on its Talos API; for Harvester, its node Ready in Harvester. A host that stops being so (its node out of Ready, a service unhealthy) goes back to Joined until it is again.',
    rank: 9,
    provenBy: provenBy('healthy'),
  },
  {
    id: 'failed',
    title: 'Failed',
    meaning: 'The host reported a failure it will not recover from by itself.',
    rank: -1,
    provenBy: provenBy('failed'),
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
