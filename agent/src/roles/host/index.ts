import type { Reporter } from '../../reporter/reporter.js';
import { collectFacts, primaryMac, type HostFacts } from './facts.js';
import { systemAddresses, systemReader } from './read.js';

export { collectFacts, primaryMac, type HostFacts } from './facts.js';
export { systemReader, systemAddresses } from './read.js';

/** The host role: one `boot` event with identity and facts. */
export function runHostRole(reporter: Reporter, identity: { host?: string; mac?: string }): HostFacts {
  const facts = collectFacts(systemReader(), systemAddresses());
  const mac = identity.mac ?? primaryMac(facts);
  const host = identity.host ?? (mac ? undefined : (facts.hostname ?? 'localhost'));
  reporter.emit({
    source: 'agent',
    kind: 'boot',
    ...(host ? { host } : {}),
    ...(mac ? { mac } : {}),
    attrs: { ...facts },
  });
  return facts;
}
