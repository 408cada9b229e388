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
    /** Dotted kind, for example `dhcp.discover`; see EVENT_KINDS for the ones with meaning. */
    kind: z.string().min(1).max(64).regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case dotted words such as dhcp.ack'),
    /** RFC 3339 time at the sender. */
    time: z.iso.datetime({ offset: true }),
    attrs: z.record(z.string(), z.unknown()).default({}),
  })
  .refine((e) => e.host !== undefined || e.mac !== undefined, { message: 'an event names a host or a mac', path: ['host'] });
export type LabEvent = z.infer<typeof EventSchema>;
export type LabEventInput = z.input<typeof EventSchema>;

export const MAX_BATCH = 1000;
export const EventBatchSchema = z.object({ events: z.array(EventSchema).min(1).max(MAX_BATCH) });
export type EventBatch = z.infer<typeof EventBatchSchema>;

/**
 * Kinds that move a host through its stages. Senders may send other kinds (they are stored and
 * shown in the timeline); these are the ones the phase model interprets.
 */
export const EVENT_KINDS = {
  boot: 'boot', // agent host role: the host is up, attrs carry facts
  dhcpDiscover: 'dhcp.discover',
  dhcpOffer: 'dhcp.offer',
  dhcpRequest: 'dhcp.request',
  dhcpAck: 'dhcp.ack',
  dhcpNoAddress: 'dhcp.no-address', // full mode had no address for the MAC; attrs.reason says why
  tftpStart: 'tftp.start',
  tftpDone: 'tftp.done',
  tftpError: 'tftp.error',
  tftpBusy: 'tftp.busy', // a read request dropped at a cap on concurrent transfers; the client retries
  httpFetch: 'http.fetch',
  httpError: 'http.error', // the PXE service answered a fetch with status >= 400; attrs.file, attrs.status
  ipxeBeacon: 'ipxe.beacon',
  unknownMac: 'pxe.unknown-mac',
  pxeInstalled: 'pxe.installed', // the PXE service marked the MAC installed: its network boots exit to disk
  pxeRearmed: 'pxe.rearmed', // … and re-armed: the next network boot installs again
  pxeBootLocal: 'pxe.boot-local', // a marked MAC network-booted and was sent iPXE `exit`
  installStarted: 'install.started',
  installSucceeded: 'install.succeeded',
  installFailed: 'install.failed',
  talosStage: 'talos.stage', // attrs.stage: BOOTING | INSTALLING | MAINTENANCE | RUNNING | REBOOTING …
  talosConfigError: 'talos.config-error',
  nodeReady: 'join.node-ready',
  nodeNotReady: 'join.node-not-ready',
  apidReachable: 'join.apid-reachable',
  argoHealthy: 'join.argocd-healthy',
  argoApp: 'join.argocd-app',
  harvesterReady: 'join.harvester-ready',
  failed: 'failed',
} as const;
export type EventKind = (typeof EVENT_KINDS)[keyof typeof EVENT_KINDS];

/** Normalises a MAC to the lower-case, colon-separated form events carry. */
export function normalizeMac(mac: string): string {
  return mac.trim().toLowerCase().replace(/-/g, ':');
}
