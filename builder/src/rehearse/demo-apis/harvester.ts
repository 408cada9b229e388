import { generateKeyPairSync } from 'node:crypto';
import { nodeAddresses, type Lab } from '@lab/shared';
import { caOf, newCa, serialNumber, unb64, type CertAndKey } from '../../secrets/talos-bundle.js';
import { createCertificate, toPem } from '../../secrets/x509.js';
import { toYaml } from '../../render/yaml.js';
import { demoServerCert } from './certs.js';

/**
 * The demo Harvester cluster's RKE2 credentials, made fresh for each rehearsal: its own CA, the
 * API server's serving certificate (for 127.0.0.1, where rke2.yaml points, and each host's
 * management address, where the collector's watcher dials) and the admin client certificate
 * RKE2 puts in /etc/rancher/rke2/rke2.yaml. Real RKE2 generates all of these on the first
 * server's first boot; the demo generates them here and bakes the admin kubeconfig into the
 * installed image the PXE service serves (which is why that image is a secret, 0600).
 */
export interface DemoHarvesterCluster {
  ca: string;
  server: { cert: string; key: string };
  /** /etc/rancher/rke2/rke2.yaml as RKE2 writes it: server https://127.0.0.1:6443, admin client certificate. */
  rke2Yaml: string;
}

export function demoHarvesterCluster(lab: Lab, now = new Date()): DemoHarvesterCluster {
  const ca: CertAndKey = newCa({ commonName: 'rke2-server-ca' }, 'ecdsa', now);
  const addresses = (lab.clusters.harvester?.hosts ?? []).flatMap((n) => {
    const h = lab.hosts.find((x) => x.name === n);
    return h ? nodeAddresses(lab, h) : [];
  });
  const server = demoServerCert(ca, 'kube-apiserver', ['127.0.0.1', ...addresses], ['localhost', 'kubernetes', 'kubernetes.default.svc']);
  const issuer = caOf(ca);
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  // RKE2's admin: CN system:admin in system:masters.
  const der = createCertificate(
    { subject: { commonName: 'system:admin', organization: ['system:masters'] }, publicKey: pair.publicKey, serial: serialNumber(), notBefore: new Date(now.getTime() - 60_000), notAfter: new Date(now.getTime() + 24 * 3600_000), isCA: false, keyUsage: ['digitalSignature', 'keyEncipherment'], extKeyUsage: ['clientAuth'] },
    { certificate: issuer.certificate, privateKey: issuer.privateKey },
  );
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const clientKey = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const rke2Yaml = toYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'default', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': ca.crt } }],
    users: [{ name: 'default', user: { 'client-certificate-data': b64(toPem('CERTIFICATE', der)), 'client-key-data': b64(clientKey) } }],
    contexts: [{ name: 'default', context: { cluster: 'default', user: 'default' } }],
    'current-context': 'default',
    preferences: {},
  });
  return { ca: unb64(ca.crt), server: { cert: server.cert.toString(), key: server.key.toString() }, rke2Yaml };
}
