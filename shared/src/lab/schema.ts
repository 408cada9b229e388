import { z } from 'zod';
import { isCidr, isIpv4 } from './net.js';

/**
 * The lab file (`lab.yaml`): one declarative description of a whole lab. Objects are strict so
 * that a misspelt key is reported instead of silently ignored; defaults keep small labs small.
 */

const ipv4 = z.string().refine(isIpv4, { message: 'not an IPv4 address (write four numbers 0–255, such as 10.10.30.10)' });
const cidr = z
  .string()
  .refine(isCidr, { message: 'not an IPv4 network in CIDR form (write it like 10.10.30.0/24)' });
/** A TCP port is 1–65535: `127.0.0.1:80800` is refused here, not when a server fails to bind. */
const portInRange = (port: string | undefined, ctx: z.RefinementCtx) => {
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
    ctx.addIssue({ code: 'custom', message: `port ${port} is outside 1–65535 (use a port from 1 to 65535, such as 8080)` });
  }
};
const hostPort = z
  .string()
  .regex(/^[^\s:]+:\d+$/, 'write it as ADDRESS:PORT, such as 0.0.0.0:8080')
  .superRefine((v, ctx) => portInRange(/:(\d+)$/.exec(v)?.[1], ctx));
const httpUrl = z
  .string()
  .regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, 'write an http:// or https:// URL')
  .superRefine((v, ctx) => portInRange(/^https?:\/\/[^\s/]*:(\d+)(\/|$)/.exec(v)?.[1], ctx));
const mac = z
  .string()
  .regex(/^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$/, 'not a MAC address (write six hex pairs such as 38:05:25:34:25:d0)');
const version = z.string().regex(/^v\d+\.\d+\.\d+([-+.][0-9A-Za-z.-]+)?$/, 'write a version such as v1.12.0');
/** Network, port and bridge names are referenced from elsewhere in the file. */
const refName = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,62}$/, 'use letters, digits, _ . - (start with a letter)');
/** Host names end up as Kubernetes node names and DNS labels. */
const hostName = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'use lower-case letters, digits and - (a DNS label, such as ms02-1)');

export const NETWORK_PURPOSES = ['management', 'provisioning', 'platform', 'cluster', 'service', 'storage', 'transit', 'wan'] as const;

export const SiteSchema = z.strictObject({
  name: refName,
  domain: z.string().regex(/^[a-z0-9.-]+$/, 'write a DNS domain such as lab.example.org'),
  /** Upstream resolvers the gateway forwards to. */
  resolvers: z.array(ipv4).min(1).default(['1.1.1.1', '8.8.8.8']),
  ntp: z.array(z.string().min(1)).default(['pool.ntp.org']),
  timezone: z.string().default('UTC'),
});

export const DhcpRangeSchema = z.strictObject({
  start: ipv4,
  end: ipv4,
  /** Lease time in seconds. */
  lease: z.number().int().positive().default(86400),
  /** Who answers DHCP on this network: the gateway's own server, or the PXE service (directly or by relay). */
  server: z.enum(['gateway', 'pxe']).default('gateway'),
});

export const NetworkSchema = z.strictObject({
  name: refName,
  /** 802.1Q VLAN id; omit for an untagged network such as the transit link. */
  vlan: z.number().int().min(1, 'VLAN ids run from 1 to 4094').max(4094, 'VLAN ids run from 1 to 4094').optional(),
  cidr,
  /** The gateway's address on this network (what hosts route through). */
  gateway: ipv4.optional(),
  purpose: z.enum(NETWORK_PURPOSES),
  description: z.string().optional(),
  dhcp: DhcpRangeSchema.optional(),
});

export const PortSchema = z.strictObject({
  name: refName,
  role: z.enum(['wan', 'trunk', 'lan']),
  description: z.string().optional(),
  /** Networks carried tagged on this port. */
  vlans: z.array(refName).default([]),
  /** Network carried untagged. */
  native: refName.optional(),
});

export const BridgeSchema = z.strictObject({
  name: z.string().regex(/^br\d+$/, 'VyOS bridge names are br0, br1, …'),
  /** The network whose VLAN the members carry and whose gateway address the bridge holds. */
  network: refName,
  /** Ports whose VLAN sub-interface for that network joins the bridge. */
  members: z.array(refName).min(1),
  description: z.string().optional(),
});

export const GatewaySchema = z.strictObject({
  /** The lab host (role gateway) this describes. */
  host: hostName.default('gateway'),
  vyos: z.strictObject({
    /** VyOS release, such as 1.4.3 or a stream/rolling name such as 2025.11. */
    release: z.string().min(1),
  }),
  ports: z.array(PortSchema).min(1),
  bridges: z.array(BridgeSchema).default([]),
  transit: z
    .strictObject({
      port: refName,
      network: refName,
      address: ipv4,
      /** The upstream router on the far side of the transit link. */
      peer: ipv4,
    })
    .optional(),
  routes: z
    .array(z.strictObject({ to: cidr, via: ipv4, description: z.string().optional() }))
    .default([]),
  nat: z
    .strictObject({
      masquerade: z.array(z.strictObject({ source: cidr, outbound: refName })).default([]),
    })
    .default({ masquerade: [] }),
  dhcpRelay: z
    .strictObject({
      /** The DHCP server the relay forwards to (the PXE service). */
      server: ipv4,
      /** Networks whose DHCP requests are relayed. */
      networks: z.array(refName).min(1),
    })
    .optional(),
  dns: z
    .strictObject({
      forwarding: z.boolean().default(true),
      allowFrom: z.array(cidr).default([]),
      /** Networks on whose gateway address the forwarder listens. */
      listenOn: z.array(refName).default([]),
    })
    .default({ forwarding: true, allowFrom: [], listenOn: [] }),
  firewall: z
    .strictObject({
      /** Networks the lab must never open connections to (the home network). */
      protect: z.array(z.strictObject({ name: refName, cidr })).default([]),
      /** The lab's own address space, used for the "from lab" rules. */
      lab: cidr.optional(),
      /** Whether the protected networks may open connections into the lab. */
      allowFromProtected: z.boolean().default(true),
    })
    .default({ protect: [], allowFromProtected: true }),
  bgp: z
    .strictObject({
      asn: z.number().int().min(1).max(4294967295),
      routerId: ipv4,
      /** Networks announced to peers. */
      announce: z.array(refName).default([]),
      peers: z
        .array(
          z.strictObject({
            /** A lab host name; its address on `network` (or its first address) is used. */
            host: hostName.optional(),
            address: ipv4.optional(),
            asn: z.number().int().min(1).max(4294967295),
            description: z.string().optional(),
            /** Keep the session administratively down (for example until the CNI speaks BGP). */
            shutdown: z.boolean().default(false),
          }),
        )
        .default([]),
    })
    .optional(),
  ssh: z.strictObject({ port: z.number().int().min(1).max(65535).default(22) }).default({ port: 22 }),
});

/** `10G`, `2.5G`, `1000M`: a link speed in Gb/s or Mb/s (what the NIC negotiates with its switch port). */
const linkSpeed = z.string().regex(/^\d+(\.\d+)?[GM]$/, 'write a link speed such as 10G, 2.5G or 1000M');
/** `96GiB`, `1TB`, `512 GB`: a size with its unit (GB/TB are decimal, GiB/TiB binary). */
const byteSize = z.string().regex(/^\d+(\.\d+)?\s*(MB|GB|TB|MiB|GiB|TiB)$/, 'write a size with its unit, such as 1TB, 512GB or 96GiB');
/**
 * A disk's World Wide Name as the kernel reports it (`lsblk -o NAME,WWN`): `eui.0025388b91b4d1a2`
 * or `nvme.…` for NVMe (sysfs `wwid`), `0x5002538e40a1b2c3` for SATA/SAS.
 */
const wwn = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'write the WWN as `lsblk -o NAME,WWN` shows it, such as eui.0025388b91b4d1a2');
/** The drive's serial number as the kernel reports it (`lsblk -o NAME,SERIAL`). */
const diskSerial = z.string().regex(/^[A-Za-z0-9._-]+$/, 'write the serial as `lsblk -o NAME,SERIAL` shows it, such as S6B0NL0W123456A');
const diskType = z.enum(['ssd', 'hdd', 'nvme', 'sd']);

export const DiskSchema = z.strictObject({
  /** Capacity as sold (`1TB` is 10^12 bytes) or in binary units (`931GiB`). */
  size: byteSize,
  type: diskType.optional(),
  /** Model as the kernel reports it (`lsblk -o NAME,MODEL`), such as `Samsung SSD 990 PRO 1TB`. */
  model: z.string().min(1).optional(),
  serial: diskSerial.optional(),
  wwn: wwn.optional(),
  /** The kernel's name for it today, such as /dev/nvme1n1 (enumeration order can change). */
  path: z.string().regex(/^\/dev\//, 'write a device path such as /dev/nvme0n1').optional(),
});

export const NicSchema = z.strictObject({
  /** Interface name on the host, for documentation (Talos selects by MAC). */
  name: z.string().optional(),
  mac,
  /** Negotiated link speed, such as 10G or 2.5G (Harvester's preflight reads it). */
  speed: linkSpeed.optional(),
  /** Network carried untagged (the one a PXE boot happens on). */
  untagged: refName.optional(),
  /** Networks carried as VLAN sub-interfaces. */
  tagged: z.array(refName).default([]),
  /** Gateway port this NIC is cabled to (for the cabling chapter of the runbook). */
  port: refName.optional(),
});

export const HOST_ROLES = ['gateway', 'controlplane', 'harvester', 'vm'] as const;

export const HostSchema = z.strictObject({
  name: hostName,
  /** Hardware model, such as vp6630, um760, ms-02, or harvester-vm. */
  model: z.string().min(1),
  role: z.enum(HOST_ROLES),
  description: z.string().optional(),
  boot: z.enum(['usb', 'pxe']).default('pxe'),
  firmware: z.enum(['uefi', 'bios']).default('uefi'),
  nics: z.array(NicSchema).default([]),
  addresses: z.array(z.strictObject({ network: refName, address: ipv4 })).default([]),
  /** Logical CPUs (threads, as `nproc --all` counts them): an i9-13900H has 14 cores, 20 threads. */
  cpus: z.number().int().positive().optional(),
  /** Installed memory, such as 96GiB (what the DIMMs add up to; memory's GB are binary, 96GB = 96GiB). */
  memory: byteSize.optional(),
  /** The host's disks, as far as the lab knows them (sizes for Harvester's checks; serial or WWN to name the install disk). */
  disks: z.array(DiskSchema).default([]),
  /**
   * Talos-style install disk selector. Harvester installs to a device: by `/dev/disk/by-id/…`
   * when `wwn` (or `serial` with `model`) is given, else to `path`.
   */
  installDisk: z
    .strictObject({
      size: z.string().optional(),
      type: diskType.optional(),
      model: z.string().optional(),
      serial: z.string().optional(),
      wwn: wwn.optional(),
      /** A device path such as /dev/nvme0n1 (Harvester installs take a path). */
      path: z.string().regex(/^\/dev\//, 'write a device path such as /dev/nvme0n1').optional(),
    })
    .optional(),
  labels: z.record(z.string(), z.string()).default({}),
  /**
   * How the PXE service treats this host. `reinstall: true` re-arms it: every network boot gets
   * the installer, even after its install was reported done (otherwise those boots exit to disk
   * until `builder pxe rearm`). `builder collect` takes back a mark the PXE agent holds for it,
   * and a gateway stick made from the lab (`builder make-usb`) ignores marks for it; remove it
   * again once the host is reinstalled, or it installs on every network boot.
   */
  pxe: z.strictObject({ reinstall: z.boolean().default(false) }).optional(),
});

export const PlatformClusterSchema = z.strictObject({
  name: refName,
  talos: version,
  kubernetes: version,
  endpoint: httpUrl,
  /**
   * A shared virtual IP for the control plane, on the network of the hosts' first addresses: Talos
   * (Layer2VIPConfig) gives it to one control-plane node at a time. Needed with more than one
   * control-plane host, and then the endpoint uses it.
   */
  vip: ipv4.optional(),
  podCidrs: z.array(cidr).min(1).default(['10.244.0.0/16']),
  serviceCidrs: z.array(cidr).min(1).default(['10.96.0.0/12']),
  /**
   * How the pod network arrives. `flannel`: Talos deploys its own. `none`: Talos deploys none and
   * something else must (refused together with gitops: Argo CD's pods need a CNI first). The
   * object forms say how: `{ name: cilium, via: inline }` puts the pre-rendered Cilium manifest
   * pinned in images.yaml into the Talos configs as an inline manifest; `{ name: none, via:
   * manual }` says the operator applies a CNI by hand while bootstrap waits.
   */
  cni: z
    .union([
      z.enum(['flannel', 'none']),
      z.strictObject({
        name: z.literal('cilium'),
        via: z.literal('inline'),
        /** The images.yaml entry holding the pre-rendered Cilium manifest. */
        image: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'an images.yaml image name such as cilium-install').default('cilium-install'),
      }),
      z.strictObject({ name: z.literal('none'), via: z.literal('manual') }),
    ])
    .default('flannel'),
  kubeProxy: z.boolean().default(true),
  kubePrism: z
    .strictObject({ enabled: z.boolean().default(true), port: z.number().int().min(1).max(65535).default(7445) })
    .default({ enabled: true, port: 7445 }),
  allowSchedulingOnControlPlanes: z.boolean().default(false),
  certSans: z.array(z.string()).default([]),
  hosts: z.array(hostName).min(1),
  gitops: z
    .strictObject({ repo: httpUrl, path: z.string().min(1), revision: z.string().default('HEAD') })
    .optional(),
});

export const HarvesterClusterSchema = z.strictObject({
  version: version,
  vip: ipv4,
  /** The network the management interfaces and the VIP live on. */
  network: refName,
  hosts: z.array(hostName).min(1),
  /**
   * Sets `install.skipchecks` in every host's config: the automatic install goes on past
   * Harvester's preflight warnings (CPUs, memory, NIC speed, virtualisation) instead of stopping
   * before any webhook. Off unless the lab says so; when on, `builder validate` stops warning
   * about those (the install disk's size is a validation Harvester never skips).
   */
  skipChecks: z.boolean().default(false),
});

export const CollectorSchema = z.strictObject({
  /** Where `builder collect` listens for HTTP (events, dashboard). */
  listen: hostPort.default('0.0.0.0:8080'),
  /** The address media and Talos report to: the laptop as seen from the lab. */
  url: httpUrl,
  /** Port of the Talos event sink (gRPC) on the collector's address. */
  talosEventsPort: z.number().int().min(1).max(65535).default(4001),
  /** Port of the Talos kernel-log receiver (JSON lines over TCP). */
  kmsgPort: z.number().int().min(1).max(65535).default(4002),
  /**
   * Also put talos.events.sink= and talos.logging.kernel= on the boot media's kernel command
   * lines (GRUB entries, every UKI profile), so a node reports from its first second: the sink
   * its config sets up cannot report a config that fails to load, nor maintenance mode.
   */
  kernelArgs: z.boolean().default(true),
  /**
   * Stall thresholds in minutes, by stall rule or phase check id (the runbook's "When it stalls"
   * lists them: stall-installing, stall-rebooting, argocd-healthy …). Unlisted ones keep their defaults.
   */
  stalls: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'a stall rule or check id such as stall-installing'), z.number().positive().max(24 * 60)).default({}),
});

export const PxeSchema = z.strictObject({
  /** The lab host whose agent runs the PXE service (usually the gateway). */
  host: hostName,
  network: refName,
  /** Address the PXE service answers from (DHCP next-server, TFTP and HTTP). */
  address: ipv4,
  /** `full` serves leases from the network's DHCP range; `proxy` only adds boot answers. */
  mode: z.enum(['full', 'proxy']).default('full'),
  httpPort: z.number().int().min(1).max(65535).default(8081),
});

export const LabSchema = z.strictObject({
  $schema: z.string().optional(),
  site: SiteSchema,
  networks: z.array(NetworkSchema).min(1),
  gateway: GatewaySchema.optional(),
  hosts: z.array(HostSchema).min(1),
  clusters: z
    .strictObject({ platform: PlatformClusterSchema.optional(), harvester: HarvesterClusterSchema.optional() })
    .default({}),
  collector: CollectorSchema,
  pxe: PxeSchema.optional(),
});

export type Lab = z.infer<typeof LabSchema>;
export type LabInput = z.input<typeof LabSchema>;
export type Network = z.infer<typeof NetworkSchema>;
export type Host = z.infer<typeof HostSchema>;
export type Nic = z.infer<typeof NicSchema>;
export type Disk = z.infer<typeof DiskSchema>;
export type Gateway = z.infer<typeof GatewaySchema>;
export type GatewayPort = z.infer<typeof PortSchema>;
export type PlatformCluster = z.infer<typeof PlatformClusterSchema>;
export type HarvesterCluster = z.infer<typeof HarvesterClusterSchema>;
export type HostRole = (typeof HOST_ROLES)[number];

/** The JSON Schema of the lab file, for editors (checked in as shared/schema/lab.schema.json). */
export function labJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(LabSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}
