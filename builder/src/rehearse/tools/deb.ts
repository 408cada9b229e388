import { execa } from 'execa';

/**
 * Adapter for Debian's package tools: `apt-cache depends` (which kernel a metapackage points
 * at), `apt-get download` (fetch a .deb without installing it) and `dpkg-deb -x` (unpack it).
 */
export class DebError extends Error {
  override name = 'DebError';
}

async function run(program: string, args: string[], cwd?: string): Promise<string> {
  const r = await execa(program, args, { reject: false, stdin: 'ignore', env: { LC_ALL: 'C' }, ...(cwd ? { cwd } : {}) });
  if (r.failed) {
    const why = r.code === 'ENOENT' ? `${program} is not installed (this needs a Debian or Ubuntu machine)` : (r.stderr || r.shortMessage || '').trim().split('\n').slice(-4).join('; ');
    throw new DebError(`${program} ${args.join(' ')} failed: ${why}`);
  }
  return r.stdout;
}

/** The package a metapackage depends on first whose name starts with `prefix`. */
export async function dependsOn(pkg: string, prefix: string): Promise<string | undefined> {
  const out = await run('apt-cache', ['depends', pkg]);
  return new RegExp(`Depends: (${prefix}\\S+)`).exec(out)?.[1];
}

export async function download(pkg: string, dir: string): Promise<void> {
  await run('apt-get', ['download', pkg], dir);
}

export async function extract(deb: string, dir: string): Promise<void> {
  await run('dpkg-deb', ['-x', deb, dir]);
}
