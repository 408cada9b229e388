import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLab, planFromLab } from '@lab/shared';
import { startCollector, type RunningCollector } from '../../builder/src/collector/server.js';
import { EventStore } from '../../builder/src/collector/store.js';

const TOKEN = 'dashboard-test-token';
const LAB = fileURLToPath(new URL('../../examples/genesis/lab.yaml', import.meta.url));

// Debian's chromium, headless, with everything that would phone home switched off.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('dashboard in headless Chromium', () => {
  let dir: string;
  let profile: string;
  let collector: RunningCollector;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  const requests: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dash-'));
    profile = mkdtempSync(join(tmpdir(), 'dash-profile-'));
    const parsed = parseLab(readFileSync(LAB, 'utf8'), LAB);
    if (!parsed.ok) throw new Error('example lab invalid');
    const plan = planFromLab(parsed.lab);
    const dbFile = join(dir, 'events.db');
    // History from before this collector started: cp-2 last spoke 10 minutes ago, mid-install.
    const seed = new EventStore(dbFile);
    const tenMinAgo = new Date(Date.now() - 10 * 60_000).toISOString();
    seed.insert([{ id: 'old-1', host: 'cp-2', source: 'talos', kind: 'talos.stage', time: tenMinAgo, attrs: { stage: 'INSTALLING', ready: true } }], tenMinAgo);
    seed.close();
    // Thresholds at zero so phase 1's waiting hosts show as stalled with their runbook links.
    collector = await startCollector({ plan, dbFile, token: TOKEN, host: '127.0.0.1', port: 0, talosPort: 0, kmsgPort: 0, thresholds: { 'stall-expected-boot': 0 } });
    base = `http://127.0.0.1:${collector.httpPort}`;
    // A fresh --user-data-dir per run (launchPersistentContext passes the profile directory).
    context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${base}/`);
    await page.waitForSelector('#conn[data-state="live"]');
    await page.waitForSelector('tr[data-host="cp-1"]');
  });

  afterAll(async () => {
    await context?.close();
    await collector?.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  });

  const stageOf = (host: string) => page.locator(`tr[data-host="${host}"] .stage`).getAttribute('data-stage');

  it('shows an ingested event as the host\'s new stage within one second, without reload', async () => {
    expect(await stageOf('cp-1')).toBe('expected');
    const started = Date.now();
    const res = await fetch(`${base}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: [{ id: 'dash-1', host: 'cp-1', source: 'talos', kind: 'talos.stage', time: new Date().toISOString(), attrs: { stage: 'INSTALLING', ready: true } }] }),
    });
    expect(res.status).toBe(200);
    await page.waitForSelector('tr[data-host="cp-1"] .stage[data-stage="installing"]', { timeout: 1000 });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('lists problems first, each linking to its runbook section', async () => {
    const first = page.locator('#problems li').first();
    await expect.poll(() => first.getAttribute('data-host')).toBe('gateway');
    expect(await first.textContent()).toContain('gateway: no boot report received for 0 min');
    expect(await first.locator('a').getAttribute('href')).toBe('runbook.html#no-boot');
    // The stalled host's row links to the same section.
    expect(await page.locator('tr[data-host="gateway"] a[data-remedy]').getAttribute('href')).toBe('runbook.html#no-boot');
    // The first host group is the one needing attention.
    expect(await page.locator('#hosts .group').first().getAttribute('data-group')).toBe('problem');
  });

  it('shows a silent host with its last known stage as such', async () => {
    const row = page.locator('tr[data-host="cp-2"]');
    expect(await row.getAttribute('data-silent')).toBe('true');
    expect(await row.locator('.stage').textContent()).toBe('last known: Installing');
    expect(await row.locator('.silent').textContent()).toMatch(/silent since 10 min ago/);
  });

  it('shows a host\'s latest events when its timeline is opened', async () => {
    await page.locator('tr[data-host="cp-1"] details summary').click();
    await page.waitForSelector('ol[data-recent="cp-1"] li');
    expect(await page.locator('ol[data-recent="cp-1"] li').last().textContent()).toContain('talos talos.stage');
  });

  it('shows the four phases', async () => {
    expect(await page.locator('.phase').evaluateAll((els) => els.map((e) => e.getAttribute('data-phase')))).toEqual(['direct-boot', 'single-node-platform', 'harvester-online', 'full-platform']);
  });

  it('made no request that leaves the collector', () => {
    expect(requests.length).toBeGreaterThanOrEqual(3);
    const away = requests.filter((u) => !u.startsWith(`${base}/`));
    expect(away).toEqual([]);
  });
});
