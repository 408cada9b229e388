import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLab, type Lab } from '@lab/shared';
import { planJoinTargets } from '../../src/collector/join/targets.js';
import { LAB_FILE } from './helpers.js';

function exampleLab(): Lab {
  const parsed = parseLab(readFileSync(LAB_FILE, 'utf8'), LAB_FILE);
  if (!parsed.ok) throw new Error(`example lab does not parse: ${JSON.stringify(parsed.problems)}`);
  return parsed.lab;
}

describe('the Harvester join watcher targets each host at its management address', () => {
  it('uses the address on clusters.harvester.network, not the first one listed', () => {
    const lab = exampleLab();
    const network = lab.clusters.harvester!.network;
    // List the provisioning address first: the watcher must still pick the management one.
    for (const h of lab.hosts) if (h.role === 'harvester') h.addresses = [...h.addresses.filter((a) => a.network !== network), ...h.addresses.filter((a) => a.network === network)];
    const first = lab.hosts.find((h) => h.name === 'ms02-1')!;
    expect(first.addresses[0]!.network).not.toBe(network);

    const targets = planJoinTargets(lab, { sshKey: 'key', knownHostsFile: '/tmp/known_hosts' });
    const expected = lab.clusters.harvester!.hosts.map((name) => {
      const h = lab.hosts.find((x) => x.name === name)!;
      return { name, address: h.addresses.find((a) => a.network === network)!.address };
    });
    expect(targets.harvester!.hosts).toEqual(expected);
    expect(targets.harvester!.hosts[0]).toEqual({ name: 'ms02-1', address: '10.10.10.11' });
  });
});
