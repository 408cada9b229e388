import { generateKeyPairSync } from 'node:crypto';
import { stringify } from 'yaml';
import { parseSecretYaml } from './safe-yaml.js';
import { createCertificate, toPem } from './x509.js';
import { caOf, privateKeyPem, serialNumber, type CertAndKey, type TalosSecretsBundle } from './talos-bundle.js';

/**
 * Administrator client credentials, issued once from the bundle's CAs and kept with the secrets
 * so that `talosconfig` and `kubeconfig` render byte-identically every time (ECDSA signatures
 * are randomised, so re-issuing on each render would change the files).
 */

export interface AdminCredentials {
  /** Talos API client: Ed25519 key, organisation `os:admin`, signed by the OS CA. */
  talos: CertAndKey;
  /** Kubernetes client: ECDSA P-256, CN admin, O system:masters, signed by the Kubernetes CA. */
  kubernetes: CertAndKey;
}

/** Talos issues its admin client certificates for one year (TalosAPIDefaultCertificateValidityDuration). */
export const ADMIN_VALIDITY_MS = 365 * 24 * 3600 * 1000;

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

export function issueAdminCredentials(bundle: TalosSecretsBundle, now: Date): AdminCredentials {
  const notAfter = new Date(now.getTime() + ADMIN_VALIDITY_MS);
  const os = caOf(bundle.certs.os);
  const talosKey = generateKeyPairSync('ed25519');
  const talosCert = createCertificate(
    {
      subject: { organization: ['os:admin'] },
      publicKey: talosKey.publicKey,
      serial: serialNumber(),
      notBefore: now,
      notAfter,
      isCA: false,
      keyUsage: ['digitalSignature'],
      extKeyUsage: ['clientAuth'],
    },
    { certificate: os.certificate, privateKey: os.privateKey },
  );
  const k8s = caOf(bundle.certs.k8s);
  const kubeKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kubeCert = createCertificate(
    {
      subject: { organization: ['system:masters'], commonName: 'admin' },
      publicKey: kubeKey.publicKey,
      serial: serialNumber(),
      notBefore: now,
      notAfter,
      isCA: false,
      keyUsage: ['digitalSignature', 'keyEncipherment'],
      extKeyUsage: ['clientAuth'],
    },
    { certificate: k8s.certificate, privateKey: k8s.privateKey },
  );
  return {
    talos: { crt: b64(toPem('CERTIFICATE', talosCert)), key: b64(privateKeyPem(talosKey.privateKey)) },
    kubernetes: { crt: b64(toPem('CERTIFICATE', kubeCert)), key: b64(privateKeyPem(kubeKey.privateKey)) },
  };
}

export function adminCredentialsYaml(admin: AdminCredentials): string {
  return stringify(
    { talos: { crt: admin.talos.crt, key: admin.talos.key }, kubernetes: { crt: admin.kubernetes.crt, key: admin.kubernetes.key } },
    { indent: 2, lineWidth: 0 },
  );
}

export function parseAdminCredentials(text: string): AdminCredentials {
  const data = parseSecretYaml(text, 'the file') as Partial<AdminCredentials> | null;
  const ok = (e: unknown): e is CertAndKey => typeof e === 'object' && e !== null && typeof (e as CertAndKey).crt === 'string' && typeof (e as CertAndKey).key === 'string';
  if (!data || !ok(data.talos) || !ok(data.kubernetes)) throw new Error('expected talos.crt, talos.key, kubernetes.crt and kubernetes.key');
  return { talos: data.talos, kubernetes: data.kubernetes };
}
