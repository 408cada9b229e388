import { generateKeyPairSync } from 'node:crypto';
import { caOf, serialNumber, type CertAndKey } from '../../secrets/talos-bundle.js';
import { createCertificate, toPem } from '../../secrets/x509.js';

export interface ServerCert {
  key: Buffer;
  cert: Buffer;
}

/**
 * A serving certificate for a demo stand-in, signed by the lab's own CA (the OS CA for apid, the
 * Kubernetes CA for the API server), valid for the addresses the clients dial: the watchers then
 * verify it exactly as they would the real node's. apid's is Ed25519 like Talos's; the API
 * server's ECDSA P-256. One hour is plenty: a rehearsal issues fresh ones each run.
 */
export function demoServerCert(ca: CertAndKey, what: 'apid' | 'kube-apiserver', ipAddresses: string[], dnsNames: string[] = ['localhost'], now = new Date()): ServerCert {
  const issuer = caOf(ca);
  const pair = what === 'apid' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = createCertificate(
    { subject: { commonName: what }, publicKey: pair.publicKey, serial: serialNumber(), notBefore: new Date(now.getTime() - 60_000), notAfter: new Date(now.getTime() + 3600_000), isCA: false, keyUsage: ['digitalSignature', 'keyEncipherment'], extKeyUsage: ['serverAuth'], ipAddresses: [...new Set(ipAddresses)], dnsNames },
    { certificate: issuer.certificate, privateKey: issuer.privateKey },
  );
  return { key: Buffer.from(pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string), cert: Buffer.from(toPem('CERTIFICATE', der)) };
}
