import { classifyEvent, type StoredEvent } from '@lab/shared';

/**
 * Which PXE hosts' installs are done, read from the collector's events in store order (pure), so
 * the PXE agent can be told to answer their network boots with iPXE `exit` (agent control API,
 * agent/src/roles/pxe/control.ts). The agent is told by Harvester itself (its SUCCEEDED webhook
 * goes straight to the agent) but Talos reports only to the collector: its sink has no way to
 * reach the agent. The collector also holds the marks the agent lost: on the gateway's live stick
 * the agent's record is in RAM (docs/agent.md, "Install marks and a gateway reboot").
 *
 * An install is done when, after the host was seen installing (Talos INSTALLING, Harvester's
 * STARTED), it reboots into the installed system (Talos's kexec REBOOTING, RestartEvent or the
 * FATAL NOOP with unix.Reboot; Harvester's SUCCEEDED): each proves the `rebooting` stage in the
 * catalogue. A Talos node RUNNING is installed too (a collector started after the install sees
 * only that), except right after a re-arm: a running node reports RUNNING again whenever its
 * readiness changes, and that must not undo the operator's re-arm before any reinstall.
 */
export interface PxeMarkHost {
  name: string;
  /** Its PXE MAC, lower case with colons. */
  mac: string;
}

export interface MarkWanted {
  /** `mark`: POST, the install is done; `rearm`: DELETE, the lab's pxe.reinstall asks for the installer. */
  action: 'mark' | 'rearm';
  host: string;
  mac: string;
  /** What reported the install done: `talos` or `harvester` (the agent records it). */
  source: string;
  /** The event that proved it, for the log. */
  seq: number;
}

interface HostState {
  installing: boolean;
  /** The operator re-armed it (pxe.rearmed) and no install has started since. */
  rearmed: boolean;
  /** The mark the agent should hold, if any. */
  wanted?: MarkWanted;
  /** The agent reported holding the mark (pxe.installed) since it last started. */
  agentHas: boolean;
}

export class PxeMarkTracker {
  private readonly byName = new Map<string, PxeMarkHost>();
  private readonly byMac = new Map<string, PxeMarkHost>();
  private readonly state = new Map<string, HostState>();

  private readonly reinstall = new Map<string, PxeMarkHost>();

  constructor(
    hosts: readonly PxeMarkHost[],
    /** The lab host the PXE agent runs on: its `boot` event means it started with what its disk kept. */
    private readonly agentHost: string | undefined,
    /**
     * Hosts with the lab's `pxe.reinstall`: never marked, and a mark the agent holds for one (set
     * before the switch, or by Harvester's own webhook) is taken back, so the switch works with
     * a stick made before it was set.
     */
    reinstall: readonly PxeMarkHost[] = [],
  ) {
    for (const h of hosts) {
      this.byName.set(h.name, h);
      this.byMac.set(h.mac, h);
      this.state.set(h.mac, { installing: false, rearmed: false, agentHas: false });
    }
    for (const h of reinstall) this.reinstall.set(h.mac, h);
  }

  /**
   * Reads one stored event. Returns the marks to send now: one when this event finished an
   * install, all the wanted ones the agent lacks when the agent (re)started.
   */
  observe(e: StoredEvent): MarkWanted[] {
    if (e.source === 'builder') return [];
    if (e.kind === 'boot' && this.agentHost !== undefined && e.host === this.agentHost && e.source === 'agent') {
      for (const s of this.state.values()) s.agentHas = false;
      return this.pending();
    }
    const again = e.mac && e.source === 'pxe' && e.kind === 'pxe.installed' ? this.reinstall.get(e.mac) : undefined;
    if (again) return [{ action: 'rearm', host: again.name, mac: again.mac, source: 'lab', seq: e.seq }];
    const host = (e.mac ? this.byMac.get(e.mac) : undefined) ?? (e.host ? this.byName.get(e.host) : undefined);
    if (!host) return [];
    const s = this.state.get(host.mac)!;
    if (e.source === 'pxe') {
      if (e.kind === 'pxe.installed') {
        // The agent's own record, whoever set it (Harvester's webhook, the operator): kept here to restore.
        s.agentHas = true;
        s.wanted ??= { action: 'mark', host: host.name, mac: host.mac, source: typeof e.attrs.source === 'string' ? e.attrs.source : 'pxe', seq: e.seq };
      }
      if (e.kind === 'pxe.rearmed') {
        s.wanted = undefined;
        s.agentHas = false;
        s.rearmed = true;
        s.installing = false;
      }
      return [];
    }
    if (e.source !== 'talos' && e.source !== 'harvester') return [];
    const stage = classifyEvent(e)?.stage;
    if (stage === 'installing') {
      s.installing = true;
      s.rearmed = false;
      return [];
    }
    const done = (stage === 'rebooting' && s.installing) || (stage === 'installed' && e.source === 'talos' && !s.rearmed);
    if (!done || s.wanted) return [];
    s.installing = false;
    s.wanted = { action: 'mark', host: host.name, mac: host.mac, source: e.source, seq: e.seq };
    return s.agentHas ? [] : [s.wanted];
  }

  /**
   * What to send when the agent's record is unknown (the collector or the agent just started):
   * wanted marks the agent has not confirmed, and a re-arm of each pxe.reinstall host.
   */
  pending(): MarkWanted[] {
    const marks = [...this.state.values()].flatMap((s) => (s.wanted && !s.agentHas ? [s.wanted] : []));
    const rearms = [...this.reinstall.values()].map((h): MarkWanted => ({ action: 'rearm', host: h.name, mac: h.mac, source: 'lab', seq: 0 }));
    return [...marks, ...rearms];
  }

  /** Whether `m` is still to be sent (a re-arm since cancels a mark under way; a lab re-arm stands). */
  stillWanted(m: Pick<MarkWanted, 'action' | 'mac'>): boolean {
    if (m.action === 'rearm') return this.reinstall.has(m.mac);
    const s = this.state.get(m.mac);
    return s?.wanted !== undefined && !s.agentHas;
  }
}
