import type { Lab } from '@lab/shared';
import { planRehearsal, type VmPlan } from '../plan.js';

/**
 * What a rehearsal with the real systems (real Talos, VyOS and Harvester in KVM guests) would
 * need of this machine, decided from the lab alone (no I/O). Only the planning exists: the demo
 * rehearsal is the one that boots.
 */

export interface VmNeed {
  memoryMiB: number;
  vcpus: number;
  /** Where the figure comes from. */
  source: string;
}

export const REAL_VM_NEEDS = {
  talos: { memoryMiB: 2048, vcpus: 2, source: 'Talos v1.12 system requirements: a control plane needs at least 2 GiB, 2 cores, 10 GiB of disk' },
  harvester: { memoryMiB: 32768, vcpus: 8, source: 'Harvester v1.5 hardware requirements, development/testing: at least 8 cores, 32 GB, 250 GB of disk' },
  // VyOS publishes no minimum for 1.4/1.5 that we found: an assumption, not an upstream figure.
  gateway: { memoryMiB: 1024, vcpus: 1, source: 'our assumption for VyOS running live from its stick with the agent (VyOS publishes no minimum we found)' },
} as const satisfies Record<string, VmNeed>;

/** What the rehearsal's own processes (collector, PXE service, switch) keep aside. */
export const REHEARSAL_RESERVE_MIB = 1024;

/**
 * The cached images each kind of host boots from, by the names make-usb and the example's
 * images.yaml use: the sticks' bases, and the PXE boot tree's loaders and kernels.
 */
function imagesOf(vm: VmPlan): string[] {
  const loader = vm.firmware === 'uefi' ? 'ipxe-efi' : 'ipxe-undionly';
  if (vm.role === 'gateway') return ['vyos'];
  if (vm.boot === 'usb') return vm.talos ? ['talos-metal'] : [];
  if (vm.role === 'harvester') return [loader, 'harvester-kernel', 'harvester-initrd', 'harvester-rootfs', 'harvester-iso'];
  return vm.talos ? [loader, 'talos-kernel', 'talos-initramfs'] : [loader];
}

function needOf(vm: VmPlan): VmNeed | undefined {
  if (vm.role === 'gateway') return REAL_VM_NEEDS.gateway;
  if (vm.role === 'harvester') return REAL_VM_NEEDS.harvester;
  return vm.talos ? REAL_VM_NEEDS.talos : undefined;
}

/** This machine, as the real rehearsal would use it. */
export interface MachineFacts {
  /** Hardware virtualisation a stock guest kernel runs on, or why there is none. */
  kvm: { ok: true } | { ok: false; why: string };
  memAvailableMiB: number;
  cpus: number;
}

export type ImageState = 'cached' | 'missing' | 'not pinned' | 'not in images.yaml' | 'damaged';

export interface RealPhaseFit {
  number: number;
  hosts: { name: string; memoryMiB: number; vcpus: number; images: string[] }[];
  /** Memory of this phase's guests and every earlier rehearsed phase's (they keep running), plus the reserve. */
  memoryMiB: number;
  runs: boolean;
  /** Why it cannot run here (empty when it can). */
  reasons: string[];
}

/**
 * Each phase: its hosts' guests, the memory they need on top of the phases before them, the
 * images they boot from, and every reason it cannot run on this machine. Two reasons hold for any
 * sealed rehearsal (its uplink routes nowhere): real Talos pulls its Kubernetes images from
 * registries unless its ISO carries Talos's image cache, and Argo CD syncs from the lab's git
 * repository.
 */
export function fitRealRehearsal(lab: Lab, phases: number[], facts: MachineFacts, images: Record<string, ImageState>): RealPhaseFit[] {
  const plan = planRehearsal(lab, { id: 'fit', phases });
  const out: RealPhaseFit[] = [];
  let running = REHEARSAL_RESERVE_MIB;
  for (const n of phases) {
    const vms = plan.vms.filter((v) => v.phaseNumber === n);
    const hosts = vms.flatMap((vm) => {
      const need = needOf(vm);
      return need ? [{ name: vm.host, memoryMiB: need.memoryMiB, vcpus: need.vcpus, images: imagesOf(vm) }] : [];
    });
    const memoryMiB = running + hosts.reduce((a, h) => a + h.memoryMiB, 0);
    const reasons: string[] = [];
    if (!facts.kvm.ok) reasons.push(`no usable KVM: ${facts.kvm.why}`);
    if (memoryMiB > facts.memAvailableMiB) reasons.push(`needs ${gib(memoryMiB)} of memory with the phases before it (${hosts.map((h) => `${h.name} ${gib(h.memoryMiB)}`).join(', ') || 'no new guests'}); this machine has ${gib(facts.memAvailableMiB)} available`);
    for (const name of [...new Set(hosts.flatMap((h) => h.images))]) {
      const state = images[name] ?? 'not in images.yaml';
      if (state !== 'cached') reasons.push(`image ${name}: ${state}${state === 'missing' ? ` (\`builder images sync ${name}\`)` : ''}`);
    }
    if (hosts.some((h) => plan.vms.find((v) => v.host === h.name)?.talos)) reasons.push('real Talos pulls its Kubernetes images from registries, which the rehearsal cannot reach (its uplink routes nowhere) unless the ISO carries Talos\'s image cache');
    if (n === 2 && lab.clusters.platform?.gitops) reasons.push(`Argo CD syncs from ${lab.clusters.platform.gitops.repo}, which the rehearsal cannot reach`);
    if (n > 1 && out.length > 0 && !out[0]!.runs) reasons.push('needs phase 1 (its gateway routes the lab\'s networks)');
    out.push({ number: n, hosts, memoryMiB, runs: reasons.length === 0, reasons });
    running = memoryMiB;
  }
  return out;
}

/** Every image the real rehearsal of these phases would boot from. */
export function realImages(lab: Lab, phases: number[]): string[] {
  const plan = planRehearsal(lab, { id: 'fit', phases });
  return [...new Set(plan.vms.filter((v) => phases.includes(v.phaseNumber) && needOf(v)).flatMap(imagesOf))];
}

const gib = (mib: number) => `${(mib / 1024).toFixed(mib % 1024 === 0 ? 0 : 1)} GiB`;

export function formatRealFit(fits: RealPhaseFit[], facts: MachineFacts): string {
  const lines = [`rehearse: the real rehearsal (real Talos, VyOS and Harvester as KVM guests) on this machine: ${facts.cpus} CPUs, ${gib(facts.memAvailableMiB)} available, KVM ${facts.kvm.ok ? 'usable' : `not usable (${facts.kvm.why})`}`];
  for (const f of fits) {
    lines.push(`  phase ${f.number}: ${f.runs ? 'fits' : 'skipped'} — ${f.hosts.map((h) => `${h.name} ${gib(h.memoryMiB)}/${h.vcpus} vCPU`).join(', ') || 'no new guests'}; ${gib(f.memoryMiB)} in all`);
    for (const r of f.reasons) lines.push(`    - ${r}`);
  }
  lines.push('  figures: ' + Object.values(REAL_VM_NEEDS).map((n) => n.source).join('; '));
  return `${lines.join('\n')}\n`;
}
