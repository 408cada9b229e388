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
import { buildRunbook, renderHtml } from '../../builder/src/runbook/index.js';
import { writeFileSync } from 'node:fs';
import { DEMO_LABEL } from '../../builder/src/collector/views/demo-label.js';
import { renderStatusText } from '../../builder/src/collector/views/terminal.js';

const TOKEN = 'dashboard-test-token';
// Screenshots land in the git-ignored fixture output (docs/timeline.png is a copy of one).
const SHOTS = fileURLToPath(new URL('../fixtures/out/', import.meta.url));
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
  const consoleLines: string[] = [];
  const post = async (events: unknown[]) => {
    const res = await fetch(`${base}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
    expect(res.status).toBe(200);
  };

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
    // The runbook the collector serves, generated from the same lab (what `builder runbook` writes).
    writeFileSync(join(dir, 'runbook.html'), renderHtml(buildRunbook(parsed.lab, { labArg: 'lab.yaml', stateDir: 'state' })));
    collector = await startCollector({ plan, dbFile, token: TOKEN, host: '127.0.0.1', port: 0, talosPort: 0, kmsgPort: 0, thresholds: { 'stall-expected-boot': 0 }, runbookDir: dir });
    base = `http://127.0.0.1:${collector.httpPort}`;
    // A fresh --user-data-dir per run (launchPersistentContext passes the profile directory).
    context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => consoleLines.push(m.text()));
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

  it('shows the recent history on open (the feed is not empty before anything new arrives)', async () => {
    // cp-2's event was stored before this collector and this page started.
    expect(await page.locator('#feed li').allTextContents()).toContainEqual(expect.stringContaining('cp-2 talos talos.stage'));
  });

  it('draws each phase bar from its counts, within the page\'s CSP (no inline style)', async () => {
    const status = (await (await fetch(`${base}/v1/status`)).json()) as { phases: { id: string; progress: { done: number; total: number } }[] };
    for (const p of status.phases) {
      const fill = page.locator(`#phase-${p.id} svg.bar rect.fill`);
      const want = p.progress.total ? Math.round((100 * p.progress.done) / p.progress.total) : 0;
      expect(Number(await fill.getAttribute('width'))).toBe(want);
      // The drawn width, in the browser's own layout, matches the count too.
      const [track, bar] = await Promise.all([page.locator(`#phase-${p.id} svg.bar rect.track`).boundingBox(), fill.boundingBox()]);
      expect(Math.abs(bar!.width / track!.width - want / 100)).toBeLessThan(0.02);
    }
    expect(await page.locator('[style]').count()).toBe(0);
    expect(consoleLines.filter((l) => /Content Security Policy/i.test(l))).toEqual([]);
  });

  it('shows a kernel line as its text, and keeps a failure in the timeline after a retry', async () => {
    const t = new Date().toISOString();
    await post([{ id: 'dash-k1', host: 'cp-1', source: 'kmsg', kind: 'kmsg', time: t, attrs: { msg: 'nvme nvme0: I/O 12 QID 3 timeout, aborting', priority: 3 } }]);
    await page.waitForSelector('#feed li[data-source="kmsg"]');
    expect(await page.locator('#feed li[data-source="kmsg"]').first().textContent()).toMatch(/cp-1 kernel: nvme nvme0: I\/O 12 QID 3 timeout, aborting$/);
    await post([{ id: 'dash-f1', host: 'cp-3', source: 'talos', kind: 'talos.config-error', time: t, attrs: { error: 'unknown keys' } }]);
    await page.waitForSelector('#timeline g.lane[data-host="cp-3"] rect.fail');
    await post([{ id: 'dash-f2', host: 'cp-3', source: 'talos', kind: 'talos.stage', time: new Date().toISOString(), attrs: { stage: 'BOOTING' } }]);
    await page.waitForSelector('#timeline g.lane[data-host="cp-3"] rect.seg[data-stage="booted"]');
    expect(await page.locator('#timeline g.lane[data-host="cp-3"] rect.fail').count()).toBe(1);
    await page.locator('tr[data-host="cp-3"] details summary').click();
    expect(await page.locator('tr[data-host="cp-3"] .timeline li.failed').textContent()).toContain('failed: Talos could not load its configuration: unknown keys');
  });

  it('draws one timeline lane per host with a bar per stage it reached', async () => {
    const status = (await (await fetch(`${base}/v1/status`)).json()) as { hosts: { name: string; steps: unknown[] }[] };
    await page.waitForFunction((n) => document.querySelectorAll('#timeline g.lane').length === n, status.hosts.length);
    for (const h of status.hosts) await expect.poll(() => page.locator(`#timeline g.lane[data-host="${h.name}"] rect.seg`).count()).toBe(h.steps.length);
    await page.locator('#timeline').screenshot({ path: join(SHOTS, 'timeline.png') });
    await page.screenshot({ path: join(SHOTS, 'page.png'), fullPage: true });
  });

  it('every runbook link the dashboard shows lands on a section of the generated runbook', async () => {
    // Problems of every kind: a failed install, a rejected config, an unknown machine PXE booting.
    const now = new Date().toISOString();
    const events = [
      { id: 'link-1', host: 'ms02-1', source: 'harvester', kind: 'install.failed', time: now, attrs: {} },
      { id: 'link-2', host: 'cp-3', source: 'talos', kind: 'talos.config-error', time: now, attrs: { error: 'bad yaml' } },
      { id: 'link-3', mac: '02:00:00:00:99:99', source: 'pxe', kind: 'dhcp.discover', time: now, attrs: {} },
    ];
    const res = await fetch(`${base}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
    expect(res.status).toBe(200);
    await page.waitForSelector('#problems li[data-kind="unknown-mac"] a');
    await page.waitForSelector('#problems li[data-kind="failed"] a');
    const hrefs = [...new Set(await page.locator('a[data-remedy]').evaluateAll((as) => as.map((a) => a.getAttribute('href')!)))];
    expect(hrefs).toEqual(expect.arrayContaining(['runbook.html#unknown-mac', 'runbook.html#install-failed', 'runbook.html#config-error', 'runbook.html#no-boot']));
    const runbook = await context.newPage();
    await runbook.goto(`${base}/runbook.html`);
    const missing = await runbook.evaluate((links) => links.map((h) => decodeURIComponent(h.split('#')[1]!)).filter((id) => !document.getElementById(id)), hrefs);
    await runbook.close();
    expect(missing).toEqual([]);
  });

  it("shows the agent's boot facts (model, CPUs, memory) with the host", async () => {
    // What the gateway stick's agent sends at boot (agent/src/roles/host/facts.ts).
    await post([{ id: 'dash-boot', host: 'gateway', source: 'agent', kind: 'boot', time: new Date().toISOString(), attrs: { vendor: 'Protectli', product: 'VP6630', cpus: 4, memoryBytes: 16_229_000 * 1024, macs: ['64:62:66:22:00:01'], bootMode: 'uefi' } }]);
    await page.waitForSelector('tr[data-host="gateway"] .stage[data-stage="booted"]');
    await page.locator('tr[data-host="gateway"] details summary').click();
    expect(await page.locator('tr[data-host="gateway"] .facts').textContent()).toBe('MAC 64:62:66:22:00:01 · Protectli VP6630 · 4 CPUs · 15 GiB memory');
  });

  it('says nothing of a demo for a real bring-up, and labels a demo rehearsal\'s collector first thing, in the page and its title', async () => {
    expect(await page.locator('#demo').isHidden()).toBe(true);
    expect(await page.title()).toBe('Lab bring-up');
    const parsed = parseLab(readFileSync(LAB, 'utf8'), LAB);
    if (!parsed.ok) throw new Error('example lab invalid');
    const demoDir = mkdtempSync(join(tmpdir(), 'dash-demo-'));
    const demo = await startCollector({ plan: planFromLab(parsed.lab), dbFile: join(demoDir, 'events.db'), token: TOKEN, host: '127.0.0.1', port: 0, talosPort: 0, kmsgPort: 0, demo: DEMO_LABEL });
    const other = await context.newPage();
    try {
      await other.goto(`http://127.0.0.1:${demo.httpPort}/`);
      await other.waitForSelector('#demo:not([hidden])');
      expect(await other.locator('#demo').textContent()).toBe(DEMO_LABEL);
      expect(await other.title()).toBe('DEMO · Lab bring-up');
      // The banner comes before the phases: the first thing read on the page.
      const order = await other.evaluate(() => Array.from(document.querySelectorAll('#demo, #phases')).map((e) => e.id));
      expect(order).toEqual(['demo', 'phases']);
      const status = (await (await fetch(`http://127.0.0.1:${demo.httpPort}/v1/status`)).json()) as { demo?: string };
      expect(status.demo).toBe(DEMO_LABEL);
      expect(renderStatusText(status as Parameters<typeof renderStatusText>[0]).split('\n')[0]).toBe(DEMO_LABEL);
    } finally {
      await other.close();
      await demo.close();
      rmSync(demoDir, { recursive: true, force: true });
    }
  });

  it('made no request that leaves the collector', () => {
    expect(requests.length).toBeGreaterThanOrEqual(3);
    const away = requests.filter((u) => !u.startsWith(`${base}/`));
    expect(away).toEqual([]);
  });
});
