import type { LabEvent } from '@lab/shared';
import type { Observation } from './kube-observe.js';

/**
 * Turns repeated observations into events only when something changed: a watcher polls every few
 * seconds, and the store should hold transitions, not a copy of every poll. The first
 * observation of each key after start is always sent (a restarted collector re-confirms).
 */
export class ChangeTracker {
  private readonly last = new Map<string, string>();
  private n = 0;

  constructor(private readonly prefix: string) {}

  changed(observations: readonly Observation[], now: Date): LabEvent[] {
    const out: LabEvent[] = [];
    for (const o of observations) {
      const signature = JSON.stringify([o.event.kind, o.event.attrs]);
      if (this.last.get(o.key) === signature) continue;
      this.last.set(o.key, signature);
      const safeKey = o.key.replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 60);
      out.push({ ...o.event, id: `${this.prefix}.${safeKey}.${now.getTime()}.${this.n++}`, time: now.toISOString() });
    }
    return out;
  }

  /** Forget a key (its source went away), so its next observation is sent again. */
  forget(prefix: string): void {
    for (const k of [...this.last.keys()]) if (k.startsWith(prefix)) this.last.delete(k);
  }
}
