import { harvesterPreflight, installDevice, type PreflightFact, type Lab } from '@lab/shared';
import type { Block } from './model.js';

/**
 * Why a Harvester install stops before its first webhook, with this lab's values per host: the
 * installer's preflight (harvester-installer v1.5.0 pkg/preflight/checks.go, acted on in
 * pkg/console/install_panels.go) and its config validation (pkg/console/validator.go). Pure.
 */

const LABEL: Record<PreflightFact['check'], string> = { cpus: 'CPUs', memory: 'memory', nic: 'management NIC', disk: 'install disk' };

function factText(f: PreflightFact, skipChecks: boolean): string {
  const stated = f.value !== undefined ? `${f.value}` : 'not stated in the lab';
  const verdict = !f.below ? '' : f.skippable && skipChecks ? '; under it, installed anyway: skipChecks is on' : '; under it, so this stops the install';
  return `${LABEL[f.check]} ${stated} (Harvester: at least ${f.threshold}${verdict})`;
}

function deviceText(device: string | undefined): string {
  if (device === undefined) return 'install device: none';
  return `install device \`${device}\`${device.startsWith('/dev/disk/by-id/') ? '' : ' (a kernel name: with several disks their order can change, and the installer may find another disk there)'}`;
}

export function harvesterStopBlocks(lab: Lab): Block[] {
  const harvester = lab.clusters.harvester;
  if (!harvester) return [];
  const skip = harvester.skipChecks;
  const hosts = lab.hosts.map((h, i) => ({ h, i })).filter(({ h }) => harvester.hosts.includes(h.name));
  return [
    {
      type: 'p',
      text: `Harvester: an install that stops before its STARTED webhook sends nothing, so the dashboard only sees the boot. Its console (or \`/var/log/console.log\`) shows why. First the preflight checks: in an automatic install any warning (fewer than 16 CPUs, under 64 GiB of memory, a management NIC under 10 Gb/s, a virtual machine, no /dev/kvm) stops it unless \`install.skipchecks\` is set — this lab ${skip ? 'sets it (clusters.harvester.skipChecks: true)' : 'does not set it (clusters.harvester.skipChecks is off)'}. Then the config: an install disk it cannot find or under 250 GiB, or a config URL it cannot fetch, stops it whatever skipchecks says.`,
    },
    {
      type: 'list',
      items: hosts.map(({ h, i }) => `\`${h.name}\`: ${harvesterPreflight(lab, h, i).map((f) => factText(f, skip)).join('; ')}; ${deviceText(installDevice(h))}.`),
    },
  ];
}
