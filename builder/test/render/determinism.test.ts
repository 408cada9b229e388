import { createHash } from 'node:crypto';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLab } from '@lab/shared';
import { statePaths } from '../../src/state/index.js';
import { loadSecrets } from '../../src/secrets/index.js';
import { renderLab } from '../../src/render/index.js';
import { ARGOCD_FIXTURE, CILIUM_FIXTURE, labWithSecrets, run } from './helpers.js';

async function hashes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (rel: string) => {
    for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(p);
      else out[p] = createHash('sha256').update(await readFile(join(dir, p))).digest('hex');
    }
  };
  await walk('');
  return out;
}

describe('render determinism', () => {
  it('renders byte-identical files twice from the same lab and secrets', async () => {
    const { dir, lab } = await labWithSecrets('determinism-');
    expect((await run(dir, 'render', '--without-boot-assets', '--lab', lab, '--argocd-manifest', ARGOCD_FIXTURE, '--cilium-manifest', CILIUM_FIXTURE, '--out', join(dir, 'a'))).code).toBe(0);
    expect((await run(dir, 'render', '--without-boot-assets', '--lab', lab, '--argocd-manifest', ARGOCD_FIXTURE, '--cilium-manifest', CILIUM_FIXTURE, '--out', join(dir, 'b'))).code).toBe(0);
    const a = await hashes(join(dir, 'a'));
    const b = await hashes(join(dir, 'b'));
    expect(Object.keys(a)).toHaveLength(20);
    expect(b).toEqual(a);

    // --json reports the same hashes as the files on disk.
    const json = JSON.parse((await run(dir, 'render', '--without-boot-assets', '--lab', lab, '--argocd-manifest', ARGOCD_FIXTURE, '--cilium-manifest', CILIUM_FIXTURE, '--out', join(dir, 'c'), '--json')).stdout);
    for (const f of json.files) expect(a[f.path], f.path).toBe(f.sha256);
  });

  it('different secrets give different Talos configs (the hashes are not constant)', async () => {
    const one = await labWithSecrets('determinism-');
    const two = await labWithSecrets('determinism-');
    const text = await readFile(one.lab, 'utf8');
    const parsed = parseLab(text, 'lab.yaml');
    if (!parsed.ok) throw new Error('lab invalid');
    const argocd = { text: await readFile(ARGOCD_FIXTURE, 'utf8'), source: ARGOCD_FIXTURE };
    const cilium = { text: await readFile(CILIUM_FIXTURE, 'utf8'), source: CILIUM_FIXTURE };
    const r1 = renderLab({ lab: parsed.lab, secrets: await loadSecrets(statePaths(one.lab)), argocd, cilium });
    const r2 = renderLab({ lab: parsed.lab, secrets: await loadSecrets(statePaths(two.lab)), argocd, cilium });
    const cp1 = (files: typeof r1) => files.find((f) => f.path === 'talos/cp-1.yaml')!.content;
    expect(cp1(r1)).not.toBe(cp1(r2));
    expect(r1.map((f) => f.path)).toEqual(r2.map((f) => f.path));
    // iPXE scripts hold no secrets, so they match.
    const ipxe = (files: typeof r1) => files.filter((f) => f.path.startsWith('ipxe/')).map((f) => f.content);
    expect(ipxe(r1)).toEqual(ipxe(r2));
  });
});

describe('render failures', () => {
  it('refuses without secrets, names the fix, creates none', async () => {
    const { dir, lab } = await labWithSecrets('nosecrets-');
    await rm(statePaths(lab).secrets, { recursive: true });
    const r = await run(dir, 'render', '--without-boot-assets', '--lab', lab, '--argocd-manifest', ARGOCD_FIXTURE, '--cilium-manifest', CILIUM_FIXTURE);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the lab has no secrets yet');
    expect(r.stderr).toContain('builder secrets init');
    expect(r.stderr).not.toContain('    at ');
    await expect(readdir(statePaths(lab).secrets)).rejects.toThrow();
  });

  it('names each missing secret file', async () => {
    const { dir, lab } = await labWithSecrets('missing-');
    await rm(join(statePaths(lab).secrets, 'collector-token'));
    const r = await run(dir, 'render', '--without-boot-assets', '--lab', lab, '--argocd-manifest', ARGOCD_FIXTURE, '--cilium-manifest', CILIUM_FIXTURE);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/secret files are missing:\n\s+\S+collector-token/);
  });

  it('fails clearly without the Argo CD manifest and writes nothing', async () => {
    const { dir, lab } = await labWithSecrets('noargo-');
    const r = await run(dir, 'render', '--without-boot-assets', '--lab', lab, '--cache', join(dir, 'empty-cache'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/argocd-install/);
    await expect(readdir(statePaths(lab).rendered)).rejects.toThrow();
    // With the example image manifest, whose Argo CD entry is not pinned yet.
    await writeFile(join(dir, 'images.yaml'), await readFile('examples/genesis/images.yaml', 'utf8'));
    const pinned = await run(dir, 'render', '--without-boot-assets', '--lab', lab, '--cache', join(dir, 'empty-cache'));
    expect(pinned.code).toBe(1);
    expect(pinned.stderr).toMatch(/Argo CD.*argocd-install/);
    expect(pinned.stderr).toContain('--argocd-manifest');
    const r2 = await run(dir, 'render', '--without-boot-assets', '--lab', lab, '--argocd-manifest', join(dir, 'nope.yaml'));
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('cannot read the Argo CD manifest');
  });

  it('--without-argocd renders schema-valid Talos configs with no Argo CD bootstrap, and says so', async () => {
    const { dir, lab } = await labWithSecrets('withoutargo-');
    const r = await run(dir, 'render', '--without-boot-assets', '--lab', lab, '--cache', join(dir, 'empty-cache'), '--without-argocd', '--cilium-manifest', CILIUM_FIXTURE);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('--without-argocd: the Talos configs do not bootstrap Argo CD');
    const cp1 = await readFile(join(statePaths(lab).rendered, 'talos/cp-1.yaml'), 'utf8');
    expect(cp1).not.toContain('argocd');
    expect(cp1).toContain('kind: EventSinkConfig');
    const both = await run(dir, 'render', '--without-boot-assets', '--lab', lab, '--without-argocd', '--argocd-manifest', join(dir, 'x.yaml'));
    expect(both.code).toBe(2);
  });

  it('rejects an Argo CD manifest that is not Kubernetes YAML', async () => {
    const { dir, lab } = await labWithSecrets('badargo-');
    await writeFile(join(dir, 'argo.yaml'), 'just: text\n');
    const r = await run(dir, 'render', '--without-boot-assets', '--lab', lab, '--argocd-manifest', join(dir, 'argo.yaml'), '--cilium-manifest', CILIUM_FIXTURE);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is not a Kubernetes object');
  });
});
