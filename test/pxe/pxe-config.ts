import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { AgentConfigInput, PxeConfigInput } from '@lab/shared';

/** Writes an agent.yaml (mode 0600) for a PXE service on a LabNet; returns its path and dirs. */
export function writePxeAgentConfig(opts: { serverIp: string; n: number; collectorUrl: string; token: string; hosts: PxeConfigInput['hosts']; root?: string; chainload?: boolean }): { config: string; dir: string; root: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pxe-agent-'));
  const root = opts.root ?? join(dir, 'root');
  mkdirSync(root, { recursive: true });
  const cfg: AgentConfigInput = {
    collector: { url: opts.collectorUrl, token: opts.token },
    host: { name: 'gateway' },
    roles: ['pxe'],
    spool: { dir: join(dir, 'spool') },
    pxe: {
      mode: 'full',
      address: opts.serverIp,
      range: [`172.31.${opts.n}.100`, `172.31.${opts.n}.150`],
      router: opts.serverIp,
      dns: [opts.serverIp],
      root,
      hosts: opts.hosts,
      chainload: opts.chainload ?? false,
    },
  };
  const config = join(dir, 'agent.yaml');
  writeFileSync(config, stringify(cfg), { mode: 0o600 });
  return { config, dir, root };
}
