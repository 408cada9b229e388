import { describe, expect, it } from 'vitest';
import { createProgress, formatBytes, formatDuration, formatProgress } from '../../src/images/progress.js';

describe('progress', () => {
  it('formats bytes, rate and ETA', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MiB');
    expect(formatDuration(75)).toBe('1:15');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatProgress({ label: 'talos', done: 50 * 1024 * 1024, total: 100 * 1024 * 1024, rate: 10 * 1024 * 1024 }, 10)).toBe('talos [#####-----]  50%  50.0 MiB/100.0 MiB  10.0 MiB/s  ETA 0:05');
    expect(formatProgress({ label: 'x', done: 2048, rate: 0 })).toBe('x  2.0 KiB  0 B/s');
  });

  it('redraws one line on a terminal, throttled', () => {
    let t = 0;
    let out = '';
    const p = createProgress({ write: (s) => (out += s), tty: true, now: () => t, redrawMs: 100 });
    p.start('iso', 1000, 0);
    for (let i = 1; i <= 10; i++) {
      t += 40;
      p.update(i * 100);
    }
    p.finish();
    const draws = out.split('\r').filter(Boolean);
    expect(draws.length).toBeLessThan(10);
    expect(out.endsWith('\u001b[K\n')).toBe(true);
    expect(draws[draws.length - 1]).toContain('100%');
    expect(out).not.toMatch(/\n.+\n/);
  });

  it('writes plain lines at each 10% when not a terminal', () => {
    let t = 0;
    const lines: string[] = [];
    const p = createProgress({ write: (s) => lines.push(s), tty: false, now: () => t });
    p.start('iso', 1000, 200);
    for (let d = 210; d <= 1000; d += 10) {
      t += 10;
      p.update(d);
    }
    p.finish();
    expect(lines[0]).toBe('iso: resuming at 200 B of 1000 B\n');
    expect(lines.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true);
    expect(lines.length).toBe(1 + 8 + 1);
    expect(lines[lines.length - 1]).toMatch(/100%\s+1000 B\/1000 B\s+\d+ B\/s\s+ETA 0:00/);
  });
});
