import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { dispatch } from '../../src/cli/dispatch.js';
import { memoryIo } from '../../src/base/index.js';
import { statePaths } from '../../src/state/index.js';
import { fromPem, loadSecrets, unb64 } from '../../src/secrets/index.js';

const b64 = (t: string) => Buffer.from(t).toString('base64');

/** A CA made by openssl, in the forms talosctl bundles carry (base64 of PEM). */
async function opensslCa(dir: string, name: string, keyArgs: string[], subject: string): Promise<{ crt: string; key: string }> {
  const key = join(dir, `${name}.key`);
  const crt = join(dir, `${name}.crt`);
  await execa('openssl', ['req', '-x509', ...keyArgs, '-nodes', '-keyout', key, '-out', crt, '-subj', subject, '-days', '3650', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,digitalSignature,keyCertSign']);
  return { crt: b64(await readFile(crt, 'utf8')), key: b64(await readFile(key, 'utf8')) };
}

describe('secrets import of a bundle whose keys were not made by builder', () => {
  it('adopts openssl-made RSA and ECDSA CAs and an aescbc key; render signs admin certs with them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'import-openssl-'));
    // An older talosctl shape: RSA Kubernetes CA and service-account key, aescbc instead of secretbox.
    const k8s = await opensslCa(dir, 'k8s', ['-newkey', 'rsa:2048'], '/O=kubernetes');
    const etcd = await opensslCa(dir, 'etcd', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], '/O=etcd');
    const agg = await opensslCa(dir, 'agg', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], '/CN=front-proxy');
    const os = await opensslCa(dir, 'os', ['-newkey', 'ed25519'], '/O=talos');
    await execa('openssl', ['genrsa', '-traditional', '-out', join(dir, 'sa.key'), '2048']);
    const bundle = {
      cluster: { id: 'aWQtaWQtaWQtaWQtaWQtaWQtaWQtaWQtaWQtaWQtaWQ=', secret: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=' },
      secrets: { bootstraptoken: 'abcdef.0123456789abcdef', aescbcencryptionsecret: 'YWVzY2JjLWFlc2NiYy1hZXNjYmMtYWVzY2JjLWFlcw==' },
      trustdinfo: { token: 'ghijkl.0123456789ghijkl' },
      certs: { etcd, k8s, k8saggregator: agg, k8sserviceaccount: { key: b64(await readFile(join(dir, 'sa.key'), 'utf8')) }, os },
    };
    expect(unb64(bundle.certs.k8sserviceaccount.key)).toContain('BEGIN RSA PRIVATE KEY');
    const file = join(dir, 'secrets.yaml');
    await writeFile(file, stringify(bundle, { indent: 4, lineWidth: 0 }));

    const lab = join(dir, 'lab.yaml');
    await writeFile(lab, await readFile('examples/genesis/lab.yaml', 'utf8'));
    const io = memoryIo(dir);
    expect(await dispatch(['secrets', 'import', file, '--lab', lab], io), io.stderr).toBe(0);

    const s = await loadSecrets(statePaths(lab));
    const cert = (v: string) => new X509Certificate(fromPem(unb64(v), 'CERTIFICATE'));
    // Admin certificates issued by builder, signed with openssl's RSA and Ed25519 CA keys.
    expect(cert(s.admin.kubernetes.crt).checkIssued(cert(k8s.crt))).toBe(true);
    expect(cert(s.admin.kubernetes.crt).verify(cert(k8s.crt).publicKey)).toBe(true);
    expect(cert(s.admin.talos.crt).verify(cert(os.crt).publicKey)).toBe(true);
    await writeFile(join(dir, 'ca.pem'), unb64(k8s.crt));
    await writeFile(join(dir, 'admin.pem'), unb64(s.admin.kubernetes.crt));
    const v = await execa('openssl', ['verify', '-CAfile', join(dir, 'ca.pem'), join(dir, 'admin.pem')], { reject: false });
    expect(v.stdout, v.stderr).toContain(': OK');

    const r = memoryIo(dir);
    const argocd = resolve('builder/test/render/fixtures/argocd-install.yaml');
    const cilium = resolve('builder/test/render/fixtures/cilium-install.yaml');
    expect(await dispatch(['render', '--without-boot-assets', '--lab', lab, '--argocd-manifest', argocd, '--cilium-manifest', cilium], r), r.stderr).toBe(0);
    const config = parseAllDocuments(await readFile(join(statePaths(lab).rendered, 'talos/cp-1.yaml'), 'utf8'))[0]!.toJS();
    expect(config.cluster.aescbcEncryptionSecret).toBe(bundle.secrets.aescbcencryptionsecret);
    expect(config.cluster.secretboxEncryptionSecret).toBeUndefined();
    expect(config.cluster.ca.crt).toBe(k8s.crt);
    const kc = parse(await readFile(join(statePaths(lab).rendered, 'kubeconfig'), 'utf8'));
    expect(cert(kc.users[0].user['client-certificate-data']).verify(cert(kc.clusters[0].cluster['certificate-authority-data']).publicKey)).toBe(true);
  });
});
