import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseLab, type Lab } from '@lab/shared';
import { renderKubeconfig, renderTalosconfig } from '../../builder/src/render/clients.js';
import { issueAdminCredentials } from '../../builder/src/secrets/admin.js';
import { generateTalosBundle, type TalosSecretsBundle } from '../../builder/src/secrets/talos-bundle.js';
import { demoServerCert, type ServerCert } from '../../builder/src/rehearse/demo-apis/index.js';
import type { LabSecrets } from '../../builder/src/secrets/types.js';

export const LAB_FILE = fileURLToPath(new URL('../../examples/genesis/lab.yaml', import.meta.url));

export function exampleLab(): Lab {
  const parsed = parseLab(readFileSync(LAB_FILE, 'utf8'), LAB_FILE);
  if (!parsed.ok) throw new Error('example lab invalid');
  return parsed.lab;
}

export type { ServerCert };

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
  const serverCert = (ca: 'os' | 'k8s'): ServerCert => demoServerCert(bundle.certs[ca], ca === 'os' ? 'apid' : 'kube-apiserver', ['127.0.0.1'], ['localhost'], now);
  return {
    talosconfig: renderTalosconfig(lab, secrets),
    kubeconfig: renderKubeconfig(lab, secrets),
    osCa: Buffer.from(bundle.certs.os.crt, 'base64'),
    k8sCa: Buffer.from(bundle.certs.k8s.crt, 'base64'),
    apidCert: serverCert('os'),
    kubeCert: serverCert('k8s'),
  };
}
