import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { AddressMap, FactReader } from './facts.js';

/** Reads facts from the live system, optionally under a different root (tests use a fixture tree). */
export function systemReader(root = '/'): FactReader {
  const at = (p: string): string => join(root, p);
  return {
    read(path) {
      try {
        return readFileSync(at(path), 'utf8').trim();
      } catch {
        return null;
      }
    },
    list(dir) {
      try {
        return readdirSync(at(dir));
      } catch {
        return [];
      }
    },
    exists: (path) => existsSync(at(path)),
  };
}

export function systemAddresses(): AddressMap {
  const out: AddressMap = {};
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    out[name] = (addrs ?? []).filter((a) => !a.internal).map((a) => a.cidr ?? a.address);
  }
  return out;
}
