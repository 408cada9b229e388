// `builder rehearse --phases` without phase 1 is refused before anything is made: every later
// phase reaches the collector through phase 1's gateway. No namespace or VM is started (the check
// runs before the rehearsal's preflight), so this runs in milliseconds.
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../builder/src/base/index.js';
import { dispatch } from '../../builder/src/cli/dispatch.js';

const root = resolve(import.meta.dirname, '../..');

describe('builder rehearse --phases', () => {
  it('refuses phases without phase 1 with ERR_REHEARSE_PHASE_UNSUPPORTED, exit 2, and makes nothing', async () => {
    const state = await mkdtemp(join(tmpdir(), 'rehearse-phases-'));
    const io = memoryIo(root, { PATH: process.env.PATH, HOME: '/nonexistent-home' });
    const code = await dispatch(['rehearse', '--demo', '--phases', '3-4', '--lab', join(root, 'examples/genesis/lab.yaml'), '--state', state], io);
    expect(code).toBe(2);
    expect(io.stderr).toMatch(/phase 3, 4 needs phase 1/);
    expect(io.stderr).toMatch(/--phases 1,3,4/);
    expect(io.stderr).toMatch(/ERR_REHEARSE_PHASE_UNSUPPORTED/);
    expect(await readdir(state)).toEqual([]);
  });
});
