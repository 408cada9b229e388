// Cilium as an inline manifest: taken from the checksum-verified image cache and embedded as the
// pinned bytes, refused when missing, when it is not Cilium's manifest, or when it was rendered
// for other kube-proxy / KubePrism settings than the lab's. The manifest is a stand-in for helm's
// output (fixtures/cilium-install.yaml says what it leaves out).
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { statePaths } from '../../src/state/index.js';
import { ARGOCD_FIXTURE, CILIUM_FIXTURE, labWithSecrets, run } from './helpers.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function inlineOf(lab: string, host = 'cp-1'): Promise<{ name: string; contents: string }[]> {
  const config = parseAllDocuments(await readFile(join(statePaths(lab).rendered, 'talos', `${host}.yaml`), 'utf8'))[0]!.toJS();
  return config.cluster.inlineManifests;
}

describe('the Cilium inline manifest', () => {
  it('comes from the image cache, pinned by sha256 in images.yaml, and the configs carry exactly the pinned file', async () => {
    const { dir, lab } = await labWithSecrets('cilium-cache-');
    const text = await readFile(CILIUM_FIXTURE, 'utf8');
    const pin = sha256(text);
    const manifest = (await readFile('examples/genesis/images.yaml', 'utf8')).replace(
      /(- name: cilium-install[\s\S]*?url: \S+\n)/,
      `$1        checksum: sha256:${pin}\n`,
    );
    expect(manifest).toContain(`checksum: sha256:${pin}`);
    await writeFile(join(dir, 'images.yaml'), manifest);
    await writeFile(join(dir, 'cilium.yaml'), text);
    const cache = join(dir, 'cache');
    const imported = await run(dir, 'images', 'import', join(dir, 'cilium.yaml'), '--name', 'cilium-install', '--lab', lab, '--cache', cache);
    expect(imported.code, imported.stderr).toBe(0);
    const r = await run(dir, 'render', '--without-boot-assets', '--lab', lab, '--cache', cache, '--argocd-manifest', ARGOCD_FIXTURE);
    expect(r.code, r.stderr).toBe(0);
    for (const host of ['cp-1', 'cp-2', 'cp-3']) {
      const cilium = (await inlineOf(lab, host)).find((m) => m.name === 'cilium')!;
      expect(sha256(cilium.contents), host).toBe(pin);
    }
  });

  it('is refused when the example’s entry is not pinned yet, naming the image and the ways out; nothing is written', async () => {
    const { dir, lab } = await labWithSecrets('cilium-unpinned-');
    await writeFile(join(dir, 'images.yaml'), await readFile('examples/genesis/images.yaml', 'utf8'));
    const r = await run(dir, 'render', '--without-boot-assets', '--lab', lab, '--cache', join(dir, 'cache'), '--argocd-manifest', ARGOCD_FIXTURE);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("the platform cluster's CNI is Cilium as an inline manifest, whose manifest (image cilium-install) is not available: image cilium-install has no checksum");
    expect(r.stderr).toContain('`builder images import FILE --name cilium-install --lab ');
    expect(r.stderr).toContain('--cilium-manifest FILE');
    expect(r.stderr).toContain('ERR_CNI_MANIFEST_MISSING');
    await expect(readdir(statePaths(lab).rendered)).rejects.toThrow();
  });

  it('--without-cni renders no Cilium manifest and says so; it excludes --cilium-manifest', async () => {
    const { dir, lab } = await labWithSecrets('cilium-without-');
    const r = await run(dir, 'render', '--without-boot-assets', '--lab', lab, '--cache', join(dir, 'empty-cache'), '--argocd-manifest', ARGOCD_FIXTURE, '--without-cni');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('note: --without-cni: the Talos configs carry no Cilium manifest');
    const inline = await inlineOf(lab);
    expect(inline.map((m) => m.name)).toEqual(['argocd-namespace', 'argocd-install', 'argocd-root-application']);
    const both = await run(dir, 'render', '--without-boot-assets', '--lab', lab, '--without-cni', '--cilium-manifest', CILIUM_FIXTURE);
    expect(both.code).toBe(2);
  });

  it('is refused when it is not Cilium’s manifest', async () => {
    const { dir, lab } = await labWithSecrets('cilium-invalid-');
    const r = await run(dir, 'render', '--without-boot-assets', '--lab', lab, '--argocd-manifest', ARGOCD_FIXTURE, '--cilium-manifest', ARGOCD_FIXTURE);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${ARGOCD_FIXTURE} has no ConfigMap cilium-config: it is not Cilium's install manifest`);
    expect(r.stderr).toContain('ERR_CNI_MANIFEST_INVALID');
  });

  it('is refused when rendered for other settings than the lab’s, naming the setting and the --set that fixes it', async () => {
    const { dir, lab } = await labWithSecrets('cilium-mismatch-');
    const good = await readFile(CILIUM_FIXTURE, 'utf8');
    const cases: [string, string, string][] = [
      [good.replace('kube-proxy-replacement: "true"', 'kube-proxy-replacement: "false"'), 'cilium-config has kube-proxy-replacement "false", but the lab has kubeProxy: false', '--set kubeProxyReplacement=true'],
      [good.replace('ipam: "kubernetes"', 'ipam: "cluster-pool"'), 'cilium-config has ipam "cluster-pool", but on Talos it must be "kubernetes"', '--set ipam.mode=kubernetes'],
      [good.replace(/(name: cilium-operator\n(?:.*\n)*?\s+- name: KUBERNETES_SERVICE_PORT\n\s+value: )"7445"/, '$1"6443"'), 'Deployment cilium-operator container cilium-operator has KUBERNETES_SERVICE_PORT=6443, but the lab reaches the API server through KubePrism at localhost:7445', '--set k8sServiceHost=localhost --set k8sServicePort=7445'],
    ];
    for (const [text, what, set] of cases) {
      expect(text).not.toBe(good);
      const file = join(dir, 'cilium.yaml');
      await writeFile(file, text);
      const r = await run(dir, 'render', '--without-boot-assets', '--lab', lab, '--argocd-manifest', ARGOCD_FIXTURE, '--cilium-manifest', file);
      expect(r.code, what).toBe(1);
      expect(r.stderr).toContain(`${file}: the pinned Cilium manifest was rendered with other settings than the lab's: ${what}`);
      expect(r.stderr).toContain(set);
      expect(r.stderr).toContain('ERR_CNI_MANIFEST_MISMATCH');
    }
    // The same manifest for a lab that keeps kube-proxy: the replacement must be off.
    await writeFile(lab, (await readFile(lab, 'utf8')).replace('kubeProxy: false', 'kubeProxy: true'));
    const r = await run(dir, 'render', '--without-boot-assets', '--lab', lab, '--argocd-manifest', ARGOCD_FIXTURE, '--cilium-manifest', CILIUM_FIXTURE);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cilium-config has kube-proxy-replacement "true", but the lab has kubeProxy: true');
    expect(r.stderr).toContain('--set kubeProxyReplacement=false');
  });
});
