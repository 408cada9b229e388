import { join } from 'node:path';
import type { Lab } from '@lab/shared';
import { demoVyosBase } from '../demo-bases/index.js';
import { makeGatewayStick } from '../gateway-stick/index.js';
import { builtAgent } from '../media/rendered.js';
import type { LabSecrets } from '../secrets/index.js';
import { UserError } from '../base/index.js';

/**
 * The gateway's stick for the rehearsal, built by make-usb's own code (gateway-stick/) from the
 * demo VyOS base and the rehearsal's lab and secrets (state/rehearsal/state): config.boot,
 * commands.sh and agent.yaml as `make-usb --target vp6630` writes them. It carries the agent's
 * bundle but no single executable: the demo gateway (a 160 MiB VM) does not run the agent; the
 * PXE service runs beside it, and the demo gateway reports its own boot (demo-bases/vyos-gateway.ts).
 * No runbook and no PXE tree: the PXE service beside serves the rehearsal's. Written 0600.
 */
export async function rehearsalGatewayStick(o: { lab: Lab; secrets: LabSecrets; cacheDir: string; dir: string; log(text: string): void }): Promise<string> {
  const started = Date.now();
  const base = await demoVyosBase(o.cacheDir);
  const bundle = builtAgent().bundle;
  if (!bundle) throw new UserError('ERR_AGENT_NOT_BUILT', 'rehearse: the agent is not built, so the gateway stick has no agent to carry', 'run `npm run build` (it writes agent/dist/agent.cjs)');
  const host = o.lab.gateway?.host ?? 'gateway';
  const out = join(o.dir, `${host}-vp6630-demo.iso`);
  const r = await makeGatewayStick({ lab: o.lab, secrets: o.secrets, base, out, agentBundle: bundle, runbook: [], pxeFiles: [], bootAssets: [] });
  o.log(`  make-usb --target vp6630: ${host}'s stick ${out} from the VyOS DEMO base ${base} (config.boot sha256 ${r.configSha256.slice(0, 12)}, ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  return out;
}
