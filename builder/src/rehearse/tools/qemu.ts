import { spawnInNetns } from './ip.js';

/**
 * Adapter for qemu-system-x86_64, run inside the switch namespace where the VMs' taps are.
 * `-accel tcg`: the rehearsal must work without KVM (CI and most laptops' nested setups).
 */
export const QEMU = 'qemu-system-x86_64';

export function startQemu(ns: string, args: string[], logFile: string): { pid: number; exited: Promise<number | undefined> } {
  return spawnInNetns(ns, QEMU, args, logFile);
}
