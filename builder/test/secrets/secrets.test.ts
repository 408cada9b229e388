import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, stat, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, beforeAll } from 'vitest';
import { execa } from 'execa';
import { parse } from 'yaml';
import { dispatch } from '../../src/cli/dispatch.js';
import { memoryIo } from '../../src/base/index.js';
import { statePaths } from '../../src/state/index.js';
import { fromPem, loadSecrets, parseTalosBundle, secretPaths, unb64, verifySha512Crypt } from '../../src/secrets/index.js';

const certOf = (b64pem: string) => new X509Certificate(fromPem(unb64(b64pem), 'CERTIFICATE'));

async function freshLab(): Promise<{ dir: string; lab: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'secrets-'));
  const lab = join(dir, 'lab.yaml');
  await writeFile(lab, await readFile('examples/genesis/lab.yaml', 'utf8'));
  return { dir, lab };
}

describe('builder secrets init', () => {
  let dir: string;
  let lab: string;
  beforeAll(async () => {
    ({ dir, lab } = await freshLab());
    const io = memoryIo(dir);
    expect(await dispatch(['secrets', 'init', '--lab', lab], io)).toBe(0);
  });

  it('writes every secret file 0600 in a 0700 directory', async () => {
    const paths = statePaths(lab);
    expect((await stat(paths.secrets)).mode & 0o777).toBe(0o700);
    const names = await readdir(paths.secrets);
    expect(names.sort()).toEqual(['admin-credentials.yaml', 'collector-token', 'gateway.yaml', 'gateway_ed25519', 'gateway_ed25519.pub', 'harvester-token', 'talos-secrets.yaml']);
    for (const n of names) expect((await stat(join(paths.secrets, n))).mode & 0o777, n).toBe(0o600);
    expect(await readFile(join(paths.root, '.gitignore'), 'utf8')).toContain('*');
  });

  it('writes the Talos bundle in talosctl shape with the key types Talos uses', async () => {
    const text = await readFile(statePaths(lab).talosSecrets, 'utf8');
    const data = parse(text) as Record<string, Record<string, unknown>>;
    expect(Object.keys(data)).toEqual(['cluster', 'secrets', 'trustdinfo', 'certs']);
    expect(Object.keys(data.certs!)).toEqual(['etcd', 'k8s', 'k8saggregator', 'k8sserviceaccount', 'os']);
    expect(text).toMatch(/^cluster:\n {4}id: /);
    const b = parseTalosBundle(text);
    expect(b.secrets.bootstraptoken).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(b.trustdinfo.token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(Buffer.from(b.secrets.secretboxencryptionsecret!, 'base64')).toHaveLength(32);
    expect(Buffer.from(b.cluster.id, 'base64url')).toHaveLength(32);
    for (const name of ['etcd', 'k8s', 'k8saggregator'] as const) {
      const c = certOf(b.certs[name].crt);
      expect(c.publicKey.asymmetricKeyType, name).toBe('ec');
      expect(c.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
      expect(c.ca).toBe(true);
      expect(c.verify(c.publicKey)).toBe(true);
      expect(unb64(b.certs[name].key)).toContain('BEGIN EC PRIVATE KEY');
    }
    const os = certOf(b.certs.os.crt);
    expect(os.publicKey.asymmetricKeyType).toBe('ed25519');
    expect(os.subject).toBe('O=talos');
    expect(os.verify(os.publicKey)).toBe(true);
    expect(unb64(b.certs.os.key)).toContain('BEGIN ED25519 PRIVATE KEY');
    expect(unb64(b.certs.k8sserviceaccount.key)).toContain('BEGIN EC PRIVATE KEY');
    expect(certOf(b.certs.etcd.crt).subject).toBe('O=etcd');
    expect(certOf(b.certs.k8saggregator.crt).subject).toBe('CN=front-proxy');
    // Ten years, as talosctl makes them.
    const k8s = certOf(b.certs.k8s.crt);
    const years = (Date.parse(k8s.validTo) - Date.parse(k8s.validFrom)) / (365.25 * 24 * 3600e3);
    expect(years).toBeGreaterThan(9.9);
    expect(years).toBeLessThan(10.1);
  });

  it('CA certificates pass openssl verify as their own trust anchors', async () => {
    const b = parseTalosBundle(await readFile(statePaths(lab).talosSecrets, 'utf8'));
    for (const name of ['etcd', 'k8s', 'k8saggregator', 'os'] as const) {
      const pem = join(dir, `${name}.pem`);
      await writeFile(pem, unb64(b.certs[name].crt));
      const r = await execa('openssl', ['verify', '-CAfile', pem, pem], { reject: false });
      expect(r.stdout, `${name}: ${r.stderr}`).toContain(': OK');
    }
  });

  it('admin certificates are signed by the OS and Kubernetes CAs', async () => {
    const s = await loadSecrets(statePaths(lab));
    const talos = certOf(s.admin.talos.crt);
    const os = certOf(s.talos.certs.os.crt);
    expect(talos.checkIssued(os)).toBe(true);
    expect(talos.verify(os.publicKey)).toBe(true);
    expect(talos.subject).toBe('O=os:admin');
    expect(talos.keyUsage).toContain('1.3.6.1.5.5.7.3.2');
    const kube = certOf(s.admin.kubernetes.crt);
    const k8s = certOf(s.talos.certs.k8s.crt);
    expect(kube.checkIssued(k8s)).toBe(true);
    expect(kube.verify(k8s.publicKey)).toBe(true);
    expect(kube.subject.split('\n').sort()).toEqual(['CN=admin', 'O=system:masters']);
    expect(kube.verify(os.publicKey)).toBe(false);
    // openssl agrees, chain and purpose.
    await writeFile(join(dir, 'k8s-ca.pem'), unb64(s.talos.certs.k8s.crt));
    await writeFile(join(dir, 'kube-admin.pem'), unb64(s.admin.kubernetes.crt));
    const r = await execa('openssl', ['verify', '-purpose', 'sslclient', '-CAfile', join(dir, 'k8s-ca.pem'), join(dir, 'kube-admin.pem')], { reject: false });
    expect(r.stdout, r.stderr).toContain(': OK');
  });

  it('the gateway password hash matches the password; the SSH key pair is valid OpenSSH', async () => {
    const s = await loadSecrets(statePaths(lab));
    expect(verifySha512Crypt(s.login.password, s.login.passwordHash)).toBe(true);
    const files = secretPaths(statePaths(lab));
    const r = await execa('ssh-keygen', ['-y', '-f', files.sshKey]);
    // ssh-keygen -y reads the comment back from the private key, so the whole line must match.
    expect(r.stdout.trim()).toBe(s.ssh.publicKey.trim());
    expect(s.ssh.publicKey).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]+=* builder@/);
  });

  it('refuses to run twice and never changes a secret', async () => {
    const before = await readFile(statePaths(lab).talosSecrets);
    const io = memoryIo(dir);
    expect(await dispatch(['secrets', 'init', '--lab', lab], io)).toBe(1);
    expect(io.stderr).toContain('refusing to overwrite');
    expect(await readFile(statePaths(lab).talosSecrets)).toEqual(before);
  });

  it('fills in only what is missing', async () => {
    const { lab: lab2, dir: dir2 } = await freshLab();
    expect(await dispatch(['secrets', 'init', '--lab', lab2], memoryIo(dir2))).toBe(0);
    const files = secretPaths(statePaths(lab2));
    const bundle = await readFile(files.talosSecrets);
    const { rm } = await import('node:fs/promises');
    await rm(files.collectorToken);
    await rm(files.admin);
    const io = memoryIo(dir2);
    expect(await dispatch(['secrets', 'init', '--lab', lab2, '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout).created.sort()).toEqual([files.admin, files.collectorToken].sort());
    expect(await readFile(files.talosSecrets)).toEqual(bundle);
    const s = await loadSecrets(statePaths(lab2));
    expect(certOf(s.admin.talos.crt).checkIssued(certOf(s.talos.certs.os.crt))).toBe(true);
  });
});

describe('loading secrets', () => {
  it('fails clearly when there are none, and creates nothing', async () => {
    const { lab } = await freshLab();
    await expect(loadSecrets(statePaths(lab))).rejects.toThrow(/no secrets yet/);
    await expect(stat(statePaths(lab).secrets)).rejects.toThrow();
  });
});

describe('builder secrets import', () => {
  it('adopts a talosctl-shaped bundle and issues admin credentials from its CAs', async () => {
    const { lab: source, dir: srcDir } = await freshLab();
    expect(await dispatch(['secrets', 'init', '--lab', source], memoryIo(srcDir))).toBe(0);
    const bundleFile = statePaths(source).talosSecrets;

    const { lab, dir } = await freshLab();
    const io = memoryIo(dir);
    expect(await dispatch(['secrets', 'import', bundleFile, '--lab', lab], io)).toBe(0);
    const s = await loadSecrets(statePaths(lab));
    expect(await readFile(statePaths(lab).talosSecrets, 'utf8')).toBe(await readFile(bundleFile, 'utf8'));
    expect(certOf(s.admin.kubernetes.crt).checkIssued(certOf(s.talos.certs.k8s.crt))).toBe(true);
    expect((await stat(statePaths(lab).talosSecrets)).mode & 0o777).toBe(0o600);

    // A second import is refused: it would orphan the cluster.
    const again = memoryIo(dir);
    expect(await dispatch(['secrets', 'import', bundleFile, '--lab', lab], again)).toBe(1);
    expect(again.stderr).toContain('refusing to replace');
  });

  it('names the missing field and never echoes a value', async () => {
    const { lab: source, dir: srcDir } = await freshLab();
    expect(await dispatch(['secrets', 'init', '--lab', source], memoryIo(srcDir))).toBe(0);
    const text = await readFile(statePaths(source).talosSecrets, 'utf8');
    const data = parse(text) as { certs: { os: { key?: string } }; trustdinfo: { token?: string } };
    const token = data.trustdinfo.token!;
    delete data.certs.os.key;
    data.trustdinfo.token = `${token}`;
    const { stringify } = await import('yaml');
    const broken = join(srcDir, 'broken.yaml');
    await writeFile(broken, stringify({ ...data, secrets: { bootstraptoken: 'not-a-token' } }));
    const { lab, dir } = await freshLab();
    const io = memoryIo(dir);
    expect(await dispatch(['secrets', 'import', broken, '--lab', lab], io)).toBe(1);
    expect(io.stderr).toContain('missing field certs.os.key');
    expect(io.stderr).toContain('secrets.secretboxencryptionsecret');
    expect(io.stderr).toContain('secrets.bootstraptoken is not a token');
    expect(io.stderr).not.toContain(token);
    expect(io.stderr).not.toContain('not-a-token');
    await expect(stat(statePaths(lab).talosSecrets)).rejects.toThrow();
  });

  it('rejects a key that does not match its certificate', async () => {
    const { lab: source, dir: srcDir } = await freshLab();
    expect(await dispatch(['secrets', 'init', '--lab', source], memoryIo(srcDir))).toBe(0);
    const data = parse(await readFile(statePaths(source).talosSecrets, 'utf8')) as { certs: Record<string, { key: string }> };
    data.certs.etcd!.key = data.certs.k8s!.key;
    const { stringify } = await import('yaml');
    const swapped = join(srcDir, 'swapped.yaml');
    await writeFile(swapped, stringify(data));
    const { lab, dir } = await freshLab();
    const io = memoryIo(dir);
    expect(await dispatch(['secrets', 'import', swapped, '--lab', lab], io)).toBe(1);
    expect(io.stderr).toContain('certs.etcd.key does not belong to certs.etcd.crt');
  });
});

describe('corrupted secret files', () => {
  it('name the file and the line, never quote the content', async () => {
    const { lab, dir } = await freshLab();
    expect(await dispatch(['secrets', 'init', '--lab', lab], memoryIo(dir))).toBe(0);
    const files = secretPaths(statePaths(lab));
    const s = await loadSecrets(statePaths(lab));
    // A nested compact mapping: the YAML parser's own message quotes this line, password included.
    await writeFile(files.gateway, `user: vyos\npassword: ${s.login.password}: x\npasswordHash: ${s.login.passwordHash}\n`);
    const err = await loadSecrets(statePaths(lab)).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain(files.gateway);
    expect((err as Error).message).toMatch(/not valid YAML \(line \d+\)/);
    expect((err as Error).message).not.toContain(s.login.password);
    expect((err as Error).message).not.toContain(s.login.passwordHash);

    const bundle = await readFile(files.talosSecrets, 'utf8');
    await writeFile(files.talosSecrets, bundle.replace(`secret: ${s.talos.cluster.secret}`, `secret: ${s.talos.cluster.secret}: x`));
    const io = memoryIo(dir);
    expect(await dispatch(['secrets', 'import', files.talosSecrets, '--lab', lab, '--state', join(dir, 'elsewhere')], io)).toBe(1);
    expect(io.stderr).toContain('not valid YAML');
    expect(io.stderr).not.toContain(s.talos.cluster.secret);
  });
});

describe('secrets init without a lab file', () => {
  it('is a usage error and creates nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nolab-'));
    const io = memoryIo(dir);
    expect(await dispatch(['secrets', 'init', '--lab', join(dir, 'missing.yaml')], io)).toBe(2);
    expect(io.stderr).toContain('cannot read lab file');
    expect(await readdir(dir)).toEqual([]);
  });
});
