// Boot-tree entries of the image manifest: `serve:` (the path under the PXE root) and
// `source.debian` (a file inside a Debian package, such as the iPXE loaders).
import { execa } from 'execa';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src/cli/dispatch.js';
import { memoryIo } from '../../src/base/index.js';
import { parseManifest, sha256File } from '../../src/images/index.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/genesis/images.yaml', import.meta.url));
let dir: string;

const manifest = (images: string) => `apiVersion: images.lab.gilman.io/v1alpha1
kind: ImageManifest
spec:
  images:
${images}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'boot-entries-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('serve and source.debian', () => {
  it('refuses two images served at one path, and a path that climbs out of the PXE root, by line', () => {
    const r = parseManifest(
      manifest(`    - name: a
      serve: assets/x
      source: { url: https://example.org/a }
    - name: b
      serve: assets/x
      source: { url: https://example.org/b }
    - name: c
      serve: ../etc/passwd
      source: { url: https://example.org/c }
`),
      'images.yaml',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => `${p.line}: ${p.message}`)).toEqual([expect.stringMatching(/^12: write a relative path under the PXE root/)]);
    const twice = parseManifest(manifest(`    - name: a\n      serve: assets/x\n      source: { url: https://example.org/a }\n    - name: b\n      serve: assets/x\n      source: { url: https://example.org/b }\n`), 'images.yaml');
    expect(twice.ok).toBe(false);
    if (twice.ok) return;
    expect(twice.problems.map((p) => `${p.line}: ${p.message}`)).toEqual(['9: a is already served at assets/x; each path of the boot tree comes from one image']);
  });

  it('a Debian package file shows its pool URL, and sync says how to import it instead of downloading', async () => {
    await writeFile(join(dir, 'lab.yaml'), '');
    await writeFile(
      join(dir, 'images.yaml'),
      manifest(`    - name: ipxe-efi
      serve: ipxe.efi
      source:
        debian: { package: ipxe, version: 1.0.0+git-20190125.36a4c85-5.1, file: /boot/ipxe.efi }
        checksum: sha256:${'0'.repeat(64)}
`),
    );
    const parsed = parseManifest(await readFile(join(dir, 'images.yaml'), 'utf8'), 'images.yaml');
    expect(parsed.ok && parsed.manifest.images[0]!.url).toBe('https://deb.debian.org/debian/pool/main/i/ipxe/ipxe_1.0.0+git-20190125.36a4c85-5.1_all.deb');
    const io = memoryIo(dir, { ...process.env, HOME: dir, XDG_CACHE_HOME: '' });
    const code = await dispatch(['images', 'sync', '--manifest', join(dir, 'images.yaml'), '--cache', join(dir, 'cache')], io);
    expect(code).toBe(1);
    expect(io.stderr).toContain('ipxe-efi is the file /boot/ipxe.efi of the Debian package ipxe 1.0.0+git-20190125.36a4c85-5.1, which has no URL of its own');
    expect(io.stderr).toContain('`apt-get download ipxe=1.0.0+git-20190125.36a4c85-5.1`');
    expect(io.stderr).toContain('`builder images import pkg/boot/ipxe.efi --name ipxe-efi');
    expect(io.stderr).toContain('ERR_IMAGE_IMPORT_ONLY');
  });

  it("the example manifest's loader pins are the files of the Debian ipxe package installed here", async () => {
    const parsed = parseManifest(await readFile(EXAMPLE, 'utf8'), EXAMPLE);
    if (!parsed.ok) throw new Error('example manifest invalid');
    const loaders = parsed.manifest.images.filter((i) => i.debian);
    expect(loaders.map((l) => l.serve).sort()).toEqual(['ipxe.efi', 'undionly.kpxe']);
    const installed = (await execa('dpkg-query', ['-W', '-f=${Version}', 'ipxe'])).stdout;
    for (const l of loaders) {
      expect(installed, 'scripts/setup.sh installs Debian bookworm\'s ipxe; another version has other bytes').toBe(l.debian!.version);
      expect(await sha256File(l.debian!.file), l.name).toBe(l.sha256);
    }
  });
});
