import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../src/cli/dispatch.js';
import { memoryIo } from '../../src/base/index.js';
import { resolveImage, schematicId } from '../../src/images/index.js';
import { sha256, startServer, type TestServer } from './server.js';

// The reference lab sits beside the repository (../shared), wherever the checkout is.
const REFERENCE_IMAGES = fileURLToPath(new URL('../../../../shared/reference/seed-lab/images.yaml', import.meta.url));

const ISO = randomBytes(3 * 1024 * 1024 + 123);
const OTHER = randomBytes(64 * 1024);
const MANIFEST_TEXT = Buffer.from('apiVersion: v1\nkind: List\nitems: []\n');

let server: TestServer;
let dir: string;
let cache: string;

const manifest = (images: string) => `apiVersion: images.lab.gilman.io/v1alpha1
kind: ImageManifest
metadata: { name: test }
spec:
  images:
${images}`;

async function run(...argv: string[]) {
  const io = memoryIo(dir, { ...process.env, HOME: dir, XDG_CACHE_HOME: '' });
  const code = await dispatch(argv, io);
  return { code, out: io.stdout, err: io.stderr };
}

async function blobs(): Promise<string[]> {
  try {
    return (await readdir(join(cache, 'sha256'))).sort();
  } catch {
    return [];
  }
}

async function partials(): Promise<string[]> {
  try {
    return await readdir(join(cache, 'partial'));
  } catch {
    return [];
  }
}

beforeAll(async () => {
  server = await startServer({ '/talos.iso': ISO, '/other.bin': OTHER, '/argocd/install.yaml': MANIFEST_TEXT });
});
afterAll(async () => server.close());

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'images-'));
  cache = join(dir, 'cache');
  server.requests.length = 0;
  server.cut(0, 0);
});

describe('builder images sync', () => {
  it('resumes a transfer cut halfway with a Range request, and the cached bytes match', async () => {
    await writeFile(join(dir, 'images.yaml'), manifest(`    - name: talos
      source: { url: "${server.url}/talos.iso", checksum: "sha256:${sha256(ISO)}" }
`));
    const half = Math.floor(ISO.length / 2);
    server.cut(1, half);
    const first = await run('images', 'sync', '--manifest', 'images.yaml', '--cache', 'cache', '--retries', '0');
    expect(first.code).toBe(1);
    expect(first.err).toContain('resumes from byte');
    expect(await blobs()).toEqual([]);
    const part = (await partials()).find((p) => p.endsWith('.part'))!;
    const partSize = (await stat(join(cache, 'partial', part))).size;
    expect(partSize).toBeGreaterThan(0);
    expect(partSize).toBeLessThan(ISO.length);

    const second = await run('images', 'sync', '--manifest', 'images.yaml', '--cache', 'cache', '--retries', '0');
    expect(second.code, second.err).toBe(0);
    const last = server.requests[server.requests.length - 1]!;
    expect(last.range).toBe(`bytes=${partSize}-`);
    expect(last.ifRange).toMatch(/^"/);
    expect(second.out).toContain('resumed at');
    expect(await blobs()).toEqual([sha256(ISO)]);
    expect(Buffer.compare(await readFile(join(cache, 'sha256', sha256(ISO))), ISO)).toBe(0);
    expect((await partials()).filter((p) => !p.startsWith('.'))).toEqual([]);
    // Plain progress lines (not a TTY) carry bytes, rate and ETA.
    expect(second.out).toMatch(/talos \[#+-*\]\s+\d+%\s+[\d.]+ MiB\/3\.0 MiB\s+[\d.]+ \S+\/s\s+ETA \d+:\d\d/);

    const again = await run('images', 'sync', '--manifest', 'images.yaml', '--cache', 'cache');
    expect(again.out).toContain('talos: cached');
  });

  it('retries a cut transfer within one run, resuming each time', async () => {
    await writeFile(join(dir, 'images.yaml'), manifest(`    - name: talos
      source: { url: "${server.url}/redirect/talos.iso", checksum: "sha256:${sha256(ISO)}" }
`));
    server.cut(2, 700_000);
    const r = await run('images', 'sync', '--manifest', 'images.yaml', '--cache', 'cache', '--retries', '3');
    expect(r.code, r.err).toBe(0);
    expect((r.err.match(/retrying/g) ?? []).length).toBe(2);
    const starts = server.requests.filter((q) => q.path === '/talos.iso' && q.range).map((q) => Number(/^bytes=(\d+)-$/.exec(q.range!)![1]));
    expect(starts).toHaveLength(2);
    expect(starts[0]).toBeGreaterThan(0);
    expect(starts[0]).toBeLessThanOrEqual(700_000);
    expect(starts[1]).toBeGreaterThan(starts[0]!);
    expect(starts[1]).toBeLessThanOrEqual(starts[0]! + 700_000);
    expect(Buffer.compare(await readFile(join(cache, 'sha256', sha256(ISO))), ISO)).toBe(0);
  });

  it('starts over when the file changed on the server between two attempts (If-Range)', async () => {
    const v1 = randomBytes(1024 * 1024);
    const v2 = randomBytes(1024 * 1024 + 7);
    server.files.set('/changing.iso', v1);
    await writeFile(join(dir, 'images.yaml'), manifest(`    - name: changing
      source: { url: "${server.url}/changing.iso", checksum: "sha256:${sha256(v2)}" }
`));
    server.cut(1, 300_000);
    expect((await run('images', 'sync', '--manifest', 'images.yaml', '--cache', 'cache', '--retries', '0')).code).toBe(1);
    server.files.set('/changing.iso', v2);
    const r = await run('images', 'sync', '--manifest', 'images.yaml', '--cache', 'cache', '--retries', '0');
    expect(r.code, r.err).toBe(0);
    const last = server.requests[server.requests.length - 1]!;
    expect(last.range).toMatch(/^bytes=[1-9]\d*-$/);
    expect(last.ifRange).toBe(`"${sha256(v1).slice(0, 16)}"`);
    expect(r.out).not.toContain('resumed at');
    expect(Buffer.compare(await readFile(join(cache, 'sha256', sha256(v2))), v2)).toBe(0);
  });

  it('starts over when the server ignores Range', async () => {
    server.files.set('/norange/talos.iso', ISO);
    await writeFile(join(dir, 'images.yaml'), manifest(`    - name: talos
      source: { url: "${server.url}/norange/talos.iso", checksum: "sha256:${sha256(ISO)}" }
`));
    server.cut(1, 500_000);
    expect((await run('images', 'sync', '--manifest', 'images.yaml', '--cache', 'cache', '--retries', '0')).code).toBe(1);
    const r = await run('images', 'sync', '--manifest', 'images.yaml', '--cache', 'cache', '--retries', '0');
    expect(r.code, r.err).toBe(0);
    expect(server.requests[server.requests.length - 1]!.range).toMatch(/^bytes=/);
    expect(r.out).not.toContain('resumed at');
    expect(Buffer.compare(await readFile(join(cache, 'sha256', sha256(ISO))), ISO)).toBe(0);
  });

  it('refuses to download into a part file another running builder holds', async () => {
    await writeFile(join(dir, 'images.yaml'), manifest(`    - name: talos
      source: { url: "${server.url}/talos.iso", checksum: "sha256:${sha256(ISO)}" }
`));
    await mkdir(join(cache, 'partial'), { recursive: true });
    // pid 1 always runs: the lock is live.
    await writeFile(join(cache, 'partial', `${sha256(ISO)}.part.lock`), '1');
    const r = await run('images', 'sync', '--manifest', 'images.yaml', '--cache', 'cache');
    expect(r.code).toBe(1);
    expect(r.err).toContain('another builder (pid 1) is downloading talos');
    expect(server.requests).toEqual([]);
    // A lock whose process is gone is taken over.
    await writeFile(join(cache, 'partial', `${sha256(ISO)}.part.lock`), '999999999');
    expect((await run('images', 'sync', '--manifest', 'images.yaml', '--cache', 'cache')).code).toBe(0);
  });

  it('caches nothing when the sha256 does not match', async () => {
    const wrong = sha256('something else');
    await writeFile(join(dir, 'images.yaml'), manifest(`    - name: talos
      source: { url: "${server.url}/talos.iso", checksum: "sha256:${wrong}" }
`));
    const r = await run('images', 'sync', '--manifest', 'images.yaml', '--cache', 'cache');
    expect(r.code).toBe(1);
    expect(r.err).toContain(`sha256 mismatch for talos from ${server.url}/talos.iso: expected ${wrong}, got ${sha256(ISO)}`);
    expect(r.err).toContain('nothing was cached');
    expect(await blobs()).toEqual([]);
    expect(await partials()).toEqual([]);
  });

  it('downloads a Talos schematic image from the URL computed from its ID', async () => {
    const id = schematicId({ customization: { extraKernelArgs: ['console=ttyS0'] } });
    server.files.set(`/image/${id}/v1.12.0/metal-amd64.iso`, OTHER);
    await writeFile(join(dir, 'images.yaml'), manifest(`    - name: talos-custom
      source:
        schematic: { version: v1.12.0, factory: "${server.url}", customization: { extraKernelArgs: [console=ttyS0] } }
        checksum: "sha256:${sha256(OTHER)}"
`));
    const r = await run('images', 'sync', '--manifest', 'images.yaml', '--cache', 'cache');
    expect(r.code, r.err).toBe(0);
    expect(server.requests.map((q) => q.path)).toContain(`/image/${id}/v1.12.0/metal-amd64.iso`);
    const resolved = await resolveImage('talos-custom', { manifest: 'images.yaml', cache: 'cache', cwd: dir, env: {} });
    expect(resolved.sha256).toBe(sha256(OTHER));
    expect(Buffer.compare(await readFile(resolved.path), OTHER)).toBe(0);
  });

  it('hashes an unpinned file, says how to pin it, and caches nothing', async () => {
    await writeFile(join(dir, 'images.yaml'), manifest(`    - name: argocd-install
      type: file
      source: { url: "${server.url}/argocd/install.yaml" }
`));
    const r = await run('images', 'sync', '--manifest', 'images.yaml', '--cache', 'cache');
    expect(r.code).toBe(1);
    expect(r.err).toContain(`checksum: sha256:${sha256(MANIFEST_TEXT)}`);
    expect(await blobs()).toEqual([]);
    await expect(resolveImage('argocd-install', { manifest: 'images.yaml', cache: 'cache', cwd: dir, env: {} })).rejects.toThrow(/no checksum/);
  });

  it('reports an HTTP error without caching', async () => {
    await writeFile(join(dir, 'images.yaml'), manifest(`    - name: gone
      source: { url: "${server.url}/missing.iso", checksum: "sha256:${sha256(ISO)}" }
`));
    const r = await run('images', 'sync', '--manifest', 'images.yaml', '--cache', 'cache');
    expect(r.code).toBe(1);
    expect(r.err).toContain('HTTP 404');
    expect(await blobs()).toEqual([]);
  });
});

describe('builder images import | verify | list | prune', () => {
  it('imports a matching file, refuses a wrong one, rehashes, and prunes what the manifest dropped', async () => {
    await writeFile(join(dir, 'talos.iso'), ISO);
    await writeFile(join(dir, 'wrong.iso'), OTHER);
    await writeFile(join(dir, 'images.yaml'), manifest(`    - name: talos
      source: { url: "${server.url}/talos.iso", checksum: "sha256:${sha256(ISO)}" }
`));
    const bad = await run('images', 'import', 'wrong.iso', '--manifest', 'images.yaml', '--cache', 'cache', '--name', 'talos');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain(`expected ${sha256(ISO)}, got ${sha256(OTHER)}; nothing was cached`);
    expect(await blobs()).toEqual([]);
    expect(await partials()).toEqual([]);

    const ok = await run('images', 'import', 'talos.iso', '--manifest', 'images.yaml', '--cache', 'cache');
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toContain('talos: imported');
    expect(server.requests).toEqual([]);
    const list = await run('images', 'list', '--manifest', 'images.yaml', '--cache', 'cache', '--json');
    const rows = JSON.parse(list.out) as { images: { name: string; state: string }[] };
    expect(rows.images).toEqual([expect.objectContaining({ name: 'talos', state: 'cached' })]);

    expect((await run('images', 'verify', '--cache', 'cache')).code).toBe(0);
    const blob = join(cache, 'sha256', sha256(ISO));
    await chmod(blob, 0o644);
    const corrupt = Buffer.from(ISO);
    corrupt[1000] = corrupt[1000]! ^ 0xff;
    await writeFile(blob, corrupt);
    const v = await run('images', 'verify', '--cache', 'cache');
    expect(v.code).toBe(1);
    expect(v.err).toContain(`CORRUPT  talos  stored as ${sha256(ISO)}, content hashes to ${sha256(corrupt)}`);
    const repaired = await run('images', 'verify', '--cache', 'cache', '--repair');
    expect(repaired.err).toContain('(removed)');
    expect(await blobs()).toEqual([]);

    expect((await run('images', 'import', 'talos.iso', '--manifest', 'images.yaml', '--cache', 'cache')).code).toBe(0);
    // The manifest moves on: the old ISO is no longer pinned, so prune removes it.
    await writeFile(join(dir, 'images.yaml'), manifest(`    - name: other
      source: { url: "${server.url}/other.bin", checksum: "sha256:${sha256(OTHER)}" }
`));
    const listed = await run('images', 'list', '--manifest', 'images.yaml', '--cache', 'cache');
    expect(listed.out).toContain('other  [missing]');
    expect(listed.out).toContain(`${sha256(ISO)}  3.0 MiB  was talos`);
    const dry = await run('images', 'prune', '--manifest', 'images.yaml', '--cache', 'cache', '--dry-run');
    expect(dry.out).toContain(`would remove ${sha256(ISO)} (talos)`);
    expect(await blobs()).toEqual([sha256(ISO)]);
    const pruned = await run('images', 'prune', '--manifest', 'images.yaml', '--cache', 'cache');
    expect(pruned.code).toBe(0);
    expect(await blobs()).toEqual([]);
  });

  it('finds the manifest beside the lab file and uses the XDG cache by default', async () => {
    await writeFile(join(dir, 'lab.yaml'), 'not read by images\n');
    await writeFile(join(dir, 'talos.iso'), ISO);
    await writeFile(join(dir, 'images.yaml'), manifest(`    - name: talos
      source: { url: "${server.url}/talos.iso", checksum: "sha256:${sha256(ISO)}" }
`));
    const io = memoryIo(dir, { HOME: dir, XDG_CACHE_HOME: join(dir, 'xdg') });
    expect(await dispatch(['images', 'import', 'talos.iso', '--lab', 'lab.yaml'], io)).toBe(0);
    expect((await stat(join(dir, 'xdg', 'lab-builder', 'images', 'sha256', sha256(ISO)))).isFile()).toBe(true);
  });
});

describe('image manifest', () => {
  it('accepts the reference manifest as it is and shows its hooks without running them', async () => {
    const r = await run('images', 'list', '--manifest', REFERENCE_IMAGES, '--cache', 'cache');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('hook    preUpload: vyos-integration-test → ./images/hooks/vyos-test.sh (recorded, not run)');
    expect(r.out).toContain('hook    transform: embed-um760-config → ./images/hooks/talos-embed-config.sh cp-1 (recorded, not run)');
  });

  it('names the file, line and field of a bad manifest', async () => {
    await writeFile(join(dir, 'images.yaml'), manifest(`    - name: talos
      source:
        url: "${server.url}/talos.iso"
        checksum: md5:abc
`));
    const r = await run('images', 'list', '--manifest', 'images.yaml', '--cache', 'cache');
    expect(r.code).toBe(1);
    expect(r.err).toContain('images.yaml:9:19 spec.images[0].source.checksum: write sha256: followed by 64 hex digits');
    expect(r.err).not.toContain('    at ');
  });

  it('keeps the example lab manifest valid and its Talos URL equal to the reference', async () => {
    const r = await run('images', 'list', '--manifest', join(process.cwd(), 'examples/genesis/images.yaml'), '--cache', 'cache', '--json');
    const ref = await readFile(REFERENCE_IMAGES, 'utf8');
    const rows = JSON.parse(r.out) as { images: { name: string; url: string; state: string }[] };
    const talos = rows.images.find((i) => i.name === 'talos-metal')!;
    expect(ref).toContain(talos.url);
    expect(rows.images.find((i) => i.name === 'argocd-install')?.state).toBe('unpinned');
    await rm(cache, { recursive: true, force: true });
  });
});
