import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigBootSyntaxError, parseConfigBoot } from '../../src/vyos/parse.js';
import { printConfigBoot } from '../../src/vyos/print.js';
import { findNodes, leafValues } from '../../src/vyos/tree.js';

const REFERENCE = fileURLToPath(new URL('../../../../shared/reference/seed-lab/gateway.conf', import.meta.url));

describe('config.boot parser and printer', () => {
  const text = readFileSync(REFERENCE, 'utf8');

  it('round-trips the reference gateway.conf byte for byte, comments included', () => {
    const file = parseConfigBoot(text, REFERENCE);
    expect(printConfigBoot(file)).toBe(text);
  });

  it('keeps the file comment as the header and attaches other comments to their nodes', () => {
    const file = parseConfigBoot(text);
    expect(file.header.startsWith('/* VyOS Gateway Configuration')).toBe(true);
    expect(file.header.endsWith('*/\n\n')).toBe(true);
    const br30 = findNodes(file.nodes, ['interfaces', 'bridge', 'br30'])[0]!;
    expect(br30.comments?.[0]).toContain('Bridge for VLAN 30');
    const auth = findNodes(file.nodes, ['system', 'login', 'user', 'vyos', 'authentication'])[0]!;
    expect(auth.children).toEqual([]);
    expect(auth.trailingComments).toHaveLength(2);
    const neighbor = findNodes(file.nodes, ['protocols', 'bgp', 'neighbor'])[0]!;
    expect(neighbor.comments?.[0]).toContain('shutdown by default');
  });

  it('reads tag nodes, leaves, multi-value leaves and valueless leaves', () => {
    const file = parseConfigBoot(text);
    expect(leafValues(file.nodes, ['interfaces', 'ethernet', 'eth1', 'vif', '20', 'address'])).toEqual(['10.10.20.1/24']);
    expect(leafValues(file.nodes, ['service', 'dhcp-relay', 'listen-interface'])).toEqual(['eth1.30', 'eth1.40']);
    expect(leafValues(file.nodes, ['interfaces', 'ethernet', 'eth0', 'description'])).toEqual(['WAN - Transit to Home (CCR2004)']);
    const flag = findNodes(file.nodes, ['service', 'ssh', 'disable-password-authentication'])[0]!;
    expect(flag).toEqual({ name: 'disable-password-authentication' });
    expect(findNodes(file.nodes, ['interfaces', 'ethernet'])).toHaveLength(3);
  });

  it('reads the VyOS footer and quoted values with escapes, and prints them back', () => {
    const src = [
      'system {',
      '    host-name "gw"',
      '    login {',
      '        banner {',
      '            pre-login "say \\"hi\\" \\\\ bye"',
      '        }',
      '    }',
      '}',
      '',
      '',
      '// Warning: Do not remove the following line.',
      '// vyos-config-version: "system@29"',
      '// Release version: 1.4.3',
      '',
    ].join('\n');
    const file = parseConfigBoot(src);
    expect(leafValues(file.nodes, ['system', 'login', 'banner', 'pre-login'])).toEqual(['say "hi" \\ bye']);
    expect(file.footer).toBe('\n\n// Warning: Do not remove the following line.\n// vyos-config-version: "system@29"\n// Release version: 1.4.3\n');
    expect(printConfigBoot(file)).toBe(src);
  });

  it('quotes every leaf value in the always style, and values that need it in any style', () => {
    const file = parseConfigBoot('a {\n    b c\n    d "e f"\n    tag k {\n    }\n}\n');
    expect(printConfigBoot(file, { quoteLeaves: 'always' })).toBe('a {\n    b "c"\n    d "e f"\n    tag k {\n    }\n}\n');
    delete file.nodes[0]!.children![1]!.quoted;
    expect(printConfigBoot(file)).toBe('a {\n    b c\n    d "e f"\n    tag k {\n    }\n}\n');
  });

  it.each([
    ['a {\n    b c\n', 1, 'never closed'],
    ['a {\n}\n}\n', 3, 'closes no block'],
    ['a {\n    b "c\n}\n', 2, 'quoted value must end on its line'],
    ['a {\n    b c d\n}\n', 2, 'at most one value'],
    ['a {\n    /* open\n}\n', 2, 'never closed with */'],
    ['a {\n    // x\n}\n', 2, 'only in the footer'],
    ['a {\n}\n// v\nb {\n}\n', 4, 'nothing but // lines'],
    ['a { b }\n', 1, 'one statement per line'],
  ])('refuses broken input %j with its line', (src, line, reason) => {
    let err: unknown;
    try {
      parseConfigBoot(src, 'x.boot');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigBootSyntaxError);
    expect((err as ConfigBootSyntaxError).line).toBe(line);
    expect((err as ConfigBootSyntaxError).message).toContain('x.boot:');
    expect((err as ConfigBootSyntaxError).message).toContain(reason);
  });
});
