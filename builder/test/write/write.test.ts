import { randomBytes, createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UserError, memoryIo } from '../../src/base/index.js';
import { dispatch } from '../../src/cli/dispatch.js';
import { runWrite, inspectDevice, parseMounts, REAL_ROOTS, type WriteDeps } from '../../src/write/index.js';
import { attachLoop, canUseLoop, detachLoop, fakeSys } from './loop.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const loopOk = await canUseLoop();
// These tests need loop devices (losetup, as root); without them the file fails rather than skipping silently.
if (!loopOk) throw new Error('this test needs loop devices (losetup, as root): run the suite as root (CI does)');
const MiB = 1024 * 1024;

let dir: string;
const loops: string[] = [];
const mounts: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'write-'));
});
afterEach(async () => {
  for (const m of mounts.splice(0)) await execa('umount', [m]).catch(() => undefined);
  for (const l of loops.splice(0)) await detachLoop(l);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function stick(name: string, bytes = 16 * MiB, sys: { removable?: boolean; holders?: string[] } = {}) {
  const dev = await attachLoop(join(dir, `${name}.img`), bytes);
  loops.push(dev);
  const sysRoot = await fakeSys(join(dir, `${name}-sys`), dev, sys);
  return { dev, backing: join(dir, `${name}.img`), roots: { sys: sysRoot, proc: '/proc' } };
}

function deps(roots: WriteDeps['roots'], over: Partial<WriteDeps> = {}): WriteDeps {
  return { roots, confirm: async () => false, canAsk: () => false, ...over };
}

async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return `${(err as UserError).message} ${(err as UserError).hint ?? ''}`;
  }
  throw new Error('expected a refusal');
}

describe('parseMounts', () => {
  it('decodes octal escapes in mount points', () => {
    expect(parseMounts('/dev/sdb1 /media/my\\040stick vfat rw 0 0\n')).toEqual([{ source: '/dev/sdb1', target: '/media/my stick' }]);
  });
});

describe('builder write on a loop device', () => {
  it('writes, fsyncs, reads back and verifies the image', async () => {
    const s = await stick('ok');
    const image = randomBytes(5 * MiB + 4096);
    await writeFile(join(dir, 'ok.iso'), image);
    const io = memoryIo(dir);
    const code = await runWrite(join(dir, 'ok.iso'), s.dev, true, io, deps(s.roots));
    expect(code, io.stderr).toBe('written');
    expect(io.stdout).toContain(`read back and verified sha256 ${sha(image)}`);
    expect(io.stdout).toMatch(/write \[#+\]\s+100%/);
    await detachLoop(s.dev);
    const written = (await readFile(s.backing)).subarray(0, image.length);
    expect(sha(written)).toBe(sha(image));
  });

  it('refuses a device the kernel does not call removable (real /sys)', async () => {
    const s = await stick('fixed');
    await writeFile(join(dir, 'small.iso'), randomBytes(MiB));
    const msg = await errorOf(runWrite(join(dir, 'small.iso'), s.dev, true, memoryIo(dir), deps(REAL_ROOTS)));
    expect(msg).toContain(`${s.dev} is not a removable or USB disk`);
  });

  it('refuses a mounted device, naming the mount point', async () => {
    const s = await stick('mounted');
    await execa('mkfs.ext2', ['-q', s.dev]);
    const mnt = join(dir, 'mnt');
    await mkdir(mnt, { recursive: true });
    await execa('mount', [s.dev, mnt]);
    mounts.push(mnt);
    await writeFile(join(dir, 'small.iso'), randomBytes(MiB));
    const msg = await errorOf(runWrite(join(dir, 'small.iso'), s.dev, true, memoryIo(dir), deps(s.roots)));
    expect(msg).toContain(`${s.dev} is mounted (${s.dev} on ${mnt})`);
    expect(msg).toContain(`umount ${mnt}`);
  });

  it('refuses a system disk (mounted on / in the given mount table) and one with device-mapper holders', async () => {
    const s = await stick('system');
    const proc = join(dir, 'proc-system');
    await mkdir(join(proc, 'self'), { recursive: true });
    await writeFile(join(proc, 'self', 'mounts'), `${s.dev} / ext4 rw 0 0\n`);
    await writeFile(join(dir, 'small.iso'), randomBytes(MiB));
    const msg = await errorOf(runWrite(join(dir, 'small.iso'), s.dev, true, memoryIo(dir), deps({ sys: s.roots.sys, proc })));
    expect(msg).toContain(`${s.dev} is a system disk (${s.dev} on /)`);

    const h = await stick('lvm', 16 * MiB, { holders: ['dm-0'] });
    const msg2 = await errorOf(runWrite(join(dir, 'small.iso'), h.dev, true, memoryIo(dir), deps(h.roots)));
    expect(msg2).toContain('is in use by dm-0');
  });

  it('refuses a device smaller than the image', async () => {
    const s = await stick('tiny', 4 * MiB);
    await writeFile(join(dir, 'big.iso'), randomBytes(6 * MiB));
    const msg = await errorOf(runWrite(join(dir, 'big.iso'), s.dev, true, memoryIo(dir), deps(s.roots)));
    expect(msg).toMatch(/holds 0\.00 GiB, smaller than the image/);
  });

  it('asks first: no terminal means no write, "no" writes nothing, "yes" writes', async () => {
    const s = await stick('ask');
    const image = randomBytes(2 * MiB);
    await writeFile(join(dir, 'ask.iso'), image);
    const msg = await errorOf(runWrite(join(dir, 'ask.iso'), s.dev, false, memoryIo(dir), deps(s.roots)));
    expect(msg).toContain('pass --yes');
    const questions: string[] = [];
    const declined = memoryIo(dir);
    expect(await runWrite(join(dir, 'ask.iso'), s.dev, false, declined, deps(s.roots, { canAsk: () => true, confirm: async (q) => (questions.push(q), false) }))).toBe('declined');
    expect(questions[0]).toContain(`to ${s.dev}`);
    expect(questions[0]).toContain('Everything on it is erased');
    const fh = await open(s.dev, 'r');
    const head = Buffer.alloc(MiB);
    await fh.read(head, 0, MiB, 0);
    await fh.close();
    expect(head.every((b) => b === 0)).toBe(true);
    expect(await runWrite(join(dir, 'ask.iso'), s.dev, false, memoryIo(dir), deps(s.roots, { canAsk: () => true, confirm: async () => true }))).toBe('written');
  });

  it('fails when the read-back differs from what was written', async () => {
    const s = await stick('flaky');
    await writeFile(join(dir, 'flaky.iso'), randomBytes(MiB));
    // Fault injection: a stick that loses a byte after the write (what a failing or fake-capacity stick does).
    const flush = async (dev: string) => {
      const fh = await open(dev, 'r+');
      await fh.write(Buffer.from([0x55]), 0, 1, 1234);
      await fh.sync();
      await fh.close();
      await execa('blockdev', ['--flushbufs', dev]);
    };
    const msg = await errorOf(runWrite(join(dir, 'flaky.iso'), s.dev, true, memoryIo(dir), deps(s.roots, { flush })));
    expect(msg).toContain('read-back of');
    expect(msg).toContain('does not match');
  });

  it('reads the size and removable flag of the loop device from sysfs', async () => {
    const s = await stick('info', 8 * MiB);
    const real = await inspectDevice(s.dev, REAL_ROOTS);
    expect(real.sizeBytes).toBe(8 * MiB);
    expect(real.removable).toBe(false);
    expect((await inspectDevice(s.dev, s.roots)).removable).toBe(true);
  });
});

describe('builder write (command line)', () => {
  it('refuses a regular file and says what to do instead', async () => {
    await writeFile(join(dir, 'a.iso'), randomBytes(1024));
    await writeFile(join(dir, 'target.img'), Buffer.alloc(4096));
    const io = memoryIo(dir);
    expect(await dispatch(['write', '--image', 'a.iso', '--device', join(dir, 'target.img'), '--yes'], io)).toBe(1);
    expect(io.stderr).toContain('is not a block device');
    expect(io.stderr).not.toContain('    at ');
  });
  it('requires both flags', async () => {
    const io = memoryIo(dir);
    expect(await dispatch(['write', '--image', 'a.iso'], io)).toBe(2);
  });
});
