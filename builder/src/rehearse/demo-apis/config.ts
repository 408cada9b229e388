/**
 * What the demo APIs process is started with (a JSON file, 0600: it holds the stand-ins' serving
 * keys). The rehearsal writes it; main.ts reads it inside the laptop namespace.
 */
export interface DemoApisConfig {
  /** The address the stand-ins listen on: the laptop's, where the demo nodes relay their ports. */
  listen: string;
  /** A Unix socket (a file every namespace sees) answering GET /state with what the stand-ins hold. */
  control: string;
  apid?: { port: number; osCa: string; cert: string; key: string };
  platform?: DemoKubeConfig & { argocdNamespace: string; platformApps: string[]; stepMs?: number };
  /** Harvester's Kubernetes API (phase 3): its nodes register as the platform's do. */
  harvester?: DemoKubeConfig;
}

export interface DemoKubeConfig {
  port: number;
  /** The cluster's CA certificate (PEM) the watcher verifies against and client certificates are checked with. */
  ca: string;
  cert: string;
  key: string;
  /** Bearer tokens its nodes write with (the cluster's bootstrap or join token). */
  tokens: string[];
}

/** Ports on the laptop's address: apid's and the API server's own, so each relay is port to same port. */
export const DEMO_PORTS = { apid: 50000, platform: 6443, harvester: 6444 } as const;
