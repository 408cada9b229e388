// make-usb's step bar, for real: the built CLI (builder/bin/builder.js) under a pseudo-terminal
// (util-linux `script`, which gives the child a real pty as its stdout and stderr) draws the bar on
// stderr, redrawn in place; with pipes (a log, CI) it prints none of it; --json on the gateway
// target prints one JSON document on stdout. The base is the stand-in Talos ISO
// (test/fixtures/standin says what it does not model).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBED_STEPS } from '../../iso/src/embed.js';
import { formatStepBar } from '../../builder/src/media/step-bar.js';
import { buildStandinIso } from '../fixtures/standin/talos-standin.js';

const BUILDER = fileURLToPath(new URL('../../builder/bin/builder.js', import.meta.url));
const CONFIG = 'version: v1alpha1\nmachine:\n  type: controlplane\n  token: pg7x1m.progress0token0\n';

let dir: string;
let base: string;
let configFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'make-usb-progress-'));
  configFile = join(dir, 'cp-1.yaml');
  await writeFile(configFile, CONFIG, { mode: 0o600 });
  base = await buildStandinIso({ version: 'v1.12.0' });
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const argv = (out: string) => ['make-usb', '--target', 'um760', '--base', base, '--config', configFile, '--out', out];

describe('make-usb progress', () => {
  it('formats a step as a bar with its number, name and elapsed time', () => {
    expect(formatStepBar(['a', 'b', 'c'], 1, 2.04, 9)).toBe('[###------] 2/3 b  2.0 s');
  });

  it('draws the bar on a terminal, redrawn in place, and clears it before the result', async () => {
    const out = join(dir, 'tty.iso');
    const cmd = [process.execPath, BUILDER, ...argv(out)].map((a) => `'${a}'`).join(' ');
    // -e: script exits with the command's status; the typescript goes to /dev/null, the pty's
    // output to script's stdout.
    const r = await execa('script', ['-qefc', cmd, '/dev/null'], { env: { ...process.env, TERM: 'xterm' }, reject: false, timeout: 240_000 });
    expect(r.exitCode).toBe(0);
    const screen = r.stdout;
    for (const step of ['read the base ISO', 'check the base', 'build the config layer', 'write the ISO', 'hash and sync the output']) {
      expect(screen).toMatch(new RegExp(`\\r\\[[#-]+\\] \\d/${EMBED_STEPS.length + 1} ${step}  \\d+\\.\\d s\\x1b\\[K`));
    }
    // The bar is wiped (carriage return + erase line) before "wrote …" is printed.
    const cleared = screen.lastIndexOf('\r\u001b[K');
    expect(cleared).toBeGreaterThan(-1);
    expect(screen.indexOf('wrote ', cleared)).toBeGreaterThan(cleared);
    expect(screen.slice(screen.indexOf('wrote '))).not.toContain('[#');
  }, 300_000);

  it('prints no bar, no carriage return and no escape sequence through pipes', async () => {
    const out = join(dir, 'pipe.iso');
    const r = await execa(process.execPath, [BUILDER, ...argv(out)], { reject: false, timeout: 240_000 });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`wrote ${out}`);
    for (const stream of [r.stdout, r.stderr]) {
      expect(stream).not.toContain('\r');
      expect(stream).not.toContain('\u001b');
      expect(stream).not.toContain('build the config layer');
    }
  }, 300_000);
});
