import { createHash, X509Certificate } from 'node:crypto';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import Ajv2020 from 'ajv/dist/2020.js';
import { parse, parseAllDocuments } from 'yaml';
import { statePaths } from '../../src/state/index.js';
import { fromPem, loadSecrets, unb64 } from '../../src/secrets/index.js';
import { ARGOCD_FIXTURE, CILIUM_FIXTURE, labWithSecrets, run } from './helpers.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const TALOS_SCHEMA = '../shared/reference/talos-v1.12/config.schema.json';

async function walk(dir: string, base = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(dir, base), { withFileTypes: true })) {
    const rel = base ? `${base}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await walk(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}

describe('builder render (example lab)', () => {
  let dir: string;
  let lab: string;
  let out: string;
  beforeAll(async () => {
    ({ dir, lab } = await labWithSecrets());
    const r = await run(dir, 'render', '--without-boot-assets', '--lab', lab, '--argocd-manifest', ARGOCD_FIXTURE, '--cilium-manifest', CILIUM_FIXTURE);
    expect(r.code, r.stderr).toBe(0);
    out = statePaths(lab).rendered;
  });

  it('writes every file the lab calls for, secrets 0600', async () => {
    const files = await walk(out);
    expect(files).toEqual([
      'harvester/ms02-1.yaml',
      'harvester/ms02-2.yaml',
      'harvester/ms02-3.yaml',
      'ipxe/02-00-00-00-02-01.ipxe',
      'ipxe/02-00-00-00-02-02.ipxe',
      'ipxe/02-00-00-00-02-03.ipxe',
      'ipxe/02-00-00-00-03-02.ipxe',
      'ipxe/02-00-00-00-03-03.ipxe',
      'kubeconfig',
      'talos/cp-1.yaml',
      'talos/cp-2.yaml',
      'talos/cp-3.yaml',
      'talosconfig',
      'tinkerbell/cp-2.yaml',
      'tinkerbell/cp-3.yaml',
      'tinkerbell/ms02-1.yaml',
      'tinkerbell/ms02-2.yaml',
      'tinkerbell/ms02-3.yaml',
      'vyos/commands.sh',
      'vyos/config.boot',
    ]);
    for (const f of files) {
      const mode = (await stat(join(out, f))).mode & 0o777;
      const secret = /^(talos\/|harvester\/|vyos\/|talosconfig|kubeconfig)/.test(f);
      expect(mode, f).toBe(secret ? 0o600 : 0o644);
    }
  });

  it('every Talos document validates against the Talos v1.12 JSON Schema', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(JSON.parse(await readFile(TALOS_SCHEMA, 'utf8')));
    let count = 0;
    for (const host of ['cp-1', 'cp-2', 'cp-3']) {
      const docs = parseAllDocuments(await readFile(join(out, 'talos', `${host}.yaml`), 'utf8'));
      for (const d of docs) {
        const value = d.toJS();
        const ok = validate(value);
        expect(ok, `${host} ${value.kind ?? 'v1alpha1'}: ${ajv.errorsText(validate.errors)}`).toBe(true);
        count++;
      }
    }
    expect(count).toBeGreaterThan(20);
  });

  it('the schema check can fail: a misspelt field is rejected', async () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const validate = ajv.compile(JSON.parse(await readFile(TALOS_SCHEMA, 'utf8')));
    expect(validate({ apiVersion: 'v1alpha1', kind: 'VLANConfig', name: 'x', parent: 'y', vlanId: 30 })).toBe(false);
    expect(validate({ version: 'v1alpha1', machine: { network: { hostname: 'cp-1' } } })).toBe(false);
  });

  it('cp-1 carries its VLAN 30 address on a VLANConfig over the NIC selected by MAC', async () => {
    const docs = parseAllDocuments(await readFile(join(out, 'talos/cp-1.yaml'), 'utf8')).map((d) => d.toJS());
    const byKind = (k: string) => docs.filter((d) => d.kind === k);
    expect(byKind('HostnameConfig')).toEqual([{ apiVersion: 'v1alpha1', kind: 'HostnameConfig', hostname: 'cp-1' }]);
    expect(byKind('LinkAliasConfig')[0].selector.match).toBe('mac(link.permanent_addr) == "38:05:25:34:25:d0"');
    const vlan = byKind('VLANConfig');
    expect(vlan).toEqual([
      { apiVersion: 'v1alpha1', kind: 'VLANConfig', name: 'lab0.30', vlanID: 30, parent: 'lab0', up: true, addresses: [{ address: '10.10.30.10/24' }], routes: [{ gateway: '10.10.30.1' }] },
    ]);
    expect(byKind('ResolverConfig')[0].nameservers).toEqual([{ address: '10.10.30.1' }]);
    expect(byKind('EventSinkConfig')[0].endpoint).toBe('10.10.10.5:4001');
    expect(byKind('KmsgLogConfig')[0].url).toBe('tcp://10.10.10.5:4002/');
    const config = docs[0];
    expect(config.machine.type).toBe('controlplane');
    expect(config.machine.install.diskSelector).toEqual({ size: '>= 256GB', type: 'nvme' });
    expect(config.machine.features.kubePrism).toEqual({ enabled: true, port: 7445 });
    expect(config.machine.nodeLabels['node.kubernetes.io/instance-type']).toBe('um760');
    expect(config.machine.certSANs).toEqual(['platform.lab.local', '10.10.30.5']);
    expect(config.cluster.network.cni).toEqual({ name: 'none' });
    expect(config.cluster.proxy).toEqual({ disabled: true });
    expect(config.cluster.allowSchedulingOnControlPlanes).toBe(true);
    expect(config.cluster.controlPlane.endpoint).toBe('https://10.10.30.5:6443');
  });

  it('the three control-plane configs share the VIP: a Layer2VIPConfig on the platform link, the endpoint on it, the VIP in the API certificate', async () => {
    const links: Record<string, string> = { 'cp-1': 'lab0.30', 'cp-2': 'lab0', 'cp-3': 'lab0' };
    for (const host of ['cp-1', 'cp-2', 'cp-3']) {
      const docs = parseAllDocuments(await readFile(join(out, 'talos', `${host}.yaml`), 'utf8')).map((d) => d.toJS());
      expect(docs.filter((d) => d.kind === 'Layer2VIPConfig'), host).toEqual([{ apiVersion: 'v1alpha1', kind: 'Layer2VIPConfig', name: '10.10.30.5', link: links[host] }]);
      // The link it names is one this config defines (a VLANConfig on cp-1, the NIC's alias on the VMs).
      expect(docs.some((d) => (d.kind === 'VLANConfig' || d.kind === 'LinkConfig') && d.name === links[host]), host).toBe(true);
      expect(docs[0].cluster.controlPlane.endpoint, host).toBe('https://10.10.30.5:6443');
      expect(docs[0].cluster.apiServer.certSANs, host).toContain('10.10.30.5');
    }
    // talosctl keeps talking to the nodes' own addresses, never to the VIP (Talos's VIP guide).
    const talosconfig = parse(await readFile(join(out, 'talosconfig'), 'utf8'));
    expect(talosconfig.contexts.platform.endpoints).toEqual(['10.10.30.10', '10.10.30.11', '10.10.30.12']);
    expect(parse(await readFile(join(out, 'kubeconfig'), 'utf8')).clusters[0].cluster.server).toBe('https://10.10.30.5:6443');
  });

  it('PodSecurity admission defaults and grubUseUKICmdline as talosctl gen config v1.12 writes them', async () => {
    for (const host of ['cp-1', 'cp-2', 'cp-3']) {
      const config = parseAllDocuments(await readFile(join(out, 'talos', `${host}.yaml`), 'utf8'))[0]!.toJS();
      expect(config.machine.install.grubUseUKICmdline, host).toBe(true);
      expect(config.cluster.apiServer.admissionControl, host).toEqual([
        {
          name: 'PodSecurity',
          configuration: {
            apiVersion: 'pod-security.admission.config.k8s.io/v1alpha1',
            kind: 'PodSecurityConfiguration',
            defaults: { enforce: 'baseline', 'enforce-version': 'latest', audit: 'restricted', 'audit-version': 'latest', warn: 'restricted', 'warn-version': 'latest' },
            exemptions: { usernames: [], runtimeClasses: [], namespaces: ['kube-system'] },
          },
        },
      ]);
    }
  });

  it('Cilium comes first among the inline manifests, as the pinned bytes, rendered kube-proxy-free for KubePrism', async () => {
    const pinned = await readFile(CILIUM_FIXTURE, 'utf8');
    for (const host of ['cp-1', 'cp-2', 'cp-3']) {
      const config = parseAllDocuments(await readFile(join(out, 'talos', `${host}.yaml`), 'utf8'))[0]!.toJS();
      expect(config.cluster.network.cni, host).toEqual({ name: 'none' });
      const cilium = config.cluster.inlineManifests[0] as { name: string; contents: string };
      expect(cilium.name).toBe('cilium');
      expect(sha256(cilium.contents)).toBe(sha256(pinned));
      const objs = parseAllDocuments(cilium.contents).map((d) => d.toJS());
      const cm = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'cilium-config');
      expect(cm.data['kube-proxy-replacement']).toBe('true');
      expect(cm.data.ipam).toBe('kubernetes');
      const agent = objs.find((o) => o.kind === 'DaemonSet' && o.metadata.name === 'cilium').spec.template.spec.containers[0];
      expect(agent.env.filter((e: { name: string }) => e.name.startsWith('KUBERNETES_SERVICE'))).toEqual([
        { name: 'KUBERNETES_SERVICE_HOST', value: 'localhost' },
        { name: 'KUBERNETES_SERVICE_PORT', value: String(config.machine.features.kubePrism.port) },
      ]);
      expect(config.cluster.proxy).toEqual({ disabled: true });
    }
  });

  it('cp-2 (untagged on VLAN 30) gets its address on the link itself', async () => {
    const docs = parseAllDocuments(await readFile(join(out, 'talos/cp-2.yaml'), 'utf8')).map((d) => d.toJS());
    expect(docs.filter((d) => d.kind === 'VLANConfig')).toEqual([]);
    expect(docs.find((d) => d.kind === 'LinkConfig')).toEqual({ apiVersion: 'v1alpha1', kind: 'LinkConfig', name: 'lab0', up: true, addresses: [{ address: '10.10.30.11/24' }], routes: [{ gateway: '10.10.30.1' }] });
  });

  it('inline manifests bootstrap Argo CD (namespaced) and a root Application for the lab repo', async () => {
    const config = parseAllDocuments(await readFile(join(out, 'talos/cp-1.yaml'), 'utf8'))[0]!.toJS();
    const inline = config.cluster.inlineManifests as { name: string; contents: string }[];
    expect(inline.map((m) => m.name)).toEqual(['cilium', 'argocd-namespace', 'argocd-install', 'argocd-root-application']);
    const install = parseAllDocuments(inline[2]!.contents).map((d) => d.toJS());
    expect(install.map((d) => d.kind)).toEqual(['CustomResourceDefinition', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'StatefulSet']);
    const sts = install.find((d) => d.kind === 'StatefulSet');
    expect(sts.metadata.namespace).toBe('argocd');
    expect(install.find((d) => d.kind === 'ClusterRole').metadata.namespace).toBeUndefined();
    expect(install.find((d) => d.kind === 'CustomResourceDefinition').metadata.namespace).toBeUndefined();
    const app = parse(inline[3]!.contents);
    expect(app.spec.source).toEqual({ repoURL: 'https://git.example.org/lab.git', path: 'infrastructure/platform', targetRevision: 'main' });
    expect(app.metadata.namespace).toBe('argocd');
  });

  it('talosconfig and kubeconfig certificates verify against the lab CAs', async () => {
    const secrets = await loadSecrets(statePaths(lab));
    const cert = (b64: string) => new X509Certificate(fromPem(unb64(b64), 'CERTIFICATE'));
    const tc = parse(await readFile(join(out, 'talosconfig'), 'utf8'));
    expect(tc.context).toBe('platform');
    const ctx = tc.contexts.platform;
    expect(ctx.endpoints).toEqual(['10.10.30.10', '10.10.30.11', '10.10.30.12']);
    expect(cert(ctx.crt).checkIssued(cert(ctx.ca))).toBe(true);
    expect(cert(ctx.crt).verify(cert(ctx.ca).publicKey)).toBe(true);
    expect(cert(ctx.ca).fingerprint256).toBe(cert(secrets.talos.certs.os.crt).fingerprint256);
    expect(cert(ctx.crt).subject).toBe('O=os:admin');

    const kc = parse(await readFile(join(out, 'kubeconfig'), 'utf8'));
    const ca = cert(kc.clusters[0].cluster['certificate-authority-data']);
    const client = cert(kc.users[0].user['client-certificate-data']);
    expect(kc.clusters[0].cluster.server).toBe('https://10.10.30.5:6443');
    expect(client.checkIssued(ca)).toBe(true);
    expect(client.verify(ca.publicKey)).toBe(true);
    expect(client.subject).toContain('O=system:masters');
    expect(client.verify(cert(ctx.ca).publicKey)).toBe(false);
  });

  it('Harvester: create for the first host, join for the others, webhooks to the collector', async () => {
    const secrets = await loadSecrets(statePaths(lab));
    const first = parse(await readFile(join(out, 'harvester/ms02-1.yaml'), 'utf8'));
    const second = parse(await readFile(join(out, 'harvester/ms02-2.yaml'), 'utf8'));
    expect(first.install.mode).toBe('create');
    expect(first.install.vip).toBe('10.10.10.10');
    expect(first.server_url).toBeUndefined();
    expect(second.install.mode).toBe('join');
    expect(second.server_url).toBe('https://10.10.10.10:443');
    expect(first.token).toBe(secrets.harvesterToken);
    expect(second.token).toBe(secrets.harvesterToken);
    expect(first.os.hostname).toBe('ms02-1');
    expect(first.os.ssh_authorized_keys).toEqual([secrets.ssh.publicKey]);
    expect(first.install.device).toBe('/dev/nvme0n1');
    // The example lab sets clusters.harvester.skipChecks (its MS-02s manage over 2.5 GbE).
    expect(first.install.skipchecks).toBe(true);
    expect(first.install.management_interface).toMatchObject({ interfaces: [{ hwAddr: '02:00:00:00:02:01' }], method: 'static', ip: '10.10.10.11', subnet_mask: '255.255.255.0', gateway: '10.10.10.1', vlan_id: 10 });
    // First: SUCCEEDED to the PXE service, so the next network boot exits to disk (no reinstall loop).
    expect(first.install.webhooks.map((w: { event: string }) => w.event)).toEqual(['SUCCEEDED', 'STARTED', 'SUCCEEDED', 'FAILED']);
    expect(first.install.webhooks[0]).toEqual({ event: 'SUCCEEDED', method: 'POST', url: 'http://10.10.20.10:8081/v1/pxe/installed/02-00-00-00-02-01?source=harvester', headers: { Authorization: [`Bearer ${secrets.collectorToken}`] } });
    for (const w of first.install.webhooks.slice(1)) {
      expect(w.url).toBe(`http://10.10.10.5:8080/v1/webhooks/harvester?host=ms02-1&event=${w.event}`);
      expect(w.headers.Authorization).toEqual([`Bearer ${secrets.collectorToken}`]);
    }
  });

  it('iPXE scripts boot the Harvester installer automatically with the config URL', async () => {
    const script = await readFile(join(out, 'ipxe/02-00-00-00-02-02.ipxe'), 'utf8');
    expect(script.startsWith('#!ipxe\n')).toBe(true);
    expect(script).toContain('harvester.install.automatic=true');
    expect(script).toContain('harvester.install.config_url=http://10.10.20.10:8081/harvester/ms02-2.yaml');
    expect(script).toMatch(/^kernel http:\/\/10\.10\.20\.10:8081\/assets\/harvester\/v1\.5\.0\/harvester-v1\.5\.0-vmlinuz-amd64 /m);
    expect(script).toMatch(/^initrd .*harvester-v1\.5\.0-initrd-amd64 && goto initrd_ok \|\| goto retry$/m);
    expect(script).toMatch(/^boot \|\| goto retry$/m);
    expect(script).toContain('imgfetch --name beacon http://10.10.20.10:8081/beacon/${netX/mac:hexhyp}?step=harvester-installer');
    expect(script.indexOf('imgfetch --name beacon')).toBeLessThan(script.indexOf('\nkernel '));
    const talos = await readFile(join(out, 'ipxe/02-00-00-00-03-02.ipxe'), 'utf8');
    expect(talos).toContain('talos.config=http://10.10.20.10:8081/talos/cp-2.yaml');
  });

  it('Tinkerbell Hardware per PXE host', async () => {
    const hw = parse(await readFile(join(out, 'tinkerbell/ms02-1.yaml'), 'utf8'));
    expect(hw.kind).toBe('Hardware');
    expect(hw.apiVersion).toBe('tinkerbell.org/v1alpha1');
    expect(hw.spec.interfaces[0].dhcp.mac).toBe('02:00:00:00:02:01');
    expect(hw.spec.interfaces[0].netboot.ipxe.url).toBe('http://10.10.20.10:8081/ipxe/02-00-00-00-02-01.ipxe');
    // Its fixed address on the network it PXE boots on: what smee's reservation mode offers.
    expect(hw.spec.interfaces[0].dhcp.ip).toEqual({ address: '10.10.20.11', netmask: '255.255.255.0', gateway: '10.10.20.1' });
    expect(hw.spec.disks).toEqual([{ device: '/dev/nvme0n1' }]);
    const cp2 = parse(await readFile(join(out, 'tinkerbell/cp-2.yaml'), 'utf8'));
    expect(cp2.spec.interfaces[0].dhcp.ip).toEqual({ address: '10.10.30.11', netmask: '255.255.255.0', gateway: '10.10.30.1' });
  });

  it('VyOS config carries the generated password hash and public key', async () => {
    const secrets = await loadSecrets(statePaths(lab));
    const boot = await readFile(join(out, 'vyos/config.boot'), 'utf8');
    expect(boot).toContain(secrets.login.passwordHash);
    expect(boot).toContain(secrets.ssh.publicKey.split(' ')[1]);
    expect(boot).not.toContain(secrets.login.password);
  });

  it('render --check: no difference after render, lists a changed and a missing file, exit 1', async () => {
    const clean = await run(dir, 'render', '--without-boot-assets', '--lab', lab, '--argocd-manifest', ARGOCD_FIXTURE, '--cilium-manifest', CILIUM_FIXTURE, '--check');
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toContain('up to date');
    await writeFile(join(out, 'talos/cp-2.yaml'), 'changed by hand\n', { mode: 0o600 });
    const { rm } = await import('node:fs/promises');
    await rm(join(out, 'kubeconfig'));
    const dirty = await run(dir, 'render', '--without-boot-assets', '--lab', lab, '--argocd-manifest', ARGOCD_FIXTURE, '--cilium-manifest', CILIUM_FIXTURE, '--check');
    expect(dirty.code).toBe(1);
    expect(dirty.stdout).toContain('differs  talos/cp-2.yaml');
    expect(dirty.stdout).toContain('missing  kubeconfig');
    expect(dirty.stdout).toContain('2 of 20 files differ');
    // --check wrote nothing.
    expect(await readFile(join(out, 'talos/cp-2.yaml'), 'utf8')).toBe('changed by hand\n');
    expect((await run(dir, 'render', '--without-boot-assets', '--lab', lab, '--argocd-manifest', ARGOCD_FIXTURE, '--cilium-manifest', CILIUM_FIXTURE)).code).toBe(0);
    expect((await run(dir, 'render', '--without-boot-assets', '--lab', lab, '--argocd-manifest', ARGOCD_FIXTURE, '--cilium-manifest', CILIUM_FIXTURE, '--check')).code).toBe(0);
  });
});
