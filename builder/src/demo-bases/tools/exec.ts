import { execa } from 'execa';
import { UserError } from '../../base/index.js';

/** Where and how one program of a demo base build runs. */
export interface DemoToolOptions {
  cwd?: string;
  /** Added to LC_ALL=C. */
  env?: Record<string, string>;
}

function failure(cmd: string, args: string[], pkg: string, r: { stderr?: unknown; shortMessage?: string }): UserError {
  const why = String(r.stderr || r.shortMessage || '').trim().split('\n').slice(-6).join('\n  ');
  return new UserError('ERR_DEMO_BASE_BUILD', `building a demo base: ${cmd} ${args.join(' ')} failed:\n  ${why}`, `install ${pkg} (\`npm run setup\` does), then run again`);
}

/**
 * Runs one program for a demo base build; a failure names the command line and the end of its
 * stderr, and the Debian package that provides it.
 */
export async function runDemoTool(cmd: string, args: string[], pkg: string, o: DemoToolOptions = {}): Promise<string> {
  const r = await execa(cmd, args, { reject: false, stdin: 'ignore', env: { LC_ALL: 'C', ...o.env }, ...(o.cwd ? { cwd: o.cwd } : {}) });
  if (r.failed) throw failure(cmd, args, pkg, r);
  return r.stdout.toString();
}

/** Runs a filter program: `input` on its stdin, its stdout as bytes. */
export async function runDemoFilter(cmd: string, args: string[], pkg: string, input: Buffer): Promise<Buffer> {
  const r = await execa(cmd, args, { reject: false, input, encoding: 'buffer', env: { LC_ALL: 'C' } });
  if (r.failed) throw failure(cmd, args, pkg, { stderr: Buffer.from(r.stderr ?? '').toString(), shortMessage: r.shortMessage });
  return Buffer.from(r.stdout);
}
