import { describe, expect, test } from 'vitest';
import { execa } from 'execa';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Runs the built CLI the way an operator does (`npm test` builds first).
const builder = (args: string[], cwd = process.cwd()) =>
  execa('node', [join(process.cwd(), 'builder/bin/builder.js'), ...args], { cwd, reject: false });

describe('builder validate (the built CLI)', () => {
  test('the example lab is valid and is the default', async () => {
    const r = await builder(['validate']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('examples/genesis/lab.yaml: valid — 7 networks, 7 hosts');
  });

  test('warnings are located on stderr and leave the exit code 0; --json lists them', async () => {
    const text = await readFile('examples/genesis/lab.yaml', 'utf8');
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes('installDisk: { path: /dev/nvme0n1 }')) + 1;
    const column = lines[line - 1]!.indexOf('/dev/nvme0n1') + 1;
    const r = await builder(['validate', '--lab', 'examples/genesis/lab.yaml']);
    expect(r.exitCode).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => l.includes(' warning: '));
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toBe(`examples/genesis/lab.yaml:${line}:${column} warning: hosts[2].installDisk.path: host "ms02-1" installs Harvester to /dev/nvme0n1, a kernel name, and it lists 3 disks: with several disks the kernel can number them in another order on another boot, and the install would go to another disk — give installDisk a wwn (\`lsblk -o NAME,WWN\`), or a serial and model, so the config names /dev/disk/by-id/… [WARN_INSTALL_DEVICE_NAME]`);
    const j = await builder(['validate', '--lab', 'examples/genesis/lab.yaml', '--json']);
    expect(j.exitCode).toBe(0);
    const data = JSON.parse(j.stdout);
    expect(data.valid).toBe(true);
    expect(data.warnings.map((w: { code: string }) => w.code)).toEqual(['WARN_INSTALL_DEVICE_NAME', 'WARN_INSTALL_DEVICE_NAME', 'WARN_INSTALL_DEVICE_NAME']);
    expect(data.warnings[0]).toMatchObject({ file: 'examples/genesis/lab.yaml', line, column, path: ['hosts', 2, 'installDisk', 'path'] });
  });

  test('an invalid lab exits 1 with located problems, and --json gives the same as data', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'validate-'));
    const text = (await readFile('examples/genesis/lab.yaml', 'utf8')).replace('vlan: 20', 'vlan: 10');
    await writeFile(join(dir, 'lab.yaml'), text);
    const r = await builder(['validate', '--lab', 'lab.yaml'], dir);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('lab.yaml:24:11 networks[2].vlan: VLAN 10 is already used by network "LAB_MGMT" — give each network its own VLAN id');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const j = await builder(['validate', '--lab', 'lab.yaml', '--json'], dir);
    expect(j.exitCode).toBe(1);
    const data = JSON.parse(j.stdout);
    expect(data.valid).toBe(false);
    expect(data.problems[0]).toMatchObject({ file: 'lab.yaml', line: 24, column: 11, path: ['networks', 2, 'vlan'] });
  });

  test('an unreadable file or a bad flag exits 2', async () => {
    const missing = await builder(['validate', '--lab', 'does-not-exist.yaml']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('cannot read lab file does-not-exist.yaml: no such file');
    const flag = await builder(['validate', '--lba', 'x']);
    expect(flag.exitCode).toBe(2);
    expect(flag.stderr).toContain('builder validate: unknown flag --lba\n  how to fix: did you mean --lab?');
  });

  test('--help describes the command', async () => {
    const r = await builder(['validate', '--help']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Usage: builder validate [--lab FILE] [--json]');
  });
});
