import type { LabEvent } from '@lab/shared';
import type { CollectorHub } from '../hub.js';

type Pending = Omit<LabEvent, 'host'>;

const MAX_PEERS = 64;
const MAX_HELD_PER_PEER = 1000;

/**
 * Talos's event sink and kernel-log streams carry no node identity: a connection is known by its
 * peer address, through the lab's static addresses or once the node names itself in an
 * AddressEvent. Until then its events wait here (bounded), and are stored when the peer is known.
 */
export class PeerResolver {
  private readonly held = new Map<string, Pending[]>();

  constructor(private readonly hub: CollectorHub) {}

  hostOf(address: string): string | undefined {
    return this.hub.directory.byAddress(address);
  }

  /** Records that `address` is `host` (persisted) and stores what was waiting for it. */
  learn(address: string, host: string, via: string): void {
    if (this.hub.directory.learn(address, host)) this.hub.store.rememberPeer(address, host);
    const waiting = this.held.get(address);
    if (waiting) {
      this.held.delete(address);
      this.hub.ingest(waiting.map((e) => ({ ...e, host })), via);
    }
  }

  /** Keeps events from an unknown peer; returns false when they had to be dropped. */
  hold(address: string, events: Pending[]): boolean {
    let list = this.held.get(address);
    if (!list) {
      if (this.held.size >= MAX_PEERS) {
        this.hub.metrics.countRejected('unknown-peer', events.length);
        return false;
      }
      list = [];
      this.held.set(address, list);
    }
    const room = MAX_HELD_PER_PEER - list.length;
    list.push(...events.slice(0, Math.max(0, room)));
    if (events.length > room) this.hub.metrics.countRejected('unknown-peer', events.length - Math.max(0, room));
    return events.length <= room;
  }

  heldCount(address: string): number {
    return this.held.get(address)?.length ?? 0;
  }
}
