import type { StageId } from './stages.js';

/** The part of an event the phase model reads. */
export interface ModelEvent {
  seq: number;
  host?: string;
  mac?: string;
  source: string;
  kind: string;
  /** Sender time (hosts early in boot often have no clock: shown, not trusted). */
  time: string;
  /** Collector receive time: what stall clocks use. */
  received: string;
  attrs: Record<string, unknown>;
}

export interface Classified {
  stage: StageId;
  /** For failures: the reason in words. */
  reason?: string;
}

const DHCP = new Set(['dhcp.discover', 'dhcp.offer', 'dhcp.request', 'dhcp.ack']);
const TFTP = new Set(['tftp.start', 'tftp.done']);
const HTTP = new Set(['http.fetch', 'ipxe.beacon']);

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/**
 * Which stage an event proves, if any. Events that prove nothing (kernel warnings, service
 * state changes, TFTP retries) are still stored and shown in the timeline.
 */
export function classifyEvent(e: Pick<ModelEvent, 'source' | 'kind' | 'attrs'>): Classified | undefined {
  const a = e.attrs;
  if (e.source === 'kmsg') return { stage: 'booted' };
  if (DHCP.has(e.kind)) return { stage: 'pxe-dhcp' };
  if (TFTP.has(e.kind)) return { stage: 'pxe-tftp' };
  if (e.kind === 'ipxe.beacon' && str(a.failed)) return { stage: 'failed', reason: `iPXE could not fetch ${str(a.step) ?? 'a boot file'} (iPXE error ${str(a.failed)}; it retries)` };
  if (HTTP.has(e.kind)) return { stage: 'pxe-http' };
  switch (e.kind) {
    case 'boot':
    case 'join.apid-reachable':
      return { stage: 'booted' };
    case 'install.started':
      return { stage: 'installing' };
    case 'install.succeeded':
      // Harvester's installer sends SUCCEEDED once the disk is written, before its reboot
      // (harvester-installer v1.5.0 pkg/console/util.go, doInstall); another installer's report means it runs from disk.
      return { stage: e.source === 'harvester' ? 'rebooting' : 'installed' };
    case 'install.failed':
      return { stage: 'failed', reason: `install failed${str(a.message) ? `: ${str(a.message)}` : ''}` };
    case 'join.node-ready':
      return { stage: 'joined' };
    case 'join.harvester-ready':
    case 'gateway.ready':
      return { stage: 'healthy' };
    case 'http.error':
      return { stage: 'failed', reason: `the PXE service answered HTTP ${String(a.status)} for ${str(a.file) ?? 'a file'}: it is missing from the boot tree (render, or builder images sync)` };
    case 'talos.config-error':
      return { stage: 'failed', reason: `Talos could not load its configuration${str(a.error) ? `: ${str(a.error)}` : ''}` };
    case 'failed':
      return { stage: 'failed', reason: str(a.message) ?? str(a.reason) ?? 'the host reported a failure' };
    case 'talos.restart':
      return { stage: 'rebooting' };
    case 'talos.sequence': {
      // The install sequence's last phase returns runtime.RebootError on purpose; the controller
      // publishes it as a FATAL NOOP and machine_status.go reads it as REBOOTING (Talos v1.12.0
      // internal/app/machined/pkg/runtime/v1alpha1/v1alpha1_controller.go, pkg/controllers/runtime/machine_status.go).
      if (str(a.reboot)) return { stage: 'rebooting' };
      // LOCKED: another sequence holds the lock; CANCELED: a newer request replaced it. Neither is a failure.
      if (a.errorCode === 'LOCKED' || a.errorCode === 'CANCELED') return undefined;
      if (str(a.error)) return { stage: 'failed', reason: `Talos sequence ${str(a.sequence) ?? '?'} failed: ${str(a.error)}` };
      return undefined;
    }
    case 'talos.stage': {
      switch (a.stage) {
        case 'BOOTING':
        case 'MAINTENANCE':
          return { stage: 'booted' };
        case 'INSTALLING':
          return { stage: 'installing' };
        case 'REBOOTING':
          return { stage: 'rebooting' };
        case 'RUNNING':
          // Running from disk. Healthy comes from the cluster's own APIs (the join watchers), not
          // from the node's word; its unmet conditions say why it is not ready yet.
          return { stage: 'installed' };
        default:
          // SHUTTING_DOWN, RESETTING, UPGRADING: shown in the timeline, no stage of Genesis.
          return undefined;
      }
    }
    default:
      return undefined;
  }
}
