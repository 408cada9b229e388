import { z } from 'zod';

/**
 * The event wire protocol: what the agent, the PXE service and the builder send to the
 * collector's `POST /v1/events`, and what the collector's other ingest paths (Talos event sink,
 * kernel log, Harvester webhooks) turn their input into.
 */

/** Who observed the event. */
export const EVENT_SOURCES = ['agent', 'pxe', 'talos', 'kmsg', 'harvester', 'join', 'gateway', 'builder'] as const;
export const EventSourceSchema = z.enum(EVENT_SOURCES);
export type EventSource = z.infer<typeof EventSourceSchema>;

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

export const EventSchema = z
  .object({
    /** Idempotency key: a sender retries with the same id and the collector stores it once. */
    id: z.string().min(1).max(128).regex(/^[A-Za-z0-9._:-]+$/, 'use letters, digits and . _ : - only'),
    /** Lab host name, when the sender knows it. */
    host: z.string().min(1).max(253).optional(),
    /** Lower-case MAC, for events seen before a host is known (PXE). */
    mac: z.string().regex(MAC_RE, 'a lower-case MAC such as 38:05:25:34:25:d0').optional(),
    source: EventSourceSchema,
    /** Dotted kind, for example `dhcp.discover`; the catalogue (catalogue/kinds.ts) lists the ones with meaning. */
    kind: z.string().min(1).max(64).regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case dotted words such as dhcp.ack'),
    /** RFC 3339 time at the sender. */
    time: z.iso.datetime({ offset: true }),
    attrs: z.record(z.string(), z.unknown()).default({}),
  })
  .refine((e) => e.host !== undefined || e.mac !== undefined, { message: 'an event names a host or a mac', path: ['host'] });
export type LabEvent = z.infer<typeof EventSchema>;
export type LabEventInput = z.input<typeof EventSchema>;

/**
 * An event as the collector stores and serves it: the wire event plus the collector's own
 * sequence number (monotonic; `since` cursors page on it) and receive time (RFC 3339, what stall
 * clocks use — hosts early in boot often have no clock).
 */
export type StoredEvent = LabEvent & { seq: number; received: string };

/** The stored columns of an event, in the order the store's rows carry them. */
export const EVENT_COLUMNS = ['id', 'host', 'mac', 'source', 'kind', 'time', 'received', 'attrs'] as const satisfies readonly (keyof StoredEvent)[];

export const MAX_BATCH = 1000;
export const EventBatchSchema = z.object({ events: z.array(EventSchema).min(1).max(MAX_BATCH) });
export type EventBatch = z.infer<typeof EventBatchSchema>;

// The kinds with meaning (EVENT_KINDS, and the stage each proves) are one catalogue:
// shared/src/catalogue/kinds.ts.
export { EVENT_KINDS, type EventKind } from '../catalogue/kinds.js';

/** Normalises a MAC to the lower-case, colon-separated form events carry. */
export function normalizeMac(mac: string): string {
  return mac.trim().toLowerCase().replace(/-/g, ':');
}
