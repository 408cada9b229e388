// make-usb --demo-base: the UM760 stick from the demo Talos base (builder/src/demo-bases) when the
// pinned talos-metal is not in the image cache, as `npm run example` builds it on a fresh machine.
// The demo base is Talos v1.12's dual-boot layout (GRUB, systemd-boot 257, a ukify-built
// multi-profile UKI) around Debian's cloud kernel and the rehearsal's demo Talos node; it does
// not model Talos's kernel or machined. Booting it is the rehearsal's part
// (test/rehearse/teardown-vm.test.ts and pxe-vm.test.ts boot cp-1 from such a stick).
import { copyFile, mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../builder/src/cli/dispatch.js';
import { memoryIo } from '../../builder/src/base/index.js';

let dir: string;
let lab: string;

async function builder(...argv: string[]) {
  const io = memoryIo(dir);
  const code = await dispatch(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'make-usb-demo-'));
  lab = join(dir, 'lab.yaml');
  await copyFile(resolve('examples/genesis/lab.yaml'), lab);
  await copyFile(resolve('examples/genesis/images.yaml'), join(dir, 'images.yaml'));
  expect((await builder('secrets', 'init', '--lab', lab)).code).toBe(0);
  const r = await builder('render', '--lab', lab, '--without-argocd', '--without-cni', '--without-boot-assets', '--cache', join(dir, 'cache'));
  expect(r.code, r.stderr).toBe(0);
}, 120_000);

describe('make-usb --target um760 --demo-base', () => {
  it('without the pinned base in the cache it builds the stick from the demo base, labelled demo everywhere', async () => {
    const plain = await builder('make-usb', '--target', 'um760', '--lab', lab, '--without-argocd', '--without-cni', '--cache', join(dir, 'cache'));
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain('ERR_IMAGE_NOT');

    const r = await builder('make-usb', '--target', 'um760', '--lab', lab, '--without-argocd', '--without-cni', '--cache', join(dir, 'cache'), '--demo-base');
    expect(r.stderr).not.toContain('internal error');
    expect(r.code, r.stderr).toBe(0);
    const out = join(dir, 'state', 'media', 'cp-1-um760-demo.iso');
    expect(r.stderr).toContain('building from the DEMO base instead');
    expect(r.stdout).toContain(`wrote ${out} (Talos v1.12.0-demo dual-boot ISO from the DEMO base`);
    // It carries the cluster's secrets in its config layer, like any stick.
    expect((await stat(out)).mode & 0o777).toBe(0o600);

    const shown = await builder('media', 'show', out);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('volume id    TALOS_V1_12_0_DEMO');
    expect(shown.stdout).toContain('demo         built from the DEMO Talos base');
    expect(shown.stdout).toMatch(/0\.sqsh {2}embedded-config [0-9a-f]{64}/);
    const v = await builder('media', 'verify', out);
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);
  }, 600_000);

  it('refuses --demo-base with --base (one base or the other)', async () => {
    const r = await builder('make-usb', '--target', 'um760', '--lab', lab, '--base', join(dir, 'none.iso'), '--demo-base');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ERR_USAGE_FLAG_CONFLICT');
  });
});
