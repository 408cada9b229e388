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
  if (HTTP.has(e.kind)) return { stage: 'pxe-http' };
  switch (e.kind) {
    case 'boot':
    case 'join.apid-reachable':
      return { stage: 'booted' };
    case 'install.started':
      return { stage: 'installing' };
    case 'install.succeeded':
      return { stage: 'installed' };
    case 'install.failed':
      return { stage: 'failed', reason: `install failed${str(a.message) ? `: ${str(a.message)}` : ''}` };
    case 'join.node-ready':
      return { stage: 'joined' };
    case 'join.harvester-ready':
    case 'gateway.ready':
      return { stage: 'healthy' };
    case 'talos.config-error':
      return { stage: 'failed', reason: `Talos could not load its configuration${str(a.error) ? `: ${str(a.error)}` : ''}` };
    case 'failed':
      return { stage: 'failed', reason: str(a.message) ?? str(a.reason) ?? 'the host reported a failure' };
    case 'talos.sequence': {
      if (str(a.error)) return { stage: 'failed', reason: `Talos sequence ${str(a.sequence) ?? '?'} failed: ${str(a.error)}` };
      if (a.sequence === 'install' && a.action === 'STOP') return { stage: 'installed' };
      return undefined;
    }
    case 'talos.stage': {
      switch (a.stage) {
        case 'BOOTING':
        case 'MAINTENANCE':
          return { stage: 'booted' };
        case 'INSTALLING':
          return { stage: 'installing' };
        case 'RUNNING':
          // Readiness is evaluated only in BOOTING and RUNNING, so ready=true here means every
          // condition Talos checks (services, static pods, node ready) is met.
          return { stage: a.ready === true ? 'healthy' : 'installed' };
        default:
          return undefined;
      }
    }
    default:
      return undefined;
  }
}
