import type { Lab } from '@lab/shared';
import { UsageError, UserError } from '../base/index.js';
import { GATEWAY_USER, placeNetworks } from '../vyos/gateway/index.js';

export interface GatewayTarget {
  host: string;
  port: number;
  user: string;
}

/**
 * Where builder reaches the gateway: `--host ADDR[:PORT]` when given, else the gateway's address
 * on the management network (where the operator's laptop sits), on the lab's SSH port.
 */
export function gatewayTarget(lab: Lab, flags: { host?: string; user?: string }): GatewayTarget {
  const gw = lab.gateway;
  if (!gw) throw new UserError('ERR_LAB_NO_GATEWAY', 'the lab has no gateway section, so there is no gateway to reach', 'add a gateway: section to the lab file');
  let host: string | undefined;
  let port = gw.ssh.port;
  if (flags.host) {
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(flags.host);
    if (!m) throw new UsageError('ERR_USAGE_FLAG_VALUE', `--host ${flags.host}: write ADDRESS or ADDRESS:PORT`);
    host = m[1]!.replace(/^\[|\]$/g, '');
    if (m[2]) port = Number(m[2]);
  } else {
    const placements = placeNetworks(lab, gw);
    const mgmt = placements.find((p) => p.network.purpose === 'management' && p.address);
    host = mgmt?.address?.split('/')[0];
    if (!host) throw new UserError('ERR_GATEWAY_NO_ADDRESS', 'the lab has no management network with a gateway address to reach the gateway on', 'pass the address with --host ADDRESS[:PORT]');
  }
  return { host, port, user: flags.user ?? GATEWAY_USER };
}
