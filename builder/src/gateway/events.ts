import { randomBytes } from 'node:crypto';
import type { LabEventInput } from '@lab/shared';

/**
 * Sends the apply's steps to the collector (`POST /v1/events`, bearer token) when one answers.
 * Best effort: the first failure to reach it switches reporting off, so an apply never waits
 * on or fails because of a collector that is not running. Attributes never carry secrets.
 */
export interface EventReporter {
  report(kind: string, attrs?: Record<string, unknown>): Promise<void>;
  /** Whether the collector took the events so far (undefined before the first send). */
  readonly delivered: boolean | undefined;
}

export function collectorReporter(opts: { url: string | undefined; token: string | undefined; host: string; timeoutMs?: number }): EventReporter {
  const run = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  let seq = 0;
  let delivered: boolean | undefined = opts.url && opts.token ? undefined : false;
  return {
    get delivered() {
      return delivered;
    },
    async report(kind, attrs = {}) {
      if (delivered === false || !opts.url || !opts.token) return;
      const event: LabEventInput = {
        id: `gateway-${run}-${++seq}`,
        host: opts.host,
        source: 'gateway',
        kind,
        time: new Date().toISOString(),
        attrs,
      };
      try {
        const res = await fetch(new URL('/v1/events', opts.url), {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.token}` },
          body: JSON.stringify({ events: [event] }),
          signal: AbortSignal.timeout(opts.timeoutMs ?? 2000),
        });
        delivered = res.ok;
      } catch {
        delivered = false;
      }
    },
  };
}
