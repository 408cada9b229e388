import { hostByName, type Lab } from '@lab/shared';
import type { Command } from './command.js';
import { parseFlags } from './args.js';
import { UsageError, UserError } from '../base/index.js';
import { EXIT } from './exit.js';
import { collectorContext } from './collector-flags.js';
import { readCollectorToken } from '../collector/token.js';
import { pxeNic } from '../render/ipxe.js';
import { pxeBase, pxeUrls } from '../render/pxe-urls.js';
import { DEFAULT_LAB_FILE } from '../state/index.js';

export const pxeRearmCommand: Command = {
  name: 'pxe rearm',
  help: `Usage: builder pxe rearm HOST [--lab FILE] [--state DIR] [--url URL]

Once a host's install is reported done (Harvester's SUCCEEDED webhook, or a Talos install the
collector saw), the PXE service answers its network boots with iPXE \`exit\`, so the firmware
boots the disk instead of reinstalling. This re-arms HOST: its next network boot installs again.
It asks the PXE service on the lab's pxe.address (DELETE /v1/pxe/installed/<mac>, with the
collector token). To install on every network boot instead, set pxe: { reinstall: true } on the
host in the lab: builder collect then takes back any mark for it, and a gateway stick made from
that lab ignores marks for it.

  --lab FILE   the lab file (default ${DEFAULT_LAB_FILE})
  --state DIR  the lab's state directory (default: state/ beside the lab file)
  --url URL    the PXE service (default: http://<pxe.address>:<pxe.httpPort>)

Exit codes: 0 re-armed (or was not marked), 1 the service did not answer or refused, 2 usage error.`,
  async run(argv, io) {
    const { values, positionals } = parseFlags('pxe rearm', argv, { lab: { type: 'string' }, state: { type: 'string' }, url: { type: 'string' } }, true);
    const name = positionals[0];
    if (!name || positionals.length > 1) throw new UsageError('ERR_USAGE_ARGUMENTS', 'pxe rearm takes one HOST', 'name the lab host to re-arm, for example `builder pxe rearm ms02-1`');
    const ctx = await collectorContext(values, io.cwd);
    const mac = pxeMac(ctx.lab, name);
    const base = values.url ?? pxeBase(ctx.lab);
    if (!base) throw new UserError('ERR_PXE_NOT_CONFIGURED', 'the lab has no pxe section, so no PXE service to re-arm a host on', 'add pxe: { host, network, address } to the lab, or pass --url');
    const token = await readCollectorToken(ctx.paths);
    const url = pxeUrls(base.replace(/\/+$/, '')).installed(mac);
    let res: Response;
    try {
      res = await fetch(url, { method: 'DELETE', headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
    } catch (err) {
      throw new UserError('ERR_PXE_UNREACHABLE', `the PXE service at ${base} did not answer (${(err as Error).message})`, 'check that the gateway agent runs and this machine reaches pxe.address, or pass --url', { cause: err });
    }
    const body = (await res.text()).trim();
    if (!res.ok) throw new UserError('ERR_PXE_UNREACHABLE', `the PXE service at ${base} refused the re-arm of ${name}: HTTP ${res.status} ${body}`, 'check the lab\'s collector token (the agent takes the same one)');
    io.out(`${name} (${mac}): ${body}\n`);
    return EXIT.ok;
  },
};

function pxeMac(lab: Lab, name: string): string {
  let host;
  try {
    host = hostByName(lab, name);
  } catch {
    throw new UsageError('ERR_USAGE_ARGUMENTS', `there is no host ${name} in the lab`, `name one of: ${lab.hosts.map((h) => h.name).join(', ')}`);
  }
  const nic = host.boot === 'pxe' ? pxeNic(host) : undefined;
  if (!nic) throw new UsageError('ERR_USAGE_ARGUMENTS', `host ${name} does not boot by PXE (boot: ${host.boot}, ${host.nics.length} NICs)`, 'name a host with boot: pxe and a NIC');
  return nic.mac.toLowerCase().replace(/-/g, ':');
}
