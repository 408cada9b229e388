// Hostile or odd input files for the built CLI, run the way an operator runs it: a FIFO or an
// outsized file as the lab, a device as an image to import, and an import interrupted (SIGINT)
// or killed (SIGKILL) mid-copy.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach, until } from '../fixtures/wait.js';

const CLI = join(process.cwd(), 'builder/bin/builder.js');
const builder = (args: string[], cwd: string) => execa('node', [CLI, ...args], { cwd, reject: false, timeout: 60_000 });
const MANIFEST = `apiVersion: images.lab.gilman.io/v1alpha1
kind: ImageManifest
metadata: { name: test }
spec:
  images:
    - name: talos
      source: { url: "http://127.0.0.1:9/talos.iso", checksum: "sha256:${'ab'.repeat(32)}" }
`;
const cleanups = cleanupAfterEach();
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), 'hostile-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};
const partials = (dir: string) => (existsSync(join(dir, 'cache/partial')) ? readdirSync(join(dir, 'cache/partial')) : []);

describe('validate refuses what is not a lab file', () => {
  it('a FIFO as the lab: exit 2 at once, naming what it is (it used to hang)', async () => {
    const dir = scratch();
    execFileSync('mkfifo', [join(dir, 'lab.yaml')]);
    const started = Date.now();
    const r = await builder(['validate', '--lab', 'lab.yaml'], dir);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('cannot read lab file lab.yaml: it is a FIFO (named pipe), not a regular file');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a 50 MB lab: exit 2 before parsing, stating the size limit', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'lab.yaml'), `# padding\n`.repeat(5_000_000));
    const r = await builder(['validate', '--lab', 'lab.yaml'], dir);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('cannot read lab file lab.yaml: it is 50000000 bytes, more than the 1048576 bytes (1 MiB) allowed');
  });
});

describe('images import leaves no partial behind', () => {
  it('a device (/dev/zero) is refused before a byte is copied', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'images.yaml'), MANIFEST);
    const r = await builder(['images', 'import', '/dev/zero', '--manifest', 'images.yaml', '--cache', 'cache'], dir);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('cannot import /dev/zero: it is not a regular file');
    expect(r.stderr).toContain('ERR_INPUT_NOT_REGULAR');
    expect(partials(dir)).toEqual([]);
  });

  it('SIGINT mid-copy: exit 130, the partial copy removed, nothing cached', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'images.yaml'), MANIFEST);
    writeFileSync(join(dir, 'big.iso'), '');
    truncateSync(join(dir, 'big.iso'), 8 * 1024 ** 3); // sparse: reading it costs no disk
    const child = execa('node', [CLI, 'images', 'import', 'big.iso', '--manifest', 'images.yaml', '--cache', 'cache'], { cwd: dir, reject: false });
    await until('the copy to start', () => partials(dir).length > 0, 20_000);
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(r.stderr).toContain('images import of');
    expect(r.stderr).toContain('interrupted: nothing was cached and the partial copy was removed');
    expect(r.stderr).toContain('ERR_INTERRUPTED');
    expect(partials(dir)).toEqual([]);
    expect(readdirSync(join(dir, 'cache/sha256'))).toEqual([]);
  });

  it('SIGKILL mid-copy leaves a partial that the next import removes', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'images.yaml'), MANIFEST);
    writeFileSync(join(dir, 'big.iso'), '');
    truncateSync(join(dir, 'big.iso'), 8 * 1024 ** 3);
    writeFileSync(join(dir, 'small.iso'), 'not the pinned image\n');
    const child = execa('node', [CLI, 'images', 'import', 'big.iso', '--manifest', 'images.yaml', '--cache', 'cache'], { cwd: dir, reject: false });
    await until('the copy to start', () => partials(dir).length > 0, 20_000);
    child.kill('SIGKILL');
    await child;
    expect(partials(dir)).toHaveLength(1);
    const next = await builder(['images', 'import', 'small.iso', '--manifest', 'images.yaml', '--cache', 'cache'], dir);
    expect(next.exitCode).toBe(1); // it matches no pinned image
    expect(partials(dir)).toEqual([]);
  });
});
