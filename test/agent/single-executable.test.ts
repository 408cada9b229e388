import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { startReceiver } from './receiver.js';
import { cleanupAfterEach } from '../fixtures/wait.js';

// Built by `npm run build` (scripts/build.mjs); the build says why when it skips it.
const EXE = resolve(import.meta.dirname, '../../agent/dist/lab-agent');
const TOKEN = 'sea-token-0123456789abcdef';
const cleanups = cleanupAfterEach();

describe('the agent as a Node single executable', () => {
  it('runs without node beside it: usage on bad arguments, a boot event with the host role', async () => {
    // `npm test` builds it; a missing executable is a failure here, not a skipped test.
    expect(existsSync(EXE), `${EXE} is missing: run \`npm run build\` (without LAB_SKIP_SEA) and read why it skipped the executable`).toBe(true);
    const bad = await execa(EXE, ['--nonsense'], { reject: false });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('usage: agent');

    const rx = await startReceiver({ token: TOKEN });
    cleanups.push(() => rx.stop());
    const dir = mkdtempSync(join(tmpdir(), 'sea-'));
    writeFileSync(join(dir, 'agent.yaml'), `collector: { url: "${rx.url}", token: "${TOKEN}" }\nhost: { name: gateway }\nroles: [host]\nspool: { dir: ${dir}/spool }\n`, { mode: 0o600 });
    // No forced SIGKILL 5 s after our SIGTERM (execa's default): on a loaded CI machine a clean stop
    // may take longer, and the test is about the agent stopping cleanly by itself.
    const proc = execa(EXE, ['--config', join(dir, 'agent.yaml')], { reject: false, env: { PATH: '/nonexistent' }, extendEnv: false, forceKillAfterDelay: false });
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
    const r = await proc;
    // The signal and the agent's last words say why, should it not exit 0.
    expect({ exitCode: r.exitCode, signal: r.signal, stderr: String(r.stderr).slice(-800) }).toMatchObject({ exitCode: 0, signal: undefined });
  });
});
