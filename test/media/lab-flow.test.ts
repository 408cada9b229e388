// make-usb the way an operator runs it: lab file → secrets → render → base ISO imported into the
// image cache → make-usb with no --config and no --base. The base is the stand-in Talos ISO
// (real Talos ISOs cannot be downloaded here), pinned in the lab's images.yaml by its sha256.
import { createHash } from 'node:crypto';
import { appendFile, chmod, copyFile, mkdtemp, open, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../builder/src/cli/dispatch.js';
import { memoryIo } from '../../builder/src/base/index.js';
import { buildStandinIso } from '../fixtures/standin/talos-standin.js';
import { bootSerial, SDBOOT_SECOND } from './qemu.js';

let dir: string;
let lab: string;
let baseSha: string;

async function builder(...argv: string[]) {
  const io = memoryIo(dir);
  const code = await dispatch(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'make-usb-lab-'));
  lab = join(dir, 'lab.yaml');
  await copyFile(resolve('examples/genesis/lab.yaml'), lab);
  const base = await buildStandinIso({ version: 'v1.12.0' });
  baseSha = createHash('sha256').update(await readFile(base)).digest('hex');
  await writeFile(
    join(dir, 'images.yaml'),
    [
      'apiVersion: images.lab.gilman.io/v1alpha1',
      'kind: ImageManifest',
      'spec:',
      '  images:',
      '    - name: talos-metal',
      '      type: iso',
      '      source:',
      '        url: https://factory.talos.dev/image/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba/v1.12.0/metal-amd64.iso',
      `        checksum: sha256:${baseSha}`,
      '',
    ].join('\n'),
  );
  const argocd = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: argocd\n';
  await writeFile(join(dir, 'argocd.yaml'), argocd);
  const cilium = await readFile('builder/test/render/fixtures/cilium-install.yaml', 'utf8');
  await writeFile(join(dir, 'cilium.yaml'), cilium);
  // Argo CD's manifest in the image cache too, pinned like the real one, so render and make-usb
  // both find it there.
  await appendFile(
    join(dir, 'images.yaml'),
    ['    - name: argocd-install', '      type: file', '      source:', '        url: https://raw.githubusercontent.com/argoproj/argo-cd/v3.0.12/manifests/install.yaml', `        checksum: sha256:${createHash('sha256').update(argocd).digest('hex')}`, ''].join('\n') +
      ['    - name: cilium-install', '      type: file', '      source:', '        url: https://git.example.org/lab/raw/main/infrastructure/platform/cilium/cilium.yaml', `        checksum: sha256:${createHash('sha256').update(cilium).digest('hex')}`, ''].join('\n'),
  );
  for (const argv of [
    ['secrets', 'init', '--lab', lab],
    ['images', 'import', base, '--lab', lab, '--cache', join(dir, 'cache')],
    ['images', 'import', join(dir, 'argocd.yaml'), '--name', 'argocd-install', '--lab', lab, '--cache', join(dir, 'cache')],
    ['images', 'import', join(dir, 'cilium.yaml'), '--name', 'cilium-install', '--lab', lab, '--cache', join(dir, 'cache')],
    ['render', '--without-boot-assets', '--lab', lab, '--cache', join(dir, 'cache')],
  ]) {
    const r = await builder(...argv);
    if (r.code !== 0) throw new Error(`builder ${argv.join(' ')} failed: ${r.stderr}`);
  }
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('make-usb from the lab, the rendered config and the image cache', () => {
  const out = () => join(dir, 'state/media/cp-1-um760.iso');

  it('embeds cp-1 (the UM760 booted from USB) into the cached base', async () => {
    const r = await builder('make-usb', '--target', 'um760', '--lab', lab, '--cache', join(dir, 'cache'));
    expect(r.stderr).toContain('(host cp-1)');
    expect(r.code).toBe(0);
    const rendered = await readFile(join(dir, 'state/rendered/talos/cp-1.yaml'));
    const sidecar = JSON.parse(await readFile(`${out()}.json`, 'utf8'));
    expect(sidecar.inputs.baseIso.sha256).toBe(baseSha);
    expect(sidecar.inputs.config.sha256).toBe(createHash('sha256').update(rendered).digest('hex'));
    expect(sidecar.inputs.lab.sha256).toBe(createHash('sha256').update(await readFile(lab)).digest('hex'));
    const shown = JSON.parse((await builder('media', 'show', out(), '--json')).stdout);
    expect(shown.embeddedConfig.summary).toMatchObject({ hostname: 'cp-1', machineType: 'controlplane' });
    expect(shown.embeddedConfig.summary.eventSink).toMatch(/:\d+$/);
    // The collector's addresses are on every boot entry's command line too (lab collector.url).
    const early = ['talos.events.sink=10.10.10.5:4001', 'talos.logging.kernel=tcp://10.10.10.5:4002/'];
    expect(sidecar.kernelArgs).toEqual(early);
    expect(shown.bootEntries.map((e: { loader: string; title: string }) => `${e.loader} ${e.title}`)).toEqual([
      'grub Talos ISO',
      'grub Reset Talos installation',
      'uki profile 0 (main, the default)',
      'uki profile 1 (reset)',
    ]);
    for (const e of shown.bootEntries) for (const a of early) expect(e.cmdline).toContain(a);
    expect(shown.bootEntries[3].cmdline).toContain('talos.experimental.wipe=system');
    const verified = await builder('media', 'verify', out());
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
  }, 120_000);

  it('boots the reset profile with the collector arguments on its kernel command line (UEFI, systemd-boot 257)', async () => {
    const serial = await bootSerial(out(), 'uefi', 'cdrom', 150_000, SDBOOT_SECOND);
    const cmdline = /STANDIN-CMDLINE (.*)/.exec(serial)?.[1] ?? '';
    expect(cmdline).toContain('talos.events.sink=10.10.10.5:4001');
    expect(cmdline).toContain('talos.logging.kernel=tcp://10.10.10.5:4002/');
    expect(cmdline).toContain('talos.experimental.wipe=system');
    expect(serial).toMatch(/CONFIG-SHA256 [0-9a-f]{64}/);
  }, 150_000);

  it('leaves the command lines alone when the lab says collector.kernelArgs: false', async () => {
    const off = join(dir, 'lab-off.yaml');
    await writeFile(off, (await readFile(lab, 'utf8')).replace('collector:\n', 'collector:\n  kernelArgs: false\n'));
    const o = join(dir, 'off.iso');
    const r = await builder('make-usb', '--target', 'um760', '--lab', off, '--state', join(dir, 'state'), '--cache', join(dir, 'cache'), '--out', o);
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    const shown = JSON.parse((await builder('media', 'show', o, '--json')).stdout);
    for (const e of shown.bootEntries) expect(e.cmdline).not.toContain('talos.events.sink=');
  }, 120_000);

  it('refuses a stale rendered config (cp-1 moved, render skipped), naming the key and the command; after render it embeds the new address', async () => {
    const moved = join(dir, 'lab-moved.yaml');
    const text = await readFile(lab, 'utf8');
    const before = /- name: cp-1[\s\S]*?network: LAB_PLATFORM, address: (\d+\.\d+\.\d+\.)(\d+) \}/.exec(text)!;
    const newAddress = `${before[1]}${Number(before[2]) + 20}`;
    await writeFile(moved, text.replace(`network: LAB_PLATFORM, address: ${before[1]}${before[2]} }`, `network: LAB_PLATFORM, address: ${newAddress} }`));
    const state = join(dir, 'state');
    const o = join(dir, 'moved.iso');
    const stale = await builder('make-usb', '--target', 'um760', '--lab', moved, '--state', state, '--cache', join(dir, 'cache'), '--out', o);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('ERR_RENDERED_STALE');
    expect(stale.stderr).toContain('is not what the lab and its secrets render now');
    expect(stale.stderr).toMatch(/talos\/cp-1\.yaml: .*addresses\[0\]\.address/);
    expect(stale.stderr).toContain('how to fix: run `builder render');
    expect(stale.stderr).not.toContain(newAddress); // key paths only, never values
    expect(existsSync(o)).toBe(false);

    // render --without-argocd, then make-usb: refused, and told which render made it.
    expect((await builder('render', '--without-boot-assets', '--lab', moved, '--state', state, '--cache', join(dir, 'cache'), '--without-argocd')).code).toBe(0);
    const noArgo = await builder('make-usb', '--target', 'um760', '--lab', moved, '--state', state, '--cache', join(dir, 'cache'), '--out', o);
    expect(noArgo.code).toBe(1);
    expect(noArgo.stderr).toContain('cluster.inlineManifests');
    expect(noArgo.stderr).toContain('it was rendered with --without-argocd');
    expect((await builder('make-usb', '--target', 'um760', '--lab', moved, '--state', state, '--cache', join(dir, 'cache'), '--out', o, '--without-argocd')).code).toBe(0);

    expect((await builder('render', '--without-boot-assets', '--lab', moved, '--state', state, '--cache', join(dir, 'cache'))).code).toBe(0);
    const ok = await builder('make-usb', '--target', 'um760', '--lab', moved, '--state', state, '--cache', join(dir, 'cache'), '--out', o);
    expect(ok.stderr).not.toContain('ERR_');
    expect(ok.code).toBe(0);
    const shown = await builder('media', 'show', o);
    expect(shown.stdout).toContain(`${newAddress}/`);
    // Put the original render back for the tests that follow.
    expect((await builder('render', '--without-boot-assets', '--lab', lab, '--cache', join(dir, 'cache'))).code).toBe(0);
  }, 200_000);

  it('trusts the cache stamp of the last hash check, but not once a byte changed in place with its mtime put back', async () => {
    const cached = (await readdir(join(dir, 'cache'), { recursive: true })).find((f) => f.endsWith(baseSha))!;
    const blob = join(dir, 'cache', cached);
    const origin = JSON.parse(await readFile(join(dir, 'cache/origins', `${baseSha}.json`), 'utf8'));
    const s = await stat(blob);
    expect(origin.stamp).toEqual({ size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, ino: s.ino });
    const o = join(dir, 'inplace.iso');
    await chmod(blob, 0o644);
    const fh = await open(blob, 'r+');
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, s.size - 1);
    await fh.write(Buffer.from([b[0]! ^ 0xff]), 0, 1, s.size - 1);
    await fh.close();
    await utimes(blob, s.atime, s.mtime);
    const r = await builder('make-usb', '--target', 'um760', '--lab', lab, '--cache', join(dir, 'cache'), '--out', o);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`but the cache records ${baseSha}`);
    // Put the byte back; `images verify` rehashes and stamps it again.
    const fh2 = await open(blob, 'r+');
    await fh2.write(b, 0, 1, s.size - 1);
    await fh2.close();
    expect((await builder('images', 'verify', '--cache', join(dir, 'cache'))).code).toBe(0);
    const again = await builder('make-usb', '--target', 'um760', '--lab', lab, '--cache', join(dir, 'cache'), '--out', o);
    expect(again.code).toBe(0);
  }, 120_000);

  it('refuses a cached base whose bytes no longer match the recorded sha256', async () => {
    const before = await readFile(`${out()}.json`, 'utf8');
    const cached = (await readdir(join(dir, 'cache'), { recursive: true })).find((f) => f.endsWith(baseSha))!;
    const blob = join(dir, 'cache', cached);
    await chmod(blob, 0o644);
    await appendFile(blob, 'x');
    const r = await builder('make-usb', '--target', 'um760', '--lab', lab, '--cache', join(dir, 'cache'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`but the cache records ${baseSha}`);
    expect(r.stderr).toContain('how to fix: the file changed after it was cached');
    expect(await readFile(`${out()}.json`, 'utf8')).toBe(before);
    expect((await readdir(join(dir, 'state/media'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 120_000);
});
