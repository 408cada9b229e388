// The config file's SELinux label, as the v1.12 imager writes it (pkg/imager/embed.go: a PAX
// xattr security.selinux=system_u:object_r:system_state_t:s0, mode 0000), goes in through a
// mksquashfs pseudo-file definition, which needs squashfs-tools 4.6. This machine has 4.5
// (bookworm), so the test puts trixie's 4.6.1 first on PATH (test/fixtures/standin/trixie.ts,
// unpacked, not installed) and reads the result back with its unsquashfs. Not modelled: Talos
// mounting the layer with SELinux enforcing.
import { execa } from 'execa';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { embedTalosConfig } from '../../iso/src/embed.js';
import { scanInitramfs } from '../../iso/src/initramfs.js';
import { buildStandinIso } from '../fixtures/standin/talos-standin.js';
import { ensureTrixie, type TrixieParts } from '../fixtures/standin/trixie.js';

let dir: string;
let t: TrixieParts;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'selinux-label-'));
  t = await ensureTrixie();
}, 300_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('labels the embedded config system_state_t with mode 0000 when mksquashfs is 4.6', async () => {
  const base = await buildStandinIso({ version: 'v1.12.0' });
  process.env.PATH = `${dirname(t.mksquashfs)}:${process.env.PATH}`;
  const config = Buffer.from('version: v1alpha1\nmachine:\n  type: controlplane\n');
  const r = await embedTalosConfig({ baseIso: base, config, out: join(dir, 'out.iso') });
  expect(r.labelled).toBe(true);
  expect(JSON.parse(await readFile(join(dir, 'out.iso.json'), 'utf8')).configSelinuxLabel).toBe('system_u:object_r:system_state_t:s0');

  await execa('xorriso', ['-osirrox', 'on', '-indev', join(dir, 'out.iso'), '-extract', '/boot/initramfs.xz', join(dir, 'initramfs')]);
  const image = (await scanInitramfs(join(dir, 'initramfs'), (n) => n === r.plan.layer.image)).members.get(r.plan.layer.image)!;
  await writeFile(join(dir, 'layer.sqsh'), image);
  const pseudo = (await execa(t.unsquashfs, ['-pf', '-', join(dir, 'layer.sqsh')])).stdout.split('\n');
  expect(pseudo).toContain('usr/local/etc/talos/config.yaml x security.selinux=system_u:object_r:system_state_t:s0');
  // `PATH R MTIME MODE UID GID …`: mode 0 for v1.12.x, owned by root.
  expect(pseudo.find((l) => l.startsWith('usr/local/etc/talos/config.yaml R '))?.split(' ').slice(3, 6)).toEqual(['0', '0', '0']);
}, 120_000);
