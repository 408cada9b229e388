import { execa } from 'execa';

/**
 * Adapter for iproute2's `ip`. Every call the rehearsal makes names one of its own namespaces;
 * this file only runs what it is given.
 */
export class IpError extends Error {
  override name = 'IpError';
}

export async function ip(args: string[]): Promise<void> {
  const r = await execa('ip', args, { reject: false, stdin: 'ignore' });
  if (r.failed) {
    const why = r.code === 'ENOENT' ? 'ip is not installed (Debian: iproute2)' : (r.stderr || r.shortMessage || '').trim();
    throw new IpError(`ip ${args.join(' ')} failed: ${why}`);
  }
}

/** `ip netns delete NS`; a namespace that is already gone is not an error. */
export async function deleteNetns(ns: string): Promise<boolean> {
  const r = await execa('ip', ['netns', 'delete', ns], { reject: false, stdin: 'ignore' });
  if (r.exitCode === 0) return true;
  if (/No such file|does not exist|Invalid netns/i.test(r.stderr)) return false;
  throw new IpError(`ip netns delete ${ns} failed: ${r.stderr.trim()}`);
}

/** The namespaces that exist now (`ip netns list`). */
export async function listNetns(): Promise<string[]> {
  const r = await execa('ip', ['netns', 'list'], { reject: false, stdin: 'ignore' });
  return r.stdout.split('\n').map((l) => l.split(' ')[0] ?? '').filter(Boolean);
}

/** Whether this process may create network namespaces (root with CAP_NET_ADMIN). */
export async function netnsAllowed(probe: string): Promise<{ ok: boolean; why: string }> {
  const r = await execa('ip', ['netns', 'add', probe], { reject: false, stdin: 'ignore' });
  if (r.exitCode !== 0) return { ok: false, why: (r.stderr || r.shortMessage || '').trim() };
  await deleteNetns(probe);
  return { ok: true, why: '' };
}

/**
 * Starts `program` inside namespace `ns` (`ip netns exec` replaces itself with the program, so
 * the pid is the program's). Output goes to `logFile` (stderr to `logFile`.err). Detached into its own process group so a
 * Ctrl-C at the terminal reaches the rehearsal, which then stops it in order.
 */
export function spawnInNetns(ns: string, program: string, args: string[], logFile: string, env: NodeJS.ProcessEnv = {}): { pid: number; exited: Promise<number | undefined> } {
  const child = execa('ip', ['netns', 'exec', ns, program, ...args], { reject: false, detached: true, cleanup: false, stdin: 'ignore', stdout: { file: logFile }, stderr: { file: `${logFile}.err` }, env: { ...process.env, ...env } });
  if (child.pid === undefined) throw new IpError(`could not start ${program} in namespace ${ns}`);
  child.unref();
  return { pid: child.pid, exited: child.then((r) => r.exitCode) };
}
