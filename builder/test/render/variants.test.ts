import { readFile } from 'node:fs/promises';
import { describe, expect, it, beforeAll } from 'vitest';
import Ajv2020 from 'ajv/dist/2020.js';
import { parseAllDocuments } from 'yaml';
import { statePaths } from '../../src/state/index.js';
import { loadSecrets, type LabSecrets } from '../../src/secrets/index.js';
import { renderLab, RenderError } from '../../src/render/index.js';
import { CILIUM_FIXTURE, labWithSecrets, pinnedFixtures, variant as labVariant } from './helpers.js';

// The example lab as plain data, edited loosely in each case.
type LabData = { hosts: { name: string; nics?: unknown; installDisk?: unknown }[]; clusters: { platform: Record<string, unknown> } };

const variant = (edit: (data: LabData) => void) => labVariant<LabData>(edit);

describe('render variants of the lab', () => {
  let secrets: LabSecrets;
  let validate: (doc: unknown) => boolean;
  beforeAll(async () => {
    const { lab } = await labWithSecrets('variants-');
    secrets = await loadSecrets(statePaths(lab));
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    validate = ajv.compile(JSON.parse(await readFile('../shared/reference/talos-v1.12/config.schema.json', 'utf8')));
  });

  it('flannel with kube-proxy and no GitOps: no Argo CD needed, no inline manifests', async () => {
    const lab = await variant((d) => {
      d.clusters.platform.cni = 'flannel';
      d.clusters.platform.kubeProxy = true;
      d.clusters.platform.kubePrism = { enabled: false, port: 7445 };
      delete d.clusters.platform.gitops;
    });
    const files = renderLab({ lab, secrets });
    const docs = parseAllDocuments(files.find((f) => f.path === 'talos/cp-3.yaml')!.content).map((d) => d.toJS());
    for (const d of docs) expect(validate(d), d.kind).toBe(true);
    expect(docs[0].cluster.network.cni).toEqual({ name: 'flannel' });
    expect(docs[0].cluster.proxy).toEqual({ image: 'registry.k8s.io/kube-proxy:v1.32.0' });
    expect(docs[0].cluster.inlineManifests).toBeUndefined();
    expect(docs[0].machine.features.kubePrism).toEqual({ enabled: false, port: 7445 });
  });

  it('an untagged network without a static address gets DHCP', async () => {
    const lab = await variant((d) => {
      const cp2 = d.hosts.find((h) => h.name === 'cp-2')!;
      cp2.nics = [{ mac: '02:00:00:00:03:02', untagged: 'LAB_PROV', tagged: ['LAB_PLATFORM'] }];
    });
    const files = renderLab({ lab, secrets, argocd: { text: 'kind: ServiceAccount\napiVersion: v1\nmetadata: { name: x }\n', source: 'x.yaml' }, cilium: { text: await readFile(CILIUM_FIXTURE, 'utf8'), source: CILIUM_FIXTURE } });
    const docs = parseAllDocuments(files.find((f) => f.path === 'talos/cp-2.yaml')!.content).map((d) => d.toJS());
    for (const d of docs) expect(validate(d), d.kind).toBe(true);
    expect(docs.find((d) => d.kind === 'DHCPv4Config')).toEqual({ apiVersion: 'v1alpha1', kind: 'DHCPv4Config', name: 'lab0' });
    expect(docs.find((d) => d.kind === 'VLANConfig')).toMatchObject({ name: 'lab0.30', vlanID: 30, parent: 'lab0', addresses: [{ address: '10.10.30.11/24' }] });
  });

  it('a platform host without an install disk is a clear render error', async () => {
    const lab = await variant((d) => {
      delete d.hosts.find((h) => h.name === 'cp-3')!.installDisk;
      delete d.clusters.platform.gitops;
      d.clusters.platform.cni = 'none';
    });
    expect(() => renderLab({ lab, secrets })).toThrow(RenderError);
    expect(() => renderLab({ lab, secrets })).toThrow(/host cp-3 has no installDisk/);
  });

  it('a Talos install disk by WWN selects by wwid (the sysfs form only)', async () => {
    const lab = await variant((d) => {
      d.hosts.find((h) => h.name === 'cp-3')!.installDisk = { wwn: 'eui.0025388b91b4d1a2' };
      d.hosts.find((h) => h.name === 'cp-2')!.installDisk = { wwn: '0x5002538e40a1b2c3', size: '>= 100GB' };
      delete d.clusters.platform.gitops;
    });
    const files = renderLab({ lab, secrets, cilium: (await pinnedFixtures()).cilium });
    const install = (host: string) => parseAllDocuments(files.find((f) => f.path === `talos/${host}.yaml`)!.content)[0]!.toJS().machine.install;
    expect(install('cp-3').diskSelector).toEqual({ wwid: 'eui.0025388b91b4d1a2' });
    expect(install('cp-2').diskSelector).toEqual({ size: '>= 100GB' });
    for (const host of ['cp-2', 'cp-3']) for (const d of parseAllDocuments(files.find((f) => f.path === `talos/${host}.yaml`)!.content).map((x) => x.toJS())) expect(validate(d), d.kind).toBe(true);
  });
});

describe('certificate expiry', () => {
  it('reports when each certificate expires; admin certificates last a year, CAs ten', async () => {
    const { certificateExpiries } = await import('../../src/secrets/index.js');
    const { lab } = await labWithSecrets('expiry-');
    const s = await loadSecrets(statePaths(lab));
    const now = new Date();
    const e = certificateExpiries(s, now);
    const admin = e.find((x) => x.what.startsWith('Talos admin'))!;
    expect(admin.daysLeft).toBeGreaterThanOrEqual(364);
    expect(admin.daysLeft).toBeLessThanOrEqual(365);
    expect(e.find((x) => x.what === 'Kubernetes CA')!.daysLeft).toBeGreaterThan(3640);
    // Eleven months on, the admin certificates are inside the 30-day warning window.
    const later = certificateExpiries(s, new Date(now.getTime() + 340 * 86_400_000));
    expect(later.filter((x) => x.daysLeft < 30).map((x) => x.what)).toEqual([
      'Talos admin client certificate (talosconfig)',
      'Kubernetes admin client certificate (kubeconfig)',
    ]);
  });
});
