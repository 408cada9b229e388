import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseLab, type Lab } from '@lab/shared';
import { renderKubeconfig, renderTalosconfig } from '../../builder/src/render/clients.js';
import { issueAdminCredentials } from '../../builder/src/secrets/admin.js';
import { caOf, generateTalosBundle, serialNumber, type TalosSecretsBundle } from '../../builder/src/secrets/talos-bundle.js';
import { createCertificate, toPem } from '../../builder/src/secrets/x509.js';
import type { LabSecrets } from '../../builder/src/secrets/types.js';

export const LAB_FILE = fileURLToPath(new URL('../../examples/genesis/lab.yaml', import.meta.url));

export function exampleLab(): Lab {
  const parsed = parseLab(readFileSync(LAB_FILE, 'utf8'), LAB_FILE);
  if (!parsed.ok) throw new Error('example lab invalid');
  return parsed.lab;
}

export interface ServerCert {
  key: Buffer;
  cert: Buffer;
}

/**
 * The lab's real credentials as `builder secrets init` makes them (a Talos secrets bundle and the
 * admin client certificates issued from its CAs), the rendered talosconfig and kubeconfig, and
 * loopback server certificates signed by the same CAs: the stand-ins present what apid (OS CA)
 * and kube-apiserver (Kubernetes CA) would, so the watchers verify them exactly as they would
 * the lab's.
 */
export function labCredentials(lab: Lab) {
  const now = new Date();
  const bundle: TalosSecretsBundle = generateTalosBundle(now);
  const admin = issueAdminCredentials(bundle, now);
  const secrets = { talos: bundle, admin } as unknown as LabSecrets;
  const serverCert = (ca: 'os' | 'k8s'): ServerCert => {
    const issuer = caOf(bundle.certs[ca]);
    const pair = ca === 'os' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const der = createCertificate(
      { subject: { commonName: ca === 'os' ? 'apid' : 'kube-apiserver' }, publicKey: pair.publicKey, serial: serialNumber(), notBefore: now, notAfter: new Date(now.getTime() + 3600_000), isCA: false, keyUsage: ['digitalSignature', 'keyEncipherment'], extKeyUsage: ['serverAuth'], ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'] },
      { certificate: issuer.certificate, privateKey: issuer.privateKey },
    );
    return { key: Buffer.from(pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string), cert: Buffer.from(toPem('CERTIFICATE', der)) };
  };
  return {
    talosconfig: renderTalosconfig(lab, secrets),
    kubeconfig: renderKubeconfig(lab, secrets),
    osCa: Buffer.from(bundle.certs.os.crt, 'base64'),
    k8sCa: Buffer.from(bundle.certs.k8s.crt, 'base64'),
    apidCert: serverCert('os'),
    kubeCert: serverCert('k8s'),
  };
}
