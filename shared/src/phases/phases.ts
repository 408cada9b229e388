import type { RemedyId } from '../catalogue/index.js';

/**
 * The four Genesis phases. Ids are stable (runbook chapters and dashboard anchors use them).
 * A phase is done when each of its hosts reached the end of its path and each of its checks
 * holds; a phase's clock starts when the phase before it is done.
 */

export const PHASE_IDS = ['direct-boot', 'single-node-platform', 'harvester-online', 'full-platform'] as const;
export type PhaseId = (typeof PHASE_IDS)[number];

/** A phase-level condition proved by an event that is not about one host's stage. */
export interface PhaseCheckDef {
  id: string;
  title: string;
  source: string;
  kind: string;
  /** The attributes an event must carry to satisfy the check. */
  match: Record<string, string | boolean>;
  /** Minutes after the phase's hosts are done before an unmet check counts as stalled. */
  minutes: number;
  /** Runbook section id (its title is in REMEDIES). */
  remedy: RemedyId;
}

export interface PhaseDef {
  id: PhaseId;
  number: number;
  title: string;
  summary: string;
  /** Which lab hosts belong to it, in words (the rule lives in plan.ts). */
  hostsRule: string;
}

export const PHASES: readonly PhaseDef[] = [
  {
    id: 'direct-boot',
    number: 1,
    title: 'Direct boot',
    summary: 'The gateway boots VyOS from USB with its configuration; the first control-plane node boots Talos with its embedded configuration, installs, bootstraps etcd, and Argo CD is deployed.',
    hostsRule: 'the gateway and the platform cluster hosts that boot from USB',
  },
  {
    id: 'single-node-platform',
    number: 2,
    title: 'Single-node platform',
    summary: 'Argo CD syncs the platform applications (Crossplane, Tinkerbell) onto the single node.',
    hostsRule: 'no hosts; Argo CD applications',
  },
  {
    id: 'harvester-online',
    number: 3,
    title: 'Harvester online',
    summary: 'The Harvester hosts PXE boot, install Harvester and form an HA cluster.',
    hostsRule: 'hosts with role harvester',
  },
  {
    id: 'full-platform',
    number: 4,
    title: 'Full platform',
    summary: 'The Talos VMs on Harvester PXE boot and join the platform cluster as control-plane nodes.',
    hostsRule: 'hosts with role vm, and platform hosts that PXE boot',
  },
];

export function argoCdCheck(): PhaseCheckDef {
  return {
    id: 'argocd-healthy',
    title: 'Argo CD is healthy',
    source: 'join',
    kind: 'join.argocd-healthy',
    match: {},
    minutes: 20,
    remedy: 'argocd-not-healthy',
  };
}

export function argoAppCheck(app: string): PhaseCheckDef {
  return {
    id: `argocd-app-${app}`,
    title: `Argo CD application ${app} is Synced and Healthy`,
    source: 'join',
    kind: 'join.argocd-app',
    match: { app, health: 'Healthy', sync: 'Synced' },
    minutes: 30,
    remedy: 'argocd-app-not-healthy',
  };
}

/** The platform applications phase 2 waits for (from the seed lab's design). */
export const DEFAULT_PLATFORM_APPS = ['crossplane', 'tinkerbell'] as const;
