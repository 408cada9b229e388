import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver } from './receiver.js';

// Built by `npm run build` (scripts/build.mjs); the build says why when it skips it.
const EXE = resolve(import.meta.dirname, '../../agent/dist/lab-agent');
const TOKEN = 'sea-token-0123456789abcdef';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.skipIf(!existsSync(EXE))('the agent as a Node single executable', () => {
  it('runs without node beside it: usage on bad arguments, a boot event with the host role', async () => {
    const bad = await execa(EXE, ['--nonsense'], { reject: false });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('usage: agent');

    const rx = await startReceiver({ token: TOKEN });
    cleanups.push(() => rx.stop());
    const dir = mkdtempSync(join(tmpdir(), 'sea-'));
    writeFileSync(join(dir, 'agent.yaml'), `collector: { url: "${rx.url}", token: "${TOKEN}" }\nhost: { name: gateway }\nroles: [host]\nspool: { dir: ${dir}/spool }\n`, { mode: 0o600 });
    const proc = execa(EXE, ['--config', join(dir, 'agent.yaml')], { reject: false, env: { PATH: '/nonexistent' }, extendEnv: false });
    cleanups.push(async () => {
      proc.kill('SIGTERM');
      await proc;
    });
    const end = Date.now() + 10_000;
    while (!rx.events.some((e) => e.kind === 'boot')) {
      if (Date.now() > end) throw new Error('no boot event from the single executable');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(rx.events.find((e) => e.kind === 'boot')?.host).toBe('gateway');
    proc.kill('SIGTERM');
    expect((await proc).exitCode).toBe(0);
  });
});
