import { z } from 'zod';

/**
 * `agent.yaml`: what the builder writes onto media and the agent reads at start. The builder
 * renders it from the lab model; the agent validates it with the same schema.
 */

export const AGENT_ROLES = ['host', 'pxe', 'join'] as const;
export const AgentRoleSchema = z.enum(AGENT_ROLES);
export type AgentRole = z.infer<typeof AgentRoleSchema>;

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const IPV4_RE = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const mac = z.string().regex(MAC_RE, 'a lower-case MAC such as 38:05:25:34:25:d0');
const ipv4 = z.string().regex(IPV4_RE, 'an IPv4 address such as 172.31.0.1');
const port = z.number().int().min(1).max(65535);
const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'host:port, for example 172.31.0.10:50000');

/** A host the PXE service knows by MAC; its iPXE script lives at `scriptPath` with `{mac}` filled in. */
export const PxeHostSchema = z.strictObject({
  name: z.string().min(1).max(253),
  mac,
  /** Fixed address in full-server mode (on its boot network, direct or relayed); reserved for it. */
  ip: ipv4.optional(),
  /** Install on every network boot, even once its install was reported done (the lab's switch). */
  reinstall: z.boolean().default(false),
});
export type PxeHost = z.infer<typeof PxeHostSchema>;

/**
 * A network whose DHCP reaches the service through a relay (the gateway's dhcrelay), chosen for a
 * request whose `giaddr` falls inside it: its own range, router and DNS (RFC 2131 §4.3.1).
 */
export const PxeSubnetSchema = z.strictObject({
  /** For events and errors: the lab network's name. */
  name: z.string().min(1).max(63),
  /** The subnet's network address and mask; the relay's giaddr is an address inside it. */
  network: ipv4,
  netmask: ipv4,
  range: z.tuple([ipv4, ipv4]).optional(),
  router: ipv4.optional(),
  dns: z.array(ipv4).default([]),
  leaseSeconds: z.number().int().min(60).optional(),
});
export type PxeSubnet = z.infer<typeof PxeSubnetSchema>;

/** The loaders the DHCP answer names (under the PXE root) unless the config says otherwise. */
export const DEFAULT_LOADERS = { bios: 'undionly.kpxe', uefi: 'ipxe.efi' } as const;

export const PxeConfigSchema = z.strictObject({
  /** `full` leases addresses from `range`; `proxy` answers only the PXE part beside another DHCP server. */
  mode: z.enum(['full', 'proxy']),
  /** This machine's address on the boot network: next-server, TFTP and HTTP host. */
  address: ipv4,
  netmask: ipv4.default('255.255.255.0'),
  /** Full mode only: first and last address handed out. */
  range: z.tuple([ipv4, ipv4]).optional(),
  router: ipv4.optional(),
  dns: z.array(ipv4).default([]),
  leaseSeconds: z.number().int().min(60).default(3600),
  /** Directory of rendered files: loaders for TFTP, scripts, kernels, initrds and configs for HTTP. */
  root: z.string().min(1),
  httpPort: port.default(8080),
  tftpPort: port.default(69),
  dhcpPort: port.default(67),
  loaders: z
    .strictObject({ bios: z.string().min(1).default(DEFAULT_LOADERS.bios), uefi: z.string().min(1).default(DEFAULT_LOADERS.uefi) })
    .default(DEFAULT_LOADERS),
  /**
   * Also hand our loader to clients that already run iPXE (a NIC's iPXE ROM), until that MAC has
   * fetched it over TFTP; the chainloaded iPXE then gets the script. Off: iPXE gets the script at once.
   */
  chainload: z.boolean().default(false),
  /** Caps on TFTP transfers at once (see the agent's tftp.ts for the memory bound they give). */
  tftp: z
    .strictObject({ maxTransfers: z.number().int().min(1).default(64), maxTransfersPerClient: z.number().int().min(1).default(4) })
    .default({ maxTransfers: 64, maxTransfersPerClient: 4 }),
  /** Relayed networks (full mode): a request with a giaddr is answered from the one holding it. */
  subnets: z.array(PxeSubnetSchema).default([]),
  /** Full mode: most addresses held at once by MACs that match no host (the rest stay for hosts). */
  maxUnknownLeases: z.number().int().min(0).default(256),
  /**
   * Where the MACs whose install was reported done are kept (JSON); their next network boot gets
   * iPXE `exit`. Without it the record lives in memory and a restart re-arms every host.
   */
  installedFile: z.string().min(1).optional(),
  /** Path under `root` of each host's iPXE script; `{mac}` becomes aa-bb-cc-dd-ee-ff. */
  scriptPath: z.string().min(1).default('ipxe/{mac}.ipxe'),
  hosts: z.array(PxeHostSchema).default([]),
});
export type PxeConfig = z.infer<typeof PxeConfigSchema>;
export type PxeConfigInput = z.input<typeof PxeConfigSchema>;

export const JoinConfigSchema = z.strictObject({
  /** Rendered kubeconfig of the cluster to watch (node Ready, Argo CD Applications). */
  kubeconfig: z.string().min(1).optional(),
  /** Talos apid endpoints (`host:50000`), with the lab host each belongs to. */
  talos: z.array(z.strictObject({ host: z.string().min(1).max(253), endpoint: hostPort })).default([]),
  argocdNamespace: z.string().min(1).default('argocd'),
  /** Kubeconfig of the Harvester cluster and how many nodes make it whole. */
  harvester: z.strictObject({ kubeconfig: z.string().min(1), nodes: z.number().int().min(1) }).optional(),
  intervalSeconds: z.number().min(0.05).default(10),
});
export type JoinConfig = z.infer<typeof JoinConfigSchema>;

export const AgentConfigSchema = z
  .strictObject({
    collector: z.strictObject({
      url: z.url({ protocol: /^https?$/ }),
      /** Bearer token for `POST /v1/events`. A secret: the file holding it is mode 0600. */
      token: z.string().min(16, 'a token of at least 16 characters'),
    }),
    host: z.strictObject({ name: z.string().min(1).max(253).optional(), mac: mac.optional() }).default({}),
    roles: z.array(AgentRoleSchema).min(1),
    spool: z
      .strictObject({ dir: z.string().min(1), maxEvents: z.number().int().min(10).default(10_000) })
      .default({ dir: '/var/lib/lab-agent/spool', maxEvents: 10_000 }),
    status: z.strictObject({ host: z.string().default('0.0.0.0'), port: z.number().int().min(0).max(65535).default(9110) }).optional(),
    pxe: PxeConfigSchema.optional(),
    join: JoinConfigSchema.optional(),
  })
  .superRefine((c, ctx) => {
    for (const role of ['pxe', 'join'] as const) {
      if (c.roles.includes(role) && c[role] === undefined) {
        ctx.addIssue({ code: 'custom', path: [role], message: `the ${role} role is listed in roles, so a ${role} section is required` });
      }
    }
    if (c.pxe?.mode === 'full' && c.pxe.range === undefined) {
      ctx.addIssue({ code: 'custom', path: ['pxe', 'range'], message: 'full mode hands out addresses: give range: [first, last]' });
    }
  });
export type AgentConfig = z.infer<typeof AgentConfigSchema>;
export type AgentConfigInput = z.input<typeof AgentConfigSchema>;

/** The MAC form used in per-host file names: aa-bb-cc-dd-ee-ff. */
export function macFileForm(mac: string): string {
  return mac.toLowerCase().replace(/:/g, '-');
}
