import { runDemoTool } from './exec.js';

/** Adapter for systemd's ukify (run by python3 from an unpacked systemd-ukify package). */
export interface Ukify {
  command: string;
  args: string[];
  env: Record<string, string>;
}

export async function ukifyBuild(u: Ukify, args: string[], cwd: string): Promise<void> {
  await runDemoTool(u.command, [...u.args, 'build', ...args], 'python3 (ukify runs on it) and Debian trixie\'s systemd-ukify (fetched into the cache)', { env: u.env, cwd });
}
