import type { Lab } from '@lab/shared';
import { pxeAgentHosts } from '../../gateway-stick/index.js';
import { pxeBase } from '../../render/pxe-urls.js';
import type { PxeMarksOptions } from './index.js';

/**
 * What the collector needs to mark installs at the lab's PXE agent (pure): the agent's HTTP
 * service on pxe.address, the hosts that boot by PXE with the MAC the agent knows them by (its
 * agent.yaml is made from the same list), and the host the agent runs on. Hosts with
 * `pxe.reinstall` are never marked but re-armed: the lab asks for an install on every network
 * boot. None without a pxe section.
 */
export function pxeMarksFromLab(lab: Lab, token: string): PxeMarksOptions | undefined {
  const base = pxeBase(lab);
  if (!lab.pxe || !base) return undefined;
  const all = pxeAgentHosts(lab);
  const pick = (reinstall: boolean) => all.filter((h) => Boolean(h.reinstall) === reinstall).map((h) => ({ name: h.name, mac: h.mac }));
  return { base, token, hosts: pick(false), reinstall: pick(true), agentHost: lab.pxe.host };
}
