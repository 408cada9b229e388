import type { ConfigPath } from '../vyos/index.js';

/** Leaf names whose values are secrets in a VyOS configuration (password hashes, keys, PSKs). */
const SECRET_LEAVES = /^(encrypted-password|plaintext-password|password|secret|shared-secret|pre-shared-secret|private-key|key)$/;

export function isSecretPath(p: ConfigPath): boolean {
  return p.value !== undefined && SECRET_LEAVES.test(p.path[p.path.length - 1] ?? '');
}

/** The path with its value masked when it is a secret, for printing. */
export function redactPath(p: ConfigPath): ConfigPath {
  return isSecretPath(p) ? { path: p.path, value: '<secret>' } : p;
}
