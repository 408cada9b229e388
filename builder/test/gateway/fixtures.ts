import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseLab, type Lab } from '@lab/shared';
import type { GatewayLoginSecrets } from '../../src/vyos/gateway/index.js';

export const EXAMPLE_LAB = fileURLToPath(new URL('../../../examples/genesis/lab.yaml', import.meta.url));
export const REFERENCE_GATEWAY = fileURLToPath(new URL('../../../../shared/reference/seed-lab/gateway.conf', import.meta.url));

export function exampleLab(): Lab {
  const result = parseLab(readFileSync(EXAMPLE_LAB, 'utf8'), EXAMPLE_LAB);
  if (!result.ok) throw new Error(`example lab invalid: ${JSON.stringify(result.problems)}`);
  return result.lab;
}

/** An OpenSSH `ssh-ed25519` public key line for a fresh key (RFC 8709 wire format). */
export function ed25519PublicKeyLine(comment = 'test'): { line: string; privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const field = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const blob = Buffer.concat([field(Buffer.from('ssh-ed25519')), field(raw)]);
  return { line: `ssh-ed25519 ${blob.toString('base64')} ${comment}`, privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() };
}

/** `openssl passwd -6 -salt fixturesalt0123 not-a-real-password`: a real sha512-crypt hash of a throw-away password. */
export const FIXTURE_HASH = '$6$fixturesalt0123$YZcg3Y6.Dh2Cj9a2uqtkPbaLVAanyc0QGAdAzPCtQSxbKYuuTP1I5uVItkCpTo9j3FbLbGzyQB4jcFbiUTbVh.';

export function fixtureSecrets(): GatewayLoginSecrets {
  return { login: { passwordHash: FIXTURE_HASH }, ssh: { publicKey: ed25519PublicKeyLine().line } };
}
