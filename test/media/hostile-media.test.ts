// Hostile media for `builder media show`: an initramfs segment whose extensions.yaml claims 3 GiB
// (a decompression bomb: the ISO stays small), and one that is not cpio at all. Both are appended
// to the stand-in Talos ISO's initramfs the way Talos appends its extensions archive.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeHeader, S_IFREG } from '@lab/iso';
import { buildStandinIso } from '../fixtures/standin/talos-standin.js';

const CLI = join(process.cwd(), 'builder/bin/builder.js');
const BOMB_BYTES = 3 * 1024 ** 3;
let dir: string;

/** Runs the built CLI under GNU time, which reports the process's peak resident memory. */
async function show(iso: string) {
  const r = await execa('/usr/bin/time', ['-f', 'maxrss-kib=%M', 'node', CLI, 'media', 'show', iso], { reject: false, timeout: 120_000 });
  const rss = Number(/maxrss-kib=(\d+)/.exec(r.stderr)?.[1]);
  return { code: r.exitCode, stderr: r.stderr.replace(/maxrss-kib=\d+\n?/, ''), rssMiB: rss / 1024 };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hostile-media-'));
}, 60_000);

describe('media show on hostile media', () => {
  it('an extensions.yaml that inflates to 3 GiB fails fast with a clear message, memory bounded', async () => {
    const header = join(dir, 'bomb-header');
    await writeFile(header, encodeHeader({ name: 'extensions.yaml', mode: S_IFREG | 0o644, size: BOMB_BYTES, uid: 0, gid: 0, mtime: 0, nlink: 1, ino: 1 }));
    // The header, then 3 GiB of zeros, through zstd: a few hundred KiB on the ISO.
    const bomb = await execa('sh', ['-c', `{ cat '${header}'; head -c ${BOMB_BYTES} /dev/zero; } | zstd -1 -q -c`], { encoding: 'buffer', maxBuffer: 64 << 20 });
    const seg = Buffer.from(bomb.stdout);
    expect(seg.length).toBeLessThan(1 << 20);
    const iso = await buildStandinIso({ appendSegment: seg });
    const started = Date.now();
    const r = await show(iso);
    console.log(`media show on the bomb: ${Date.now() - started} ms, peak RSS ${r.rssMiB.toFixed(0)} MiB`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/initramfs segment \d+ \(zstd, bytes \d+-\d+\): member extensions\.yaml at byte \d+ claims 3221225472 bytes, more than the 67108864 read into memory/);
    expect(r.stderr).toMatch(/damaged or not a Talos ISO/);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(r.rssMiB).toBeLessThan(400);
  }, 300_000);

  it('a corrupt initramfs segment exits 1 (not 70) and says which segment and why', async () => {
    // A zstd frame whose cpio has the magic but fields that are not hex: damaged, not a crash.
    const raw = Buffer.concat([Buffer.from('070701' + 'zz'.repeat(52), 'ascii'), Buffer.alloc(512)]);
    const seg = Buffer.from((await execa('zstd', ['-1', '-q', '-c'], { input: raw, encoding: 'buffer' })).stdout);
    const iso = await buildStandinIso({ appendSegment: seg });
    const r = await show(iso);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/initramfs segment \d+ \(zstd, bytes \d+-\d+\): bad hex field 0 in cpio header at byte \d+/);
    expect(r.stderr).not.toMatch(/internal error|please report/);
  }, 300_000);
});
