import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabEvent } from '@lab/shared';
import { Spool } from '../src/reporter/spool.js';
import { smallFs, type SmallFs } from '../../test/fixtures/small-fs.js';

const ev = (n: number, pad = 0): LabEvent => ({ id: `t-${n}`, host: 'h', source: 'agent', kind: 'test', time: new Date(0).toISOString(), attrs: { n, pad: 'x'.repeat(pad) } });
const line = (n: number) => JSON.stringify(ev(n)) + '\n';
const ids = (s: Spool) => s.peek(100_000).events.map((e) => e.id);
let fs: SmallFs | null = null;
afterEach(() => {
  fs?.destroy();
  fs = null;
});

describe('spool under a full disk, torn records and an endless outage', () => {
  it('recovers every whole record from a log with a torn line glued to the next and a garbage line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    // What a short write followed by a later append leaves: a fragment with the next record glued on.
    const glued = line(2).slice(0, 17) + line(3);
    writeFileSync(join(dir, 'spool-0.log'), line(1) + glued + 'not json at all\n' + line(4) + line(5).slice(0, 9), { mode: 0o600 });
    const s = new Spool({ dir, maxEvents: 100 });
    s.open();
    expect(ids(s)).toEqual(['t-1', 't-3', 't-4']);
    s.append(ev(6));
    s.close();
    const again = new Spool({ dir, maxEvents: 100 });
    again.open();
    expect(ids(again)).toEqual(['t-1', 't-3', 't-4', 't-6']);
    // The repaired log holds whole lines only.
    const log = readdirSync(dir).find((f) => f.endsWith('.log')) as string;
    for (const l of readFileSync(join(dir, log), 'utf8').trim().split('\n')) expect(() => JSON.parse(l)).not.toThrow();
  });

  it('stays bounded on disk when the collector never answers: dropped heads are compacted away', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const s = new Spool({ dir, maxEvents: 20, compactBytes: 4096 });
    s.open();
    for (let i = 1; i <= 1000; i++) {
      s.append(ev(i));
      if (i % 10 === 0) s.writeNow();
    }
    s.writeNow();
    const log = readdirSync(dir).find((f) => f.endsWith('.log')) as string;
    // 1000 events of ~120 bytes were appended; the file holds at most the threshold plus the 20 kept.
    expect(statSync(join(dir, log)).size).toBeLessThan(4096 + 20 * 200);
    expect(log).not.toBe('spool-0.log');
    expect(s.droppedUnreported).toBe(980);
    s.close();
    const again = new Spool({ dir, maxEvents: 20 });
    again.open();
    expect(ids(again)).toEqual(Array.from({ length: 20 }, (_, i) => `t-${981 + i}`));
  });

  it('append never touches the disk: it returns at once and the write happens on the next turn', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const s = new Spool({ dir, maxEvents: 100 });
    s.open();
    s.append(ev(1));
    expect(readFileSync(join(dir, 'spool-0.log'), 'utf8')).toBe('');
    await new Promise((r) => setImmediate(r));
    expect(readFileSync(join(dir, 'spool-0.log'), 'utf8')).toBe(line(1));
    s.close();
  });

  it('on a full filesystem: a short write leaves no torn record, events wait in memory, one clear message, all written once space returns', () => {
    fs = smallFs(64);
    const dir = join(fs.dir, 'spool');
    mkdirSync(dir);
    const problems: string[] = [];
    const s = new Spool({ dir, maxEvents: 1000, onProblem: (m) => problems.push(m) });
    s.open();
    s.append(ev(1));
    s.writeNow();
    // Leave one page: the next batch (~60 KB) is cut short by the kernel, then refused with ENOSPC.
    fs.fill(4096);
    for (let i = 2; i <= 200; i++) s.append(ev(i, 200));
    expect(() => s.writeNow()).not.toThrow();
    expect(s.diskError).toMatch(/^ENOSPC: no space left on device/);
    expect(s.shortWrites).toBe(1); // the kernel took part of the buffer before refusing
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/spool .*\/spool cannot be written \(ENOSPC: no space left on device\); boot service continues, 199 events are held in memory only/);
    // The partial bytes were cut off: the log still holds exactly the first record.
    expect(readFileSync(join(dir, 'spool-0.log'), 'utf8')).toBe(line(1));
    expect(s.depth).toBe(200);
    // Retries while full: still no torn record, no second message.
    s.append(ev(201));
    s.writeNow();
    expect(readFileSync(join(dir, 'spool-0.log'), 'utf8')).toBe(line(1));
    expect(problems).toHaveLength(1);

    fs.free();
    s.writeNow();
    expect(s.diskError).toBeNull();
    expect(problems[1]).toMatch(/takes writes again; 201 unacknowledged events are on disk/);
    s.close();
    const again = new Spool({ dir, maxEvents: 1000 });
    again.open();
    expect(ids(again)).toEqual(Array.from({ length: 201 }, (_, i) => `t-${i + 1}`));
    expect(existsSync(join(dir, 'cursor.json.tmp'))).toBe(false);
  });
});
