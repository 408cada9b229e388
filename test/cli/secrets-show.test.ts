// `builder secrets show` through the built CLI: on a real terminal (util-linux `script` gives the
// command a pty) it prints the one secret asked for; to a pipe or under --json it refuses and the
// value appears nowhere in the output.
import { execa } from 'execa';
import { copyFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const CLI = join(root, 'builder/bin/builder.js');
let dir: string;
let password: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'secrets-show-'));
  await copyFile(join(root, 'examples/genesis/lab.yaml'), join(dir, 'lab.yaml'));
  const init = await execa('node', [CLI, 'secrets', 'init'], { cwd: dir, reject: false });
  expect(init.exitCode, init.stderr).toBe(0);
  password = (parse(await readFile(join(dir, 'state/secrets/gateway.yaml'), 'utf8')) as { password: string }).password;
  expect(password.length).toBeGreaterThan(10);
}, 60_000);

/** Runs the CLI on a pseudo-terminal, as an operator at a console would. */
const onTerminal = (args: string[]) => execa('script', ['-qec', ['node', CLI, ...args].join(' '), '/dev/null'], { cwd: dir, reject: false });

describe('builder secrets show', () => {
  it('prints the gateway password on a terminal, asked by name', async () => {
    const r = await onTerminal(['secrets', 'show', 'gateway-password']);
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.stdout).toContain('gateway-password (password of the gateway');
    expect(r.stdout).toContain(password);
  });

  it('refuses a pipe, and --json even on a terminal, printing no part of it', async () => {
    const piped = await execa('node', [CLI, 'secrets', 'show', 'gateway-password'], { cwd: dir, reject: false });
    expect(piped.exitCode).toBe(1);
    expect(piped.stderr).toContain('builder secrets show: refusing to print gateway-password: stdout is not a terminal');
    expect(piped.stderr).toContain('error code: ERR_SECRETS_SHOW_REFUSED');
    expect(`${piped.stdout}${piped.stderr}`).not.toContain(password);
    const json = await onTerminal(['secrets', 'show', 'gateway-password', '--json']);
    expect(json.exitCode).toBe(1);
    expect(json.stdout).toContain('"code": "ERR_SECRETS_SHOW_REFUSED"');
    expect(json.stdout).not.toContain(password);
  });

  it('shows nothing unless named, and names the nearest secret for a slip', async () => {
    const none = await onTerminal(['secrets', 'show']);
    expect(none.exitCode).toBe(2);
    expect(none.stdout).not.toContain(password);
    const slip = await onTerminal(['secrets', 'show', 'gateway-pasword']);
    expect(slip.exitCode).toBe(2);
    expect(slip.stdout).toContain('did you mean gateway-password?');
    expect(slip.stdout).not.toContain(password);
  });
});
