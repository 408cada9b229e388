import { runDemoTool } from './exec.js';

/**
 * Adapter for apt-get with a private apt state (`-o` options: its own sources list, lists and
 * cache directories, so the machine's own apt state is untouched) and for `dpkg -x`.
 */
export function aptOptions(root: string): string[] {
  return [
    '-o', `Dir::Etc::SourceList=${root}/none.list`,
    '-o', `Dir::Etc::SourceParts=${root}/parts`,
    '-o', `Dir::State::Lists=${root}/lists`,
    '-o', `Dir::Cache=${root}/cache`,
    '-o', 'Debug::NoLocking=1',
    '-o', 'APT::Sandbox::User=root',
  ];
}

export async function aptUpdate(root: string): Promise<void> {
  await runDemoTool('apt-get', [...aptOptions(root), '-qq', 'update'], 'apt (and the network, once: Debian trixie\'s sources)');
}

export async function aptDownload(root: string, packages: string[], dir: string): Promise<void> {
  await runDemoTool('apt-get', [...aptOptions(root), '-qq', 'download', ...packages], 'apt (and the network, once)', { cwd: dir });
}

export async function dpkgExtract(deb: string, dir: string): Promise<void> {
  await runDemoTool('dpkg', ['-x', deb, dir], 'dpkg');
}
