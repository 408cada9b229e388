import { configPaths, formatPath } from './paths.js';
import type { ConfigNode } from './tree.js';

/** The tree as `set` commands, one per config path, in the tree's order. */
export function setCommands(nodes: readonly ConfigNode[]): string[] {
  return configPaths(nodes).map((p) => `set ${formatPath(p)}`);
}

/**
 * A VyOS configuration script (run it on the gateway with `vbash FILE`): the documented
 * script-template, then configure, the `set` commands, commit and save. `set` adds to the
 * running configuration; it does not delete what the tree lacks (load config.boot for that).
 */
export function commandsScript(nodes: readonly ConfigNode[], heading: readonly string[] = []): string {
  return [
    '#!/bin/vbash',
    ...heading.map((h) => `# ${h}`),
    'source /opt/vyatta/etc/functions/script-template',
    'configure',
    ...setCommands(nodes),
    'commit',
    'save',
    'exit',
    '',
  ].join('\n');
}
