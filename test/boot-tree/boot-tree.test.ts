// The PXE boot tree: render and make-usb --target vp6630 take every file the served scripts, the
// Harvester configs and the DHCP answers name from the rendered tree or the image cache, and
// refuse, by name, what neither has. The cached files are small stand-ins (fixture.ts says what
// they do not model); the VyOS base is the stand-in ISO of the gateway-stick tests.
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLab } from '@lab/shared';
import { HttpService, TftpService } from '@lab/agent';
import { tftpGet } from '../pxe/tftp-load.js';
import { isNamingFile, namedFiles } from '../../builder/src/boot-tree/index.js';
import { parseManifest } from '../../builder/src/images/index.js';
import { pxeBase } from '../../builder/src/render/index.js';
import { buildVyosStandinIso } from '../fixtures/vyos-standin/vyos-standin.js';
import { ensureAgentBundle } from '../gateway-stick/agent-sea.js';
import { bootTreeLab, CILIUM_STANDIN, EXAMPLE_MANIFEST, type BootTreeLab } from './fixture.js';

const LOADERS = { bios: 'undionly.kpxe', uefi: 'ipxe.efi' };
const sha256 = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

let t: BootTreeLab;
let base: string;

async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await filesUnder(join(dir, e.name), rel)));
    else out.push(rel);
  }
  return out.sort();
}

/** What the files of a tree name (its scripts and Harvester configs, parsed), and the loaders. */
async function namedIn(tree: string) {
  const lab = parseLab(await readFile(t.labFile, 'utf8'), t.labFile);
  if (!lab.ok) throw new Error('lab invalid');
  const served = await Promise.all((await filesUnder(tree)).filter(isNamingFile).map(async (path) => ({ path, text: await readFile(join(tree, path), 'utf8') })));
  expect(served.filter((s) => s.path.endsWith('.ipxe')).length).toBeGreaterThanOrEqual(5);
  return namedFiles(served, pxeBase(lab.lab)!, LOADERS);
}

beforeAll(async () => {
  [t, base] = await Promise.all([bootTreeLab(), buildVyosStandinIso()]);
}, 300_000);

afterAll(async () => {
  if (t) await rm(t.dir, { recursive: true, force: true });
});

describe('the example lab and its manifest', () => {
  it('every file its rendered scripts and configs name is rendered or served by exactly one image of examples/genesis/images.yaml', async () => {
    const out = join(t.dir, 'names');
    const r = await t.builder('render', '--lab', t.labFile, '--without-argocd', '--cilium-manifest', CILIUM_STANDIN, '--without-boot-assets', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const rendered = new Set(await filesUnder(out));
    const named = await namedIn(out);
    const fromImages = named.filter((n) => !rendered.has(n.path)).map((n) => n.path).sort();
    const manifest = parseManifest(await readFile(EXAMPLE_MANIFEST, 'utf8'), EXAMPLE_MANIFEST);
    if (!manifest.ok) throw new Error('example manifest invalid');
    // No asset left out, none served that no script names.
    expect(fromImages).toEqual(manifest.manifest.images.flatMap((i) => (i.serve ? [i.serve] : [])).sort());
    // The configs the scripts fetch are rendered ones (checked in the tree, not the cache).
    expect(named.some((n) => n.path === 'harvester/ms02-1.yaml' && n.by.some((b) => b.startsWith('ipxe/')))).toBe(true);
    // The agent's own endpoints (beacon, control API) are not files.
    expect(named.filter((n) => /^(beacon|v1)\//.test(n.path))).toEqual([]);
  });
});

describe('builder render', () => {
  it('a complete tree (every asset cached) renders', async () => {
    const r = await t.builder('render', '--lab', t.labFile, '--cache', t.cache, '--without-argocd', '--cilium-manifest', CILIUM_STANDIN);
    expect(r.code, r.stderr).toBe(0);
  });

  it('refuses a script naming an asset that is not cached: which asset, which script, the command; nothing written', async () => {
    const partial = join(t.dir, 'cache-without-talos-kernel');
    for (const a of t.assets.filter((x) => x.name !== 'talos-kernel')) {
      expect((await t.builder('images', 'import', a.file, '--name', a.name, '--lab', t.labFile, '--cache', partial)).code).toBe(0);
    }
    const out = join(t.dir, 'out-missing');
    const r = await t.builder('render', '--lab', t.labFile, '--cache', partial, '--without-argocd', '--cilium-manifest', CILIUM_STANDIN, '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the PXE boot tree lacks 1 file that the served scripts name:\n');
    expect(r.stderr).toContain(
      `  assets/talos/v1.12.0/vmlinuz-amd64 (named by ipxe/02-00-00-00-03-02.ipxe and 1 more): image talos-kernel is not in the image cache; run \`builder images sync talos-kernel --lab ${t.labFile}\` (offline: \`builder images import FILE --name talos-kernel --lab ${t.labFile}\`)\n`,
    );
    expect(r.stderr).toContain('error code: ERR_BOOT_ASSET_MISSING');
    expect(existsSync(out)).toBe(false);
    // With --without-boot-assets the scripts are written, and the skipped check is said.
    const w = await t.builder('render', '--lab', t.labFile, '--cache', partial, '--without-argocd', '--cilium-manifest', CILIUM_STANDIN, '--without-boot-assets', '--out', out);
    expect(w.code, w.stderr).toBe(0);
    expect(w.stderr).toContain('--without-boot-assets: the files the PXE scripts name were not checked');
  });

  it('refuses a path no image serves, and an unpinned image, each by name', async () => {
    const original = await readFile(join(t.dir, 'images.yaml'), 'utf8');
    try {
      await t.editManifest((name, img) => {
        if (name === 'harvester-iso') return false;
        if (name === 'harvester-kernel') (img.get('source') as { delete(k: string): boolean }).delete('checksum');
      });
      const r = await t.builder('render', '--lab', t.labFile, '--cache', t.cache, '--without-argocd', '--cilium-manifest', CILIUM_STANDIN, '--out', join(t.dir, 'out-unserved'));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('lacks 2 files');
      expect(r.stderr).toContain(
        `  assets/harvester/v1.5.0/harvester-v1.5.0-amd64.iso (named by harvester/ms02-1.yaml and 2 more): no image of ${join(t.dir, 'images.yaml')} is served there; add one with \`serve: assets/harvester/v1.5.0/harvester-v1.5.0-amd64.iso\`, or put the file in the PXE tree (--pxe-root)\n`,
      );
      expect(r.stderr).toContain(`  assets/harvester/v1.5.0/harvester-v1.5.0-vmlinuz-amd64 (named by ipxe/02-00-00-00-02-01.ipxe and 2 more): image harvester-kernel has no checksum in ${join(t.dir, 'images.yaml')}; pin it`);
    } finally {
      await writeFile(join(t.dir, 'images.yaml'), original);
    }
  });

  it('refuses a cached asset whose bytes changed on disk', async () => {
    const damaged = join(t.dir, 'cache-damaged');
    await cp(t.cache, damaged, { recursive: true });
    const efi = t.assets.find((a) => a.name === 'ipxe-efi')!;
    const blob = join(damaged, 'sha256', efi.sha256);
    await chmod(blob, 0o644);
    await writeFile(blob, 'not the pinned loader\n');
    const r = await t.builder('render', '--lab', t.labFile, '--cache', damaged, '--without-argocd', '--cilium-manifest', CILIUM_STANDIN, '--out', join(t.dir, 'out-damaged'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the cached file of image ipxe-efi (served at ipxe.efi) has sha256 ${sha256('not the pinned loader\n')}, not ${efi.sha256}`);
    expect(r.stderr).toContain('error code: ERR_IMAGE_CHECKSUM_MISMATCH');
  });
});

describe('make-usb --target vp6630 with the PXE service on the gateway', () => {
  let stickTree: string;
  let args: string[];

  beforeAll(async () => {
    expect((await t.builder('render', '--lab', t.labFile, '--cache', t.cache, '--without-argocd', '--cilium-manifest', CILIUM_STANDIN)).code).toBe(0);
    args = ['make-usb', '--target', 'vp6630', '--lab', t.labFile, '--cache', t.cache, '--base', base, '--agent', await ensureAgentBundle(), '--without-argocd', '--cilium-manifest', CILIUM_STANDIN];
    const out = join(t.dir, 'gateway.iso');
    const r = await t.builder(...args, '--out', out);
    expect(r.code, r.stderr).toBe(0);
    stickTree = join(t.dir, 'stick-pxe');
    await execa('xorriso', ['-osirrox', 'on', '-indev', out, '-extract', '/lab/pxe', stickTree, '-extract', '/sha256sum.txt', join(t.dir, 'stick-sums.txt')], { env: { LC_ALL: 'C' } });
  }, 300_000);

  it("the stick's tree holds every file every script on it names, with the pinned bytes, listed in sha256sum.txt", async () => {
    const onStick = new Set(await filesUnder(stickTree));
    const named = await namedIn(stickTree);
    expect(named.filter((n) => !onStick.has(n.path))).toEqual([]);
    const sums = await readFile(join(t.dir, 'stick-sums.txt'), 'utf8');
    for (const a of t.assets) {
      expect(named.map((n) => n.path)).toContain(a.serve);
      expect(sha256(await readFile(join(stickTree, a.serve)))).toBe(a.sha256);
      expect(sums).toMatch(new RegExp(`^${a.sha256}\\s+\\.?/?lab/pxe/${a.serve.replace(/[.+]/g, '\\$&')}$`, 'm'));
    }
  });

  it('media verify passes the stick: every boot-tree file on it has the sha256 that sha256sum.txt lists', async () => {
    const v = await t.builder('media', 'verify', join(t.dir, 'gateway.iso'));
    expect(v.code, `${v.stdout}${v.stderr}`).toBe(0);
  });

  it("the agent's PXE service rooted at the stick's lab/pxe serves each named file at its path: every one over HTTP, the loaders over TFTP too", async () => {
    // The real HttpService and TftpService on 127.0.0.1, with the root agent.yaml gives them on
    // the gateway (the stick's lab/pxe). The scripts' host (pxe.address) is this loopback here.
    const http = new HttpService(stickTree, 0, {}, '127.0.0.1');
    const tftp = new TftpService({ root: stickTree, port: 0, address: '127.0.0.1', events: {} });
    const [httpPort, tftpPort] = [await http.listen(), await tftp.listen()];
    try {
      const named = await namedIn(stickTree);
      for (const n of named) {
        const res = await fetch(`http://127.0.0.1:${httpPort}/${n.path}`);
        expect(res.status, n.path).toBe(200);
        expect(sha256(Buffer.from(await res.arrayBuffer())), n.path).toBe(sha256(await readFile(join(stickTree, n.path))));
      }
      for (const loader of Object.values(LOADERS)) {
        const got = await tftpGet({ port: tftpPort, name: loader, blksize: 1468 });
        expect(sha256(got.data), loader).toBe(t.assets.find((a) => a.serve === loader)!.sha256);
      }
    } finally {
      await http.close();
      await tftp.close();
    }
  });

  it('refuses a --pxe-root whose file at a served path is not the pinned one, and one whose asset is not cached', async () => {
    const root = join(t.dir, 'pxe-root');
    await cp(join(t.dir, 'state/rendered/ipxe'), join(root, 'ipxe'), { recursive: true });
    await cp(join(t.dir, 'state/rendered/harvester'), join(root, 'harvester'), { recursive: true });
    await cp(join(t.dir, 'state/rendered/talos'), join(root, 'talos'), { recursive: true });
    await writeFile(join(root, 'undionly.kpxe'), 'an older loader\n');
    const out = join(t.dir, 'refused.iso');
    const stale = await t.builder(...args, '--pxe-root', root, '--out', out);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain(`undionly.kpxe in the PXE tree has sha256 ${sha256('an older loader\n')}, but image ipxe-undionly pins`);
    await rm(join(root, 'undionly.kpxe'));
    const empty = join(t.dir, 'empty-cache');
    await mkdir(empty);
    const missing = await t.builder(...args.map((a) => (a === t.cache ? empty : a)), '--pxe-root', root, '--out', out);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`the PXE boot tree lacks ${t.assets.length} files`);
    expect(missing.stderr).toContain('  undionly.kpxe (named by the DHCP answer to BIOS clients (loaders.bios)): image ipxe-undionly is not in the image cache;');
    expect(existsSync(out)).toBe(false);
  });
});
