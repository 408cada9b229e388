import { mkdtempSync, readFileSync, readdirSync, appendFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LabEvent } from '@lab/shared';
import { Spool } from '../src/reporter/spool.js';

const ev = (n: number): LabEvent => ({ id: `t-${n}`, host: 'h', source: 'agent', kind: 'test', time: new Date(0).toISOString(), attrs: { n } });

describe('spool', () => {
  it('keeps unacknowledged events across a reopen, in order, and forgets acknowledged ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const a = new Spool({ dir, maxEvents: 100 });
    a.open();
    for (let i = 1; i <= 5; i++) a.append(ev(i));
    a.ack(2);
    a.close();
    const b = new Spool({ dir, maxEvents: 100 });
    b.open();
    expect(b.peek(10).events.map((e) => e.id)).toEqual(['t-3', 't-4', 't-5']);
    expect(statSync(join(dir, 'spool-0.log')).mode & 0o777).toBe(0o600);
  });

  it('drops the oldest beyond maxEvents and counts what it dropped', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const s = new Spool({ dir, maxEvents: 10 });
    s.open();
    for (let i = 1; i <= 25; i++) s.append(ev(i));
    expect(s.depth).toBe(10);
    expect(s.droppedUnreported).toBe(15);
    expect(s.peek(1).events[0]?.id).toBe('t-16');
    s.close();
    expect(JSON.parse(readFileSync(join(dir, 'cursor.json'), 'utf8')).dropped).toBe(15);
    const again = new Spool({ dir, maxEvents: 10 });
    again.open();
    expect(again.peek(100).events.map((e) => e.id)).toEqual(Array.from({ length: 10 }, (_, i) => `t-${i + 16}`));
    // The count of what was dropped survives the restart, so the one marker can still report it.
    expect(again.droppedUnreported).toBe(15);
  });

  it('skips a torn last line left by a crash and keeps appending on a line boundary', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const s = new Spool({ dir, maxEvents: 100 });
    s.open();
    s.append(ev(1));
    s.close();
    appendFileSync(join(dir, 'spool-0.log'), '{"id":"t-2","ho');
    const r = new Spool({ dir, maxEvents: 100 });
    r.open();
    r.append(ev(3));
    r.writeNow();
    expect(r.peek(10).events.map((e) => e.id)).toEqual(['t-1', 't-3']);
    // Repaired into the next generation: whole lines only.
    expect(readFileSync(join(dir, 'spool-1.log'), 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('compacts into a new generation once enough is acknowledged, losing nothing pending', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const s = new Spool({ dir, maxEvents: 1000, compactBytes: 2000 });
    s.open();
    for (let i = 1; i <= 60; i++) s.append(ev(i));
    s.writeNow();
    s.ack(50);
    expect(readdirSync(dir).filter((f) => f.endsWith('.log'))).toEqual(['spool-1.log']);
    s.append(ev(61));
    s.close();
    const r = new Spool({ dir, maxEvents: 1000 });
    r.open();
    expect(r.peek(100).events.map((e) => e.id)).toEqual(Array.from({ length: 11 }, (_, i) => `t-${i + 51}`));
  });
});
