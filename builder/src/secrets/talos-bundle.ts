import { X509Certificate, createPrivateKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { stringify } from 'yaml';
import { createCertificate, fromPem, toPem, type DistinguishedName } from './x509.js';
import { base64Key, clusterId, kubeToken } from './random.js';

/**
 * The Talos secrets bundle, in the shape `talosctl gen secrets` writes (and talhelper
 * `gensecret` reads): certificates and keys are base64 of their PEM text. Key types follow
 * Talos v1.12: etcd, Kubernetes and aggregator CAs and the service-account key are ECDSA P-256,
 * the OS (Talos API) CA is Ed25519 with the PEM label `ED25519 PRIVATE KEY`.
 */

export interface CertAndKey {
  crt: string;
  key: string;
}

export interface TalosSecretsBundle {
  cluster: { id: string; secret: string };
  secrets: { bootstraptoken: string; secretboxencryptionsecret?: string; aescbcencryptionsecret?: string };
  trustdinfo: { token: string };
  certs: {
    etcd: CertAndKey;
    k8s: CertAndKey;
    k8saggregator: CertAndKey;
    k8sserviceaccount: { key: string };
    os: CertAndKey;
  };
}

/** CAs live ten years, as `talosctl gen secrets` makes them (87600h). */
export const CA_VALIDITY_MS = 87600 * 3600 * 1000;

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
export const unb64 = (text: string) => Buffer.from(text, 'base64').toString('utf8');

export function serialNumber(): Buffer {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b;
}

/** PEM text of a private key in the encoding Talos writes for its type. */
export function privateKeyPem(key: KeyObject): string {
  switch (key.asymmetricKeyType) {
    case 'ec':
      return key.export({ type: 'sec1', format: 'pem' }) as string;
    case 'ed25519':
      // Talos (siderolabs/crypto) labels PKCS#8 Ed25519 keys "ED25519 PRIVATE KEY".
      return toPem('ED25519 PRIVATE KEY', key.export({ type: 'pkcs8', format: 'der' }));
    case 'rsa':
      return key.export({ type: 'pkcs1', format: 'pem' }) as string;
    default:
      throw new Error(`unsupported key type ${String(key.asymmetricKeyType)}`);
  }
}

/** Reads a private key from any PEM form Talos bundles use. */
export function parsePrivateKeyPem(pem: string): KeyObject {
  if (pem.includes('ED25519 PRIVATE KEY')) {
    return createPrivateKey({ key: fromPem(pem, 'ED25519 PRIVATE KEY'), format: 'der', type: 'pkcs8' });
  }
  return createPrivateKey(pem);
}

/** A CA certificate and key (base64 of their PEM), as `talosctl gen secrets` makes its CAs. */
export function newCa(subject: DistinguishedName, kind: 'ecdsa' | 'ed25519', now: Date): CertAndKey {
  const { privateKey, publicKey } = kind === 'ecdsa' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  const der = createCertificate(
    {
      subject,
      publicKey,
      serial: serialNumber(),
      notBefore: now,
      notAfter: new Date(now.getTime() + CA_VALIDITY_MS),
      isCA: true,
      keyUsage: ['digitalSignature', 'keyCertSign'],
      extKeyUsage: ['serverAuth', 'clientAuth'],
    },
    { privateKey },
  );
  return { crt: b64(toPem('CERTIFICATE', der)), key: b64(privateKeyPem(privateKey)) };
}

export function generateTalosBundle(now: Date): TalosSecretsBundle {
  const sa = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  return {
    cluster: { id: clusterId(), secret: base64Key() },
    secrets: { bootstraptoken: kubeToken(), secretboxencryptionsecret: base64Key() },
    trustdinfo: { token: kubeToken() },
    certs: {
      etcd: newCa({ organization: ['etcd'] }, 'ecdsa', now),
      k8s: newCa({ organization: ['kubernetes'] }, 'ecdsa', now),
      k8saggregator: newCa({ commonName: 'front-proxy' }, 'ecdsa', now),
      k8sserviceaccount: { key: b64(privateKeyPem(sa)) },
      os: newCa({ organization: ['talos'] }, 'ed25519', now),
    },
  };
}

/** YAML as `talosctl gen secrets` prints it (four-space indent, fields in its order). */
export function talosBundleYaml(bundle: TalosSecretsBundle): string {
  const secrets: Record<string, string> = { bootstraptoken: bundle.secrets.bootstraptoken };
  if (bundle.secrets.aescbcencryptionsecret) secrets.aescbcencryptionsecret = bundle.secrets.aescbcencryptionsecret;
  if (bundle.secrets.secretboxencryptionsecret) secrets.secretboxencryptionsecret = bundle.secrets.secretboxencryptionsecret;
  const ordered = {
    cluster: { id: bundle.cluster.id, secret: bundle.cluster.secret },
    secrets,
    trustdinfo: { token: bundle.trustdinfo.token },
    certs: {
      etcd: { crt: bundle.certs.etcd.crt, key: bundle.certs.etcd.key },
      k8s: { crt: bundle.certs.k8s.crt, key: bundle.certs.k8s.key },
      k8saggregator: { crt: bundle.certs.k8saggregator.crt, key: bundle.certs.k8saggregator.key },
      k8sserviceaccount: { key: bundle.certs.k8sserviceaccount.key },
      os: { crt: bundle.certs.os.crt, key: bundle.certs.os.key },
    },
  };
  return stringify(ordered, { indent: 4, lineWidth: 0 });
}

/** The decoded CA certificate (DER) and key of a bundle entry. */
export function caOf(entry: CertAndKey): { certificate: Buffer; x509: X509Certificate; privateKey: KeyObject } {
  const certificate = fromPem(unb64(entry.crt), 'CERTIFICATE');
  return { certificate, x509: new X509Certificate(certificate), privateKey: parsePrivateKeyPem(unb64(entry.key)) };
}
