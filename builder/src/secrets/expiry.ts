import { X509Certificate } from 'node:crypto';
import { fromPem } from './x509.js';
import { unb64 } from './talos-bundle.js';
import type { LabSecrets } from './types.js';

export interface Expiry {
  what: string;
  notAfter: Date;
  daysLeft: number;
}

/** When each certificate of the lab expires (admin client certificates and CAs). Pure. */
export function certificateExpiries(s: LabSecrets, now: Date): Expiry[] {
  const entries: [string, string][] = [
    ['Talos admin client certificate (talosconfig)', s.admin.talos.crt],
    ['Kubernetes admin client certificate (kubeconfig)', s.admin.kubernetes.crt],
    ['OS (Talos API) CA', s.talos.certs.os.crt],
    ['Kubernetes CA', s.talos.certs.k8s.crt],
    ['etcd CA', s.talos.certs.etcd.crt],
    ['aggregator CA', s.talos.certs.k8saggregator.crt],
  ];
  return entries.map(([what, crt]) => {
    const notAfter = new Date(new X509Certificate(fromPem(unb64(crt), 'CERTIFICATE')).validTo);
    return { what, notAfter, daysLeft: Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000) };
  });
}
