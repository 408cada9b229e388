import { describe, expect, test } from 'vitest';
import { EventSchema } from '@lab/shared';
import { fastEvent } from '../../src/collector/ingest/http.js';
import { seededRandom } from '../../../test/fixtures/rng.js';

/**
 * The ingest hot path accepts events with a hand-written check and leaves everything it refuses
 * to zod. It must never accept what EventSchema refuses, nor produce a different event. This
 * compares the two on seeded random events, so a change of the shared schema that the fast
 * check misses fails here.
 */

const CHOICES: Record<string, unknown[]> = {
  id: ['e-1', 'a:b.c_d-1', '', 'x'.repeat(128), 'x'.repeat(129), 'has space', 7, null, 'é'],
  host: ['cp-1', '', 'h'.repeat(253), 'h'.repeat(254), 3, undefined, undefined],
  mac: ['38:05:25:34:25:d0', '38:05:25:34:25:D0', '38-05-25-34-25-d0', 'zz', 1, undefined, undefined],
  source: ['agent', 'pxe', 'talos', 'kmsg', 'harvester', 'join', 'gateway', 'builder', 'Agent', 'other', 0],
  kind: ['boot', 'dhcp.ack', 'a', 'k'.repeat(64), 'k'.repeat(65), 'Boot', '.x', 'x y', 5],
  time: ['2026-11-26T12:00:00Z', '2026-11-26T12:00:00.123+01:00', '2026-11-26T12:00:00', '2026-11-26', 'yesterday', 1764158400000, '2026-13-40T25:61:61Z'],
  attrs: [{}, { a: 1 }, { nested: { x: [1, 2] } }, [], null, 'text', undefined, JSON.parse('{"__proto__": {"x": 1}}')],
};

describe('the ingest fast check agrees with EventSchema', () => {
  test('20,000 random events: whatever the fast check accepts, zod accepts identically', () => {
    const r = seededRandom(5);
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const event: Record<string, unknown> = {};
      for (const [key, values] of Object.entries(CHOICES)) {
        // Mostly a valid value, so that both the accepting and the refusing paths are exercised.
        const v = r() < 0.6 ? values[0] : values[Math.floor(r() * values.length)];
        if (v !== undefined) event[key] = v;
      }
      if (r() < 0.05) event.extra = 'unknown key';
      const fast = fastEvent(event);
      if (fast === undefined) continue;
      accepted++;
      const slow = EventSchema.safeParse(event);
      expect(slow.success, `fast check accepted what zod refuses: ${JSON.stringify(event)}`).toBe(true);
      expect(fast).toEqual(slow.data);
    }
    // The generator must exercise the accepting path, or this test proves nothing.
    expect(accepted).toBeGreaterThan(1000);
  });
});
