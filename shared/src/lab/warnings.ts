import type { Lab } from './schema.js';
import type { Problem } from './problem.js';
import { harvesterPreflight, HARVESTER_MIN, type PreflightCheck } from './harvester-preflight.js';
import { installDiskById } from './disks.js';

/**
 * What is allowed but will likely hurt: a valid lab still gets these, located like problems, and
 * `builder validate` prints them and exits 0. Pure; in document order of the hosts.
 */
export interface LabWarning extends Problem {
  /** Stable id (docs/errors.md, "Warnings"). */
  code: string;
}

const WHAT: Record<PreflightCheck, (host: string, value: string) => string> = {
  cpus: (h, v) => `host "${h}" has ${v} CPUs, under Harvester's ${HARVESTER_MIN.cpus}`,
  memory: (h, v) => `host "${h}" has ${v} of memory, under Harvester's ${HARVESTER_MIN.memoryGib}GiB`,
  nic: (h, v) => `host "${h}"'s management NIC runs at ${v}, under Harvester's ${HARVESTER_MIN.nicGbps} Gb/s`,
  disk: (h, v) => `host "${h}"'s install disk is ${v}, under Harvester's ${HARVESTER_MIN.installDiskGib} GiB`,
};

const FIX: Record<PreflightCheck, string> = {
  cpus: `use a host with ${HARVESTER_MIN.cpus} or more logical CPUs, or set clusters.harvester.skipChecks: true to install anyway`,
  memory: `fit ${HARVESTER_MIN.memoryGib}GiB or more, or set clusters.harvester.skipChecks: true to install anyway`,
  nic: `carry the management network on a ${HARVESTER_MIN.nicGbps} Gb/s port, or set clusters.harvester.skipChecks: true to install anyway`,
  disk: `install to a disk of ${HARVESTER_MIN.installDiskGib} GiB (${Math.ceil((HARVESTER_MIN.installDiskGib * 2 ** 30) / 1e9)} GB) or more`,
};

const CODE: Record<PreflightCheck, string> = {
  cpus: 'WARN_HARVESTER_CPUS',
  memory: 'WARN_HARVESTER_MEMORY',
  nic: 'WARN_HARVESTER_NIC_SPEED',
  disk: 'WARN_HARVESTER_DISK_SIZE',
};

/** A kernel name such as /dev/nvme0n1 or /dev/sda, not a persistent link. */
const KERNEL_NAME = /^\/dev\/(?!disk\/)/;

export function checkLabWarnings(lab: Lab): LabWarning[] {
  const warnings: LabWarning[] = [];
  const harvester = lab.clusters.harvester;
  lab.hosts.forEach((host, i) => {
    if (harvester?.hosts.includes(host.name) && host.role === 'harvester') {
      for (const f of harvesterPreflight(lab, host, i)) {
        if (!f.below || f.value === undefined) continue;
        // The operator chose to install past the preflight warnings; the disk size is not one.
        if (f.skippable && harvester.skipChecks) continue;
        const stops = f.skippable
          ? 'its automatic install stops on this preflight warning before any webhook'
          : 'its installer refuses the config before any webhook, and skipChecks does not skip this';
        warnings.push({ code: CODE[f.check], path: f.path, message: `${WHAT[f.check](host.name, f.value)} (${f.source}): ${stops}`, fix: FIX[f.check] });
      }
      const path = host.installDisk?.path;
      if (path !== undefined && KERNEL_NAME.test(path) && installDiskById(host) === undefined && host.disks.length !== 1) {
        const counted = host.disks.length > 1 ? `and it lists ${host.disks.length} disks` : `and the lab lists none of its disks${/^ms-?0?2$/i.test(host.model) ? ' (an MS-02 has three NVMe slots)' : ''}`;
        warnings.push({
          code: 'WARN_INSTALL_DEVICE_NAME',
          path: ['hosts', i, 'installDisk', 'path'],
          message: `host "${host.name}" installs Harvester to ${path}, a kernel name, ${counted}: with several disks the kernel can number them in another order on another boot, and the install would go to another disk`,
          fix: 'give installDisk a wwn (`lsblk -o NAME,WWN`), or a serial and model, so the config names /dev/disk/by-id/…',
        });
      }
    }
    // The boot network's fixed address is what a reservation answers with: smee converts a
    // Hardware's dhcp.ip into its offer and finds the Hardware by that address when the host asks
    // for its script (tinkerbell v0.25.0 smee/internal/dhcp/conv.go toDHCPData,
    // pkg/backend/kube/index.go IPAddrIndex); the agent reserves it likewise.
    const nic = host.boot === 'pxe' && lab.pxe ? (host.nics.find((n) => n.untagged) ?? undefined) : undefined;
    if (nic?.untagged && !host.addresses.some((a) => a.network === nic.untagged)) {
      const j = host.nics.indexOf(nic);
      warnings.push({
        code: 'WARN_PXE_NO_FIXED_ADDRESS',
        path: ['hosts', i, 'nics', j, 'untagged'],
        message: `host "${host.name}" PXE boots on ${nic.untagged} without a fixed address there: its Tinkerbell Hardware has no dhcp.ip, so smee's reservation mode offers it no address, and it takes whatever lease is free`,
        fix: `add { network: ${nic.untagged}, address: … } outside the DHCP range to its addresses`,
      });
    }
  });
  return warnings;
}
