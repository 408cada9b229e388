import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src/cli/dispatch.js';
import { memoryIo } from '../../src/base/index.js';
import { EXAMPLE_LAB } from './fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'gw-cli-'));
const lab = join(tmp, 'lab.yaml');
cpSync(EXAMPLE_LAB, lab);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(...argv: string[]) {
  const io = memoryIo(tmp);
  const code = await dispatch(argv, io);
  return { code, out: io.stdout, err: io.stderr };
}

describe('apply/check gateway refuse bad input plainly', () => {
  it('rejects a confirm timeout that is not whole minutes 1–60 (usage, exit 2)', async () => {
    const r = await run('apply', 'gateway', '--lab', lab, '--confirm-timeout', '0');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--confirm-timeout 0: give whole minutes from 1 to 60');
  });

  it('says the secrets are missing and how to create them, without a stack trace', async () => {
    for (const cmd of [['apply', 'gateway'], ['check', 'gateway']]) {
      const r = await run(...cmd, '--lab', lab);
      expect(r.code).toBe(1);
      expect(r.err).toContain('the lab has no secrets yet');
      expect(r.err).toContain('how to fix: create them with `builder secrets init');
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });

  it('rejects a malformed --host', async () => {
    await run('secrets', 'init', '--lab', lab);
    const r = await run('check', 'gateway', '--lab', lab, '--host', 'a:b:c');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--host a:b:c: write ADDRESS or ADDRESS:PORT');
  });
});
