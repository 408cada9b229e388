import type { Host, Lab } from './schema.js';
import { GIB, installDiskOf, memoryBytes, sizeBytes, wholeGib } from './disks.js';

/**
 * Harvester v1.5's preflight, judged from what the lab states about a host. Pure.
 *
 * harvester-installer v1.5.0 `pkg/preflight/checks.go`: CPUCheck (`nproc --all` under
 * MinCPUProd = 16), MemoryCheck (dmidecode's memory ranges, under MinMemoryProd = 64 GiB),
 * NetworkSpeedCheck (`/sys/class/net/<dev>/speed` of each management interface, under
 * MinNetworkGbpsProd = 10). `pkg/console/console.go` runs the first checks at start-up and
 * `pkg/console/install_panels.go` adds the NIC check once the management interface is known;
 * with any warning and `install.skipchecks` unset the automatic install logs the warnings and
 * returns, before its STARTED webhook. The install disk is a validation error instead, not
 * skipped by skipchecks: `pkg/console/validator.go` (checkDevice) refuses an install disk under
 * SingleDiskMinSizeGiB = 250 (`pkg/config/config.go`) when it also holds the data, as it does
 * here (no `install.data_disk`). VirtCheck and KVMHostCheck need the machine itself.
 */

export const HARVESTER_MIN = {
  cpus: 16,
  memoryGib: 64,
  nicGbps: 10,
  installDiskGib: 250,
} as const;

export type PreflightCheck = 'cpus' | 'memory' | 'nic' | 'disk';

/** One check for one host: the lab's value (if stated), the threshold, and whether it falls under. */
export interface PreflightFact {
  check: PreflightCheck;
  /** Where the value is (or would be) stated in the lab file. */
  path: (string | number)[];
  /** The lab's value in words (`20`, `96GiB`, `2.5 Gb/s on enp87s0`), or undefined when not stated. */
  value?: string;
  /** The threshold in words (`16 CPUs`). */
  threshold: string;
  below: boolean;
  /** Whether `install.skipchecks` skips it (the disk size is a validation, not a preflight). */
  skippable: boolean;
  /** The upstream constant and file it comes from. */
  source: string;
}

/** `2.5G` → 2.5, `1000M` → 1. */
export function linkGbps(speed: string): number {
  const n = Number(speed.slice(0, -1));
  return speed.endsWith('G') ? n : n / 1000;
}

/** The NIC carrying the Harvester network (the one the config makes the management interface). */
export function managementNicIndex(lab: Lab, host: Host): number {
  const network = lab.clusters.harvester?.network;
  return host.nics.findIndex((n) => n.untagged === network || n.tagged.includes(network ?? ''));
}

const SRC = 'harvester-installer v1.5.0 pkg/preflight/checks.go';

export function harvesterPreflight(lab: Lab, host: Host, index: number): PreflightFact[] {
  const hostPath = ['hosts', index];
  const facts: PreflightFact[] = [];
  facts.push({
    check: 'cpus',
    path: [...hostPath, 'cpus'],
    ...(host.cpus !== undefined ? { value: String(host.cpus) } : {}),
    threshold: `${HARVESTER_MIN.cpus} CPUs`,
    below: host.cpus !== undefined && host.cpus < HARVESTER_MIN.cpus,
    skippable: true,
    source: `MinCPUProd, ${SRC}`,
  });
  facts.push({
    check: 'memory',
    path: [...hostPath, 'memory'],
    ...(host.memory !== undefined ? { value: host.memory } : {}),
    threshold: `${HARVESTER_MIN.memoryGib}GiB`,
    below: host.memory !== undefined && memoryBytes(host.memory) < HARVESTER_MIN.memoryGib * GIB,
    skippable: true,
    source: `MinMemoryProd, ${SRC}`,
  });
  const j = managementNicIndex(lab, host);
  const nic = host.nics[j];
  facts.push({
    check: 'nic',
    path: j >= 0 ? [...hostPath, 'nics', j, 'speed'] : [...hostPath, 'nics'],
    ...(nic?.speed !== undefined ? { value: `${linkGbps(nic.speed)} Gb/s${nic.name ? ` on ${nic.name}` : ''}` } : {}),
    threshold: `${HARVESTER_MIN.nicGbps} Gb/s`,
    below: nic?.speed !== undefined && linkGbps(nic.speed) < HARVESTER_MIN.nicGbps,
    skippable: true,
    source: `MinNetworkGbpsProd, ${SRC}`,
  });
  const install = installDiskOf(host);
  const bytes = install ? sizeBytes(install.disk.size) : undefined;
  facts.push({
    check: 'disk',
    path: install ? [...hostPath, 'disks', install.index, 'size'] : [...hostPath, 'disks'],
    ...(install && bytes !== undefined ? { value: `${install.disk.size}${/iB$/.test(install.disk.size) ? '' : ` (${wholeGib(bytes)} GiB)`}` } : {}),
    threshold: `${HARVESTER_MIN.installDiskGib} GiB`,
    below: bytes !== undefined && wholeGib(bytes) < HARVESTER_MIN.installDiskGib,
    skippable: false,
    source: 'SingleDiskMinSizeGiB, harvester-installer v1.5.0 pkg/config/config.go, checked in pkg/console/validator.go',
  });
  return facts;
}
