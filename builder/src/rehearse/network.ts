import type { RehearsalPlan, TapEnd, VmPlan } from './plan.js';

/**
 * The rehearsal's namespaces and taps as iproute2 commands, in order (pure). Every command names
 * a namespace the rehearsal creates (`ip -n NS`, `ip netns add NS`); none touches the host's own
 * namespace, so the lab's addresses are bound and routed only inside the rehearsal.
 */
export interface NetStep {
  args: string[];
  /** A namespace this step creates: recorded in the state file before the step runs. */
  creates?: string;
}

const ip = (...args: string[]): NetStep => ({ args });

function taps(plan: RehearsalPlan): TapEnd[] {
  return [plan.laptop, ...(plan.uplink ? [plan.uplink] : []), ...(plan.pxe ? [plan.pxe] : [])];
}

/** Namespaces, and the taps QEMU opens in the lab namespace. */
export function networkSteps(plan: RehearsalPlan): NetStep[] {
  const steps: NetStep[] = [];
  for (const ns of Object.values(plan.namespaces)) steps.push({ args: ['netns', 'add', ns], creates: ns }, ip('-n', ns, 'link', 'set', 'lo', 'up'));
  for (const t of taps(plan)) steps.push(ip('-n', plan.namespaces.lab, 'tuntap', 'add', 'dev', t.ifname, 'mode', 'tap'));
  return steps;
}

/**
 * Once a VM's QEMU holds its taps: move each into the namespace at its far end (the laptop, the
 * upstream router) and address it there. The tap keeps working for QEMU across the move.
 */
export function tapSteps(plan: RehearsalPlan, vm: VmPlan): NetStep[] {
  const steps: NetStep[] = [];
  for (const nic of vm.nics) {
    if (nic.link.kind !== 'tap') continue;
    const ifname = nic.link.ifname;
    const t = taps(plan).find((x) => x.ifname === ifname);
    if (!t) continue;
    steps.push(ip('-n', plan.namespaces.lab, 'link', 'set', t.ifname, 'netns', t.ns));
    steps.push(ip('-n', t.ns, 'addr', 'add', `${t.address}/${t.prefix}`, 'dev', t.ifname));
    steps.push(ip('-n', t.ns, 'link', 'set', t.ifname, 'up'));
    if (t.gateway) steps.push(ip('-n', t.ns, 'route', 'add', 'default', 'via', t.gateway));
    if (t.blackholeDefault) steps.push(ip('-n', t.ns, 'route', 'add', 'blackhole', 'default'));
  }
  return steps;
}
