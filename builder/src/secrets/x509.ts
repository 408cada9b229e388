import { X509Certificate, createHash, sign, type KeyObject } from 'node:crypto';
import * as der from './der.js';
import { children, readElement } from './der-read.js';

/**
 * X.509 v3 certificates built with node:crypto for keys and signatures and a small DER encoder
 * for the structure (node:crypto parses and verifies certificates but cannot create them).
 * Supports the key types Talos bundles use: Ed25519, ECDSA P-256 (and RSA for imported bundles).
 */

const OID = {
  organization: '2.5.4.10',
  commonName: '2.5.4.3',
  ed25519: '1.3.101.112',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  basicConstraints: '2.5.29.19',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

export interface DistinguishedName {
  organization?: string[];
  commonName?: string;
}

export type KeyUsage = 'digitalSignature' | 'keyEncipherment' | 'keyCertSign';
const KEY_USAGE_BIT: Record<KeyUsage, number> = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5 };

export interface CertificateSpec {
  subject: DistinguishedName;
  publicKey: KeyObject;
  /** Big-endian serial number bytes (positive). */
  serial: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  isCA: boolean;
  keyUsage: KeyUsage[];
  extKeyUsage: ('serverAuth' | 'clientAuth')[];
  dnsNames?: string[];
  ipAddresses?: string[];
}

export interface Issuer {
  /** The issuer's certificate (DER); undefined for a self-signed certificate. */
  certificate?: Uint8Array;
  privateKey: KeyObject;
}

export function encodeName(name: DistinguishedName): Buffer {
  const rdns: Buffer[] = [];
  for (const o of name.organization ?? []) rdns.push(der.set(der.sequence(der.oid(OID.organization), der.directoryString(o))));
  if (name.commonName !== undefined) rdns.push(der.set(der.sequence(der.oid(OID.commonName), der.directoryString(name.commonName))));
  return der.sequence(...rdns);
}

function signatureAlgorithm(key: KeyObject): { algorithm: Buffer; sign: (data: Buffer) => Buffer } {
  switch (key.asymmetricKeyType) {
    case 'ed25519':
      return { algorithm: der.sequence(der.oid(OID.ed25519)), sign: (d) => sign(null, d, key) };
    case 'ec':
      return { algorithm: der.sequence(der.oid(OID.ecdsaWithSha256)), sign: (d) => sign('sha256', d, { key, dsaEncoding: 'der' }) };
    case 'rsa':
      return { algorithm: der.sequence(der.oid(OID.sha256WithRsa), der.nullValue()), sign: (d) => sign('sha256', d, key) };
    default:
      throw new Error(`unsupported signing key type ${String(key.asymmetricKeyType)}`);
  }
}

/** The subjectPublicKey bits of a public key, the input of the key identifier (RFC 5280 4.2.1.2, method 1). */
function publicKeyBits(spki: Buffer): Buffer {
  const outer = readElement(spki, 0);
  const [, bits] = children(spki, outer);
  if (!bits || bits.tag !== 0x03) throw new Error('SPKI without a BIT STRING');
  return spki.subarray(bits.contentStart + 1, bits.end);
}

export function keyIdentifier(publicKey: KeyObject): Buffer {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha1').update(publicKeyBits(spki)).digest();
}

/** The subject Name (DER) of a certificate, exactly as encoded there. */
export function subjectOf(certificate: Uint8Array): Buffer {
  const cert = readElement(certificate, 0);
  const [tbs] = children(certificate, cert);
  const fields = children(certificate, tbs!);
  // version [0] is present in v3 certificates: serial, signature, issuer, validity, subject.
  const offset = fields[0]!.tag === 0xa0 ? 1 : 0;
  const subject = fields[offset + 4]!;
  return Buffer.from(certificate.subarray(subject.start, subject.end));
}

function ipBytes(ip: string): Buffer {
  return Buffer.from(ip.split('.').map(Number));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return der.sequence(der.oid(id), ...(critical ? [der.boolean(true)] : []), der.octetString(value));
}

function keyUsageBits(usages: KeyUsage[]): Buffer {
  let value = 0;
  for (const u of usages) value |= 0x80 >> KEY_USAGE_BIT[u];
  let unused = 0;
  while (unused < 7 && (value & (1 << unused)) === 0) unused++;
  return der.bitString(Buffer.from([value]), unused);
}

/** Builds and signs a certificate; returns its DER bytes. */
export function createCertificate(spec: CertificateSpec, issuer: Issuer): Buffer {
  const sig = signatureAlgorithm(issuer.privateKey);
  const subjectName = encodeName(spec.subject);
  const issuerName = issuer.certificate ? subjectOf(issuer.certificate) : subjectName;
  const issuerKeyId = keyIdentifier(issuer.certificate ? new X509Certificate(Buffer.from(issuer.certificate)).publicKey : spec.publicKey);

  const extensions: Buffer[] = [
    extension(OID.keyUsage, true, keyUsageBits(spec.keyUsage)),
  ];
  if (spec.extKeyUsage.length > 0) extensions.push(extension(OID.extKeyUsage, false, der.sequence(...spec.extKeyUsage.map((u) => der.oid(OID[u])))));
  extensions.push(extension(OID.basicConstraints, true, spec.isCA ? der.sequence(der.boolean(true)) : der.sequence()));
  extensions.push(extension(OID.subjectKeyId, false, der.octetString(keyIdentifier(spec.publicKey))));
  if (issuer.certificate) extensions.push(extension(OID.authorityKeyId, false, der.sequence(der.tlv(0x80, issuerKeyId))));
  const names = [
    ...(spec.dnsNames ?? []).map((n) => der.tlv(0x82, Buffer.from(n, 'ascii'))),
    ...(spec.ipAddresses ?? []).map((ip) => der.tlv(0x87, ipBytes(ip))),
  ];
  if (names.length > 0) extensions.push(extension(OID.subjectAltName, false, der.sequence(...names)));

  const tbs = der.sequence(
    der.explicit(0, der.smallInteger(2)),
    der.unsignedInteger(spec.serial),
    sig.algorithm,
    issuerName,
    der.sequence(der.time(spec.notBefore), der.time(spec.notAfter)),
    subjectName,
    spec.publicKey.export({ type: 'spki', format: 'der' }),
    der.explicit(3, der.sequence(...extensions)),
  );
  return der.sequence(tbs, sig.algorithm, der.bitString(sig.sign(tbs)));
}

export function toPem(label: string, bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export function fromPem(pem: string, label: string): Buffer {
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(pem);
  if (!m) throw new Error(`no ${label} PEM block`);
  return Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
}
