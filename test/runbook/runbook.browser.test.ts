/// <reference lib="dom" />
import { mkdtemp, readFile, rm, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRemedies, PHASES, STAGES, STALL_RULES, argoAppCheck, argoCdCheck, parseLab, planFromLab, type Lab } from '@lab/shared';
import { dispatch } from '../../builder/src/cli/dispatch.js';
import { memoryIo } from '../../builder/src/base/index.js';

/**
 * The generated runbook in headless Chromium: it loads with no network request at all, carries
 * every host, address and VLAN of the lab, has an anchor for every id the dashboard links to,
 * and follows the lab when the lab changes. UPDATE_SCREENSHOT=1 refreshes docs/runbook.png.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const LAB = join(ROOT, 'examples/genesis/lab.yaml');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let dir: string;
let context: BrowserContext;

async function generate(labFile: string, out: string): Promise<string> {
  const io = memoryIo(ROOT);
  const code = await dispatch(['runbook', '--lab', labFile, '--out', out], io);
  expect(code, io.stderr).toBe(0);
  return join(out, 'runbook.html');
}

async function openPage(file: string) {
  const page = await context.newPage();
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(file).toString(), { waitUntil: 'load' });
  const text = await page.evaluate(() => document.body.innerText);
  return { page, requests, text };
}

/** Every address and VLAN id the lab file states. */
function labValues(lab: Lab): string[] {
  const v = new Set<string>();
  for (const n of lab.networks) {
    v.add(n.name);
    v.add(n.cidr);
    if (n.vlan !== undefined) v.add(`VLAN ${n.vlan}`);
    if (n.gateway) v.add(n.gateway);
    if (n.dhcp) v.add(n.dhcp.start).add(n.dhcp.end);
  }
  for (const h of lab.hosts) {
    v.add(h.name);
    for (const a of h.addresses) v.add(a.address);
    for (const n of h.nics) v.add(n.mac);
  }
  if (lab.gateway?.transit) v.add(lab.gateway.transit.address).add(lab.gateway.transit.peer);
  if (lab.gateway?.dhcpRelay) v.add(lab.gateway.dhcpRelay.server);
  if (lab.pxe) v.add(lab.pxe.address);
  if (lab.clusters.harvester) v.add(lab.clusters.harvester.vip);
  if (lab.clusters.platform) v.add(lab.clusters.platform.endpoint);
  v.add(lab.collector.url);
  return [...v];
}

async function readLab(file: string): Promise<Lab> {
  const r = parseLab(await readFile(file, 'utf8'), file);
  if (!r.ok) throw new Error(`invalid lab: ${JSON.stringify(r.problems)}`);
  return r.lab;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runbook-'));
  context = await chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: '/usr/bin/chromium', args: ARGS, headless: true, viewport: { width: 1100, height: 1400 } });
});
afterAll(async () => {
  await context?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('runbook.html in Chromium', () => {
  it('makes no network request and shows every host, address and VLAN of the example lab', async () => {
    const file = await generate('examples/genesis/lab.yaml', join(dir, 'example'));
    const { page, requests, text } = await openPage(file);
    expect(requests).toEqual([pathToFileURL(file).toString()]);
    const lab = await readLab(LAB);
    const missing = labValues(lab).filter((v) => !text.includes(v));
    expect(missing).toEqual([]);
    // The inline stylesheet is there and applied (print and screen rules).
    expect(await page.evaluate(() => [document.styleSheets.length, getComputedStyle(document.querySelector('table')!).borderCollapse])).toEqual([1, 'collapse']);
    // No element may point outside the file.
    const external = await page.evaluate(() => Array.from(document.querySelectorAll('[src],[href]')).map((e) => e.getAttribute('src') ?? e.getAttribute('href') ?? '').filter((u) => !u.startsWith('#')));
    expect(external).toEqual([]);

    const ids = await page.evaluate(() => Array.from(document.querySelectorAll('[id]')).map((e) => e.id));
    expect(new Set(ids).size).toBe(ids.length);
    const linked = [
      ...PHASES.map((p) => p.id),
      ...STAGES.map((s) => s.id),
      ...STALL_RULES.flatMap((r) => [r.id, r.remedy]),
      // Every remedy status derivation can put on a problem (unknown-mac included).
      ...listRemedies().map((r) => r.id),
      argoCdCheck().id,
      argoCdCheck().remedy,
      argoAppCheck('x').remedy,
      ...planFromLab(lab).phases.flatMap((p) => p.checks.map((c) => c.id)),
    ];
    expect(linked.filter((id) => !ids.includes(id))).toEqual([]);
    // Every in-document link lands on an element.
    const broken = await page.evaluate(() => Array.from(document.querySelectorAll('a[href^="#"]')).map((a) => a.getAttribute('href')!.slice(1)).filter((id) => !document.getElementById(id)));
    expect(broken).toEqual([]);

    expect(text).toContain(`talosctl --talosconfig ${ROOT}/examples/genesis/state/rendered/talosconfig --endpoints 10.10.30.10 --nodes 10.10.30.10 bootstrap`);
    expect(text).toContain('install image');
    expect(text).toContain('Which one should be used for installation?');
    // Paths are absolute: the runbook is read elsewhere (another directory, the gateway stick).
    expect(text).toContain(`builder check gateway --lab ${LAB}`);

    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 4).toString()).toBe('%PDF');
    const shot = process.env.UPDATE_SCREENSHOT ? join(ROOT, 'docs/runbook.png') : join(dir, 'runbook.png');
    await page.emulateMedia({ media: 'screen' });
    await page.screenshot({ path: shot, clip: { x: 0, y: 0, width: 1100, height: 1400 } });
    expect((await stat(shot)).size).toBeGreaterThan(10_000);
    await page.close();
  });

  it('follows the lab: a changed address, host name and VLAN show up, the old ones are gone', async () => {
    const text0 = await readFile(LAB, 'utf8');
    const changed = text0.replace(/10\.10\.30\.10(?!\d)/g, '10.10.30.77').replaceAll('ms02-3', 'ms02-9').replace('vlan: 60', 'vlan: 61');
    const labFile = join(dir, 'changed', 'lab.yaml');
    await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'changed'), { recursive: true }));
    await writeFile(labFile, changed);
    const file = await generate(labFile, join(dir, 'changed', 'out'));
    const { text, page } = await openPage(file);
    expect(text).toContain('10.10.30.77');
    expect(text).toContain('ms02-9');
    expect(text).toContain('VLAN 61');
    expect(text).not.toMatch(/10\.10\.30\.10(?!\d)/);
    expect(text).not.toContain('ms02-3');
    expect(text).not.toMatch(/VLAN 60(?!\d)/);
    const missing = labValues(await readLab(labFile)).filter((v) => !text.includes(v));
    expect(missing).toEqual([]);
    await page.close();
  });
});
