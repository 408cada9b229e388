import { describe, expect, it } from 'vitest';
import { ConfigError, parseAgentConfig } from '../src/config/load.js';

const TOKEN = 'collector-token-0123456789';
const SECRET = 'sk-live-9f8e7d6c5b4a39281706';
const base = (extra: string) => `collector:\n  url: http://127.0.0.1:8080\n  token: ${TOKEN}\nroles: [host]\n${extra}`;

function errorOf(text: string): string {
  try {
    parseAgentConfig(text, '/etc/lab-agent/agent.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('agent.yaml errors never echo a value', () => {
  it('a secret pasted as a key: the line and the section are named, the key is not', () => {
    const msg = errorOf(base(`host:\n  name: gw\n  ${SECRET}: 1\n${SECRET}x: true\n`));
    expect(msg).not.toContain(SECRET);
    expect(msg).toMatch(/line 7: host: an unknown key \(its name is not shown/);
    expect(msg).toMatch(/line 8: \(top level\): an unknown key/);
  });

  it('a secret pasted as a value of the wrong kind, or as a role, is not echoed', () => {
    expect(errorOf(base(`spool:\n  dir: /x\n  maxEvents: ${SECRET}\n`))).not.toContain(SECRET);
    const roles = errorOf(`collector: { url: "http://h:1", token: ${TOKEN} }\nroles: [${SECRET}]\n`);
    expect(roles).not.toContain(SECRET);
    expect(roles).toMatch(/line 2: roles\.0: /);
  });

  it('broken YAML: the position and the parser code, not the text around it', () => {
    const msg = errorOf(`collector:\n  token: "${SECRET}\n  url: [\n`);
    expect(msg).toMatch(/^\/etc\/lab-agent\/agent\.yaml:\d+:\d+: not valid YAML \([A-Z_]+\)/);
    expect(msg).not.toContain(SECRET);
  });
});
