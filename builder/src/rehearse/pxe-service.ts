import { parse, stringify } from 'yaml';
import type { Lab } from '@lab/shared';
import { UserError } from '../base/index.js';
import { gatewayAgentYaml } from '../gateway-stick/index.js';

/**
 * The agent configuration of the rehearsal's PXE service (pure): the gateway agent's own, as
 * `make-usb --target vp6630` writes it from the lab (full-mode DHCP on pxe.network, the relayed
 * networks answered by giaddr, each PXE host's MAC and reservation, the HTTP port), with only
 * what must differ on this machine changed: the served tree and the agent's files live in the
 * rehearsal's directory, and it runs the PXE role alone (the host role would report this
 * machine's facts as the gateway's; the demo gateway reports its own boot).
 */
export function pxeAgentYaml(lab: Lab, token: string, dirs: { root: string; spool: string; installedFile: string }): string {
  const cfg = parse(gatewayAgentYaml(lab, token)) as { roles: string[]; spool: { dir: string }; status?: unknown; pxe?: { root: string; installedFile?: string } };
  if (!cfg.pxe) throw new UserError('ERR_REHEARSE_LAB', `rehearse: the lab runs its PXE service on ${lab.pxe?.host ?? 'no host'}, not on the gateway; the rehearsal runs the gateway's`, `set pxe.host to the gateway (${lab.gateway?.host ?? 'gateway'}) to rehearse PXE hosts`);
  cfg.roles = ['pxe'];
  cfg.spool.dir = dirs.spool;
  delete cfg.status;
  cfg.pxe.root = dirs.root;
  cfg.pxe.installedFile = dirs.installedFile;
  return `# The rehearsal's PXE service: the gateway agent's configuration, files moved into the rehearsal. Holds the collector token.\n${stringify(cfg)}`;
}
