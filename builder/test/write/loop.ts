import { execa } from 'execa';
import { mkdir, symlink, writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Loop devices stand in for USB sticks: the kernel's real block layer, real O_EXCL, fsync and
 * read-back. sysfs says a loop device is not removable, so tests that must pass the check give
 * the builder a small /sys tree that describes the loop device as a removable disk.
 */
export async function canUseLoop(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  try {
    await execa('losetup', ['--version']);
    return true;
  } catch {
    return false;
  }
}

export async function attachLoop(backing: string, bytes: number): Promise<string> {
  await execa('truncate', ['-s', String(bytes), backing]);
  const { stdout } = await execa('losetup', ['--find', '--show', backing]);
  return stdout.trim();
}

export async function detachLoop(dev: string): Promise<void> {
  await execa('losetup', ['-d', dev]).catch(() => undefined);
}

export async function fakeSys(root: string, dev: string, o: { removable?: boolean; holders?: string[]; sizeBytes?: number } = {}): Promise<string> {
  const name = dev.replace('/dev/', '');
  const st = await stat(dev);
  const major = (st.rdev >>> 8) & 0xfff;
  const minor = (st.rdev & 0xff) | ((st.rdev >>> 12) & 0xfff00);
  const block = join(root, 'block', name);
  await mkdir(join(block, 'holders'), { recursive: true });
  await writeFile(join(block, 'removable'), o.removable === false ? '0\n' : '1\n');
  await writeFile(join(block, 'ro'), '0\n');
  const real = (await execa('blockdev', ['--getsize64', dev])).stdout.trim();
  await writeFile(join(block, 'size'), `${Math.floor((o.sizeBytes ?? Number(real)) / 512)}\n`);
  for (const h of o.holders ?? []) await mkdir(join(block, 'holders', h), { recursive: true });
  await mkdir(join(root, 'dev', 'block'), { recursive: true });
  await symlink(`../../block/${name}`, join(root, 'dev', 'block', `${major}:${minor}`));
  await mkdir(join(root, 'class', 'block'), { recursive: true });
  await symlink(`../../block/${name}`, join(root, 'class', 'block', name));
  return root;
}
