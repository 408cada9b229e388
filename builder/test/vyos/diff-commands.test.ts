import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { commandsScript, setCommands } from '../../src/vyos/commands.js';
import { diffConfig, formatDiff, isEmptyDiff } from '../../src/vyos/diff.js';
import { findRelease, readFooter, versionFooter } from '../../src/vyos/footer.js';
import { parseConfigBoot } from '../../src/vyos/parse.js';
import { configPaths } from '../../src/vyos/paths.js';
import { sortTree, stripTrivia } from '../../src/vyos/tree.js';

const REFERENCE = fileURLToPath(new URL('../../../../shared/reference/seed-lab/gateway.conf', import.meta.url));
const reference = parseConfigBoot(readFileSync(REFERENCE, 'utf8')).nodes;
const tree = (text: string) => parseConfigBoot(text).nodes;

describe('config paths and set commands', () => {
  it('names every leaf, empty block and valueless leaf of the reference as a set command', () => {
    const cmds = setCommands(reference);
    expect(cmds).toContain("set interfaces ethernet eth1 vif 10 address '10.10.10.1/24'");
    expect(cmds).toContain("set interfaces ethernet eth0 description 'WAN - Transit to Home (CCR2004)'");
    expect(cmds).toContain('set interfaces bridge br30 member interface eth1.30');
    expect(cmds).toContain('set protocols static route 0.0.0.0/0 next-hop 10.0.0.1');
    expect(cmds).toContain('set service ssh disable-password-authentication');
    expect(cmds.filter((c) => c.startsWith('set firewall group network-group RFC1918 network '))).toEqual([
      "set firewall group network-group RFC1918 network '10.0.0.0/8'",
      "set firewall group network-group RFC1918 network '172.16.0.0/12'",
      "set firewall group network-group RFC1918 network '192.168.0.0/16'",
    ]);
    // Blocks with children are implied by their leaves, never listed on their own.
    expect(cmds).not.toContain('set interfaces ethernet eth1');
  });

  it('quotes values so the shell passes them intact, single quotes included', () => {
    const cmds = setCommands(tree('system {\n    login {\n        banner {\n            pre-login "it\'s $HOME"\n        }\n    }\n}\n'));
    expect(cmds).toEqual(["set system login banner pre-login 'it'\\''s $HOME'"]);
  });

  it('writes a vbash script that configures, commits and saves', () => {
    const script = commandsScript(tree('system {\n    host-name gw\n}\n'), ['made by a test']);
    expect(script).toBe(
      "#!/bin/vbash\n# made by a test\nsource /opt/vyatta/etc/functions/script-template\nconfigure\nset system host-name 'gw'\ncommit\nsave\nexit\n",
    );
  });
});

describe('diff as config paths', () => {
  it('finds nothing between a tree and itself reordered, recommented and requoted', () => {
    const shuffled = sortTree(stripTrivia(reference)).reverse();
    expect(isEmptyDiff(diffConfig(reference, shuffled))).toBe(true);
  });

  it('lists added, removed and changed paths', () => {
    const before = tree('system {\n    host-name a\n    name-server 1.1.1.1\n    name-server 8.8.8.8\n}\nservice {\n    ssh {\n        port 22\n    }\n}\n');
    const after = tree('system {\n    host-name b\n    name-server 1.1.1.1\n    name-server 9.9.9.9\n}\nprotocols {\n    static {\n        route 0.0.0.0/0 {\n            next-hop 10.0.0.1 {\n            }\n        }\n    }\n}\n');
    const d = diffConfig(before, after);
    expect(d.changed).toEqual([{ path: ['system', 'host-name'], from: 'a', to: 'b' }]);
    expect(d.removed).toEqual([
      { path: ['system', 'name-server'], value: '8.8.8.8' },
      { path: ['service', 'ssh', 'port'], value: '22' },
    ]);
    expect(d.added).toEqual([
      { path: ['system', 'name-server'], value: '9.9.9.9' },
      { path: ['protocols', 'static', 'route', '0.0.0.0/0', 'next-hop', '10.0.0.1'] },
    ]);
    expect(formatDiff(d)).toEqual([
      "- system name-server '8.8.8.8'",
      "- service ssh port '22'",
      "+ system name-server '9.9.9.9'",
      '+ protocols static route 0.0.0.0/0 next-hop 10.0.0.1',
      "~ system host-name 'a' -> 'b'",
    ]);
  });

  it('does not list an empty block that gained children, only the children', () => {
    const d = diffConfig(tree('a {\n    t k {\n    }\n}\n'), tree('a {\n    t k {\n        x 1\n    }\n}\n'));
    expect(d).toEqual({ added: [{ path: ['a', 't', 'k', 'x'], value: '1' }], removed: [], changed: [] });
  });
});

describe('tree order and version footers', () => {
  it('sorts like VyOS: names, then tag keys naturally; multi-value order kept', () => {
    const sorted = sortTree(tree('b {\n    rule 10 {\n    }\n    rule 9 {\n    }\n    n z\n    n a\n}\na {\n}\n'));
    expect(configPaths(sorted)).toEqual([
      { path: ['a'] },
      { path: ['b', 'n'], value: 'z' },
      { path: ['b', 'n'], value: 'a' },
      { path: ['b', 'rule', '9'] },
      { path: ['b', 'rule', '10'] },
    ]);
  });

  it('gives the 2025.11 footer, which parses back to the release and its component versions', () => {
    const release = findRelease('stream 2025.11');
    expect(release?.era).toBe('1.5');
    const footer = versionFooter(release!);
    const file = parseConfigBoot(`system {\n    host-name gw\n}\n${footer}`);
    expect(file.footer).toBe(footer);
    const read = readFooter(file.footer);
    expect(read?.releaseVersion).toBe('2025.11');
    expect(read?.components.firewall).toBe(20);
    expect(read?.components['dhcp-server']).toBe(11);
    expect(findRelease('1.3.0')).toBeUndefined();
  });
});
