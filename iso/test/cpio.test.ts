import { execa } from 'execa';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCpio, readCpio, S_IFDIR, S_IFREG, S_IFLNK } from '../src/cpio.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cpio-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const members = [
  { name: 'usr', mode: S_IFDIR | 0o755 },
  { name: 'usr/local', mode: S_IFDIR | 0o755 },
  { name: 'usr/local/config.yaml', mode: S_IFREG | 0o400, data: Buffer.from('machine:\n  type: controlplane\n') },
  { name: 'odd-size.bin', mode: S_IFREG | 0o644, data: Buffer.from([1, 2, 3, 4, 5, 6, 7]) },
  { name: 'empty', mode: S_IFREG | 0o644, data: Buffer.alloc(0) },
  { name: 'link', mode: S_IFLNK | 0o777, data: Buffer.from('odd-size.bin') },
];

describe('cpio newc writer, read by GNU cpio', () => {
  it('lists every member with its mode, owner and fixed mtime', async () => {
    const archive = buildCpio(members, 1_700_000_000);
    const { stdout } = await execa('cpio', ['-t', '-v', '--quiet', '-H', 'newc'], { input: archive, env: { TZ: 'UTC', LC_ALL: 'C' } });
    const lines = stdout.trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/).slice(8).join(' '))).toEqual(['usr', 'usr/local', 'usr/local/config.yaml', 'odd-size.bin', 'empty', 'link -> odd-size.bin']);
    expect(lines[2]).toMatch(/^-r-------- +1 root +root +30 Nov 14 {2}2023 usr\/local\/config.yaml$/);
    expect(lines[0]).toMatch(/^drwxr-xr-x/);
  });

  it('extracts byte-identical contents', async () => {
    const archive = buildCpio(members, 0);
    const out = join(dir, 'x');
    await execa('mkdir', ['-p', out]);
    await execa('cpio', ['-i', '-d', '--quiet', '-H', 'newc', '--no-absolute-filenames'], { input: archive, cwd: out });
    expect(await readFile(join(out, 'usr/local/config.yaml'), 'utf8')).toBe('machine:\n  type: controlplane\n');
    expect([...(await readFile(join(out, 'odd-size.bin')))]).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('is deterministic: the same members and mtime give the same bytes', () => {
    expect(buildCpio(members, 42).equals(buildCpio(members, 42))).toBe(true);
    expect(buildCpio(members, 42).equals(buildCpio(members, 43))).toBe(false);
  });
});

describe('cpio newc reader', () => {
  it('reads what GNU cpio writes, keeping only the members asked for', async () => {
    await writeFile(join(dir, 'a.txt'), 'alpha\n');
    await writeFile(join(dir, 'b.txt'), 'bravo bravo\n');
    const { stdout } = await execa('cpio', ['-o', '-H', 'newc', '--quiet', '--reproducible'], { input: 'a.txt\nb.txt\n', cwd: dir, encoding: 'buffer' });
    const seen = [];
    for await (const m of readCpio(Readable.from([Buffer.from(stdout)]), (h) => h.name === 'b.txt')) seen.push(m);
    expect(seen.map((m) => m.name)).toEqual(['a.txt', 'b.txt']);
    expect(seen[0]!.data).toBeUndefined();
    expect(seen[1]!.data?.toString()).toBe('bravo bravo\n');
  });

  it('reads concatenated archives with zero padding between them, in 1-byte chunks', async () => {
    const a = buildCpio([members[2]!], 0);
    const b = buildCpio([members[3]!], 0);
    const stream = Buffer.concat([a, Buffer.alloc(512), b]);
    const chunks = [...stream].map((x) => Buffer.from([x]));
    const names = [];
    for await (const m of readCpio(Readable.from(chunks), () => true)) names.push([m.name, m.data?.length]);
    expect(names).toEqual([
      ['usr/local/config.yaml', 30],
      ['odd-size.bin', 7],
    ]);
  });

  it('rejects data that is not cpio, saying where', async () => {
    const read = async () => {
      for await (const _ of readCpio(Readable.from([Buffer.alloc(200, 'not an archive ')]))) void _;
    };
    await expect(read()).rejects.toThrow(/not a cpio newc header at byte 0/);
  });
});
