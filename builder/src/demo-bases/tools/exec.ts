import { execa } from 'execa';
import { UserError } from '../../base/index.js';

/**
 * Runs one program for a demo base build; a failure names the command line and the end of its
 * stderr, and the Debian package that provides it.
 */
export async function runDemoTool(cmd: string, args: string[], pkg: string): Promise<string> {
  const r = await execa(cmd, args, { reject: false, stdin: 'ignore', env: { LC_ALL: 'C' } });
  if (r.failed) {
    const why = (r.stderr || r.shortMessage || '').toString().trim().split('\n').slice(-6).join('\n  ');
    throw new UserError('ERR_DEMO_BASE_BUILD', `building a demo base: ${cmd} ${args.join(' ')} failed:\n  ${why}`, `install ${pkg} (\`npm run setup\` does), then run again`);
  }
  return r.stdout.toString();
}
