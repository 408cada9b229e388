import type { Lab } from '@lab/shared';

/** Where hosts report to, derived from the lab's collector URL. Pure. */
export interface CollectorEndpoints {
  /** Host (address or name) of the collector URL. */
  host: string;
  /** The collector's base URL without a trailing slash. */
  base: string;
  /** `host:port` of the Talos event sink (gRPC, no TLS). */
  talosEvents: string;
  /** `tcp://host:port/` of the kernel-log receiver. */
  kmsg: string;
  /** Harvester installer webhooks. */
  harvesterWebhook: string;
}

export function collectorEndpoints(lab: Lab): CollectorEndpoints {
  const url = new URL(lab.collector.url);
  const host = url.hostname;
  const base = lab.collector.url.replace(/\/+$/, '');
  return {
    host,
    base,
    talosEvents: `${host}:${lab.collector.talosEventsPort}`,
    kmsg: `tcp://${host}:${lab.collector.kmsgPort}/`,
    harvesterWebhook: `${base}/v1/webhooks/harvester`,
  };
}
