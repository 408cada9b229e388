import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleControl, HttpService, InstalledHosts } from '@lab/agent';
import { loadSecrets } from '../../builder/src/secrets/index.js';
import { statePaths } from '../../builder/src/state/index.js';
import { labWithSecrets, run } from '../../builder/test/render/helpers.js';

/**
 * `builder pxe rearm HOST` against the agent's own HTTP service and control API on loopback (the
 * same HttpService and handler the PXE role runs; only DHCP and TFTP are left out).
 */
let http: HttpService;
let installed: InstalledHosts;
let url = '';
let lab = '';
let dir = '';

beforeAll(async () => {
  ({ dir, lab } = await labWithSecrets('rearm-'));
  const token = (await loadSecrets(statePaths(lab))).collectorToken;
  installed = new InstalledHosts(join(mkdtempSync(join(tmpdir(), 'installed-')), 'pxe-installed.json'));
  http = new HttpService(mkdtempSync(join(tmpdir(), 'root-')), 0, {}, '127.0.0.1', {
    control: (method, path, query, auth) => handleControl(method, path, query, auth, token, installed, () => undefined),
  });
  url = `http://127.0.0.1:${await http.listen()}`;
});
afterAll(() => http?.close());

describe('builder pxe rearm', () => {
  it('clears the install mark of the host’s PXE MAC', async () => {
    installed.mark('02:00:00:00:02:01', 'harvester');
    const r = await run(dir, 'pxe', 'rearm', 'ms02-1', '--lab', lab, '--url', url);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('ms02-1 (02:00:00:00:02:01): re-armed');
    expect(installed.get('02:00:00:00:02:01')).toBeUndefined();
    // A second re-arm is harmless and says so.
    expect((await run(dir, 'pxe', 'rearm', 'ms02-1', '--lab', lab, '--url', url)).stdout).toContain('was not marked installed');
  });

  it('refuses a host that is not in the lab or does not boot by PXE, naming the fix', async () => {
    const unknown = await run(dir, 'pxe', 'rearm', 'nope', '--lab', lab, '--url', url);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('there is no host nope in the lab');
    const usb = await run(dir, 'pxe', 'rearm', 'cp-1', '--lab', lab, '--url', url);
    expect(usb.code).toBe(2);
    expect(usb.stderr).toContain('does not boot by PXE');
  });

  it('fails clearly when the service is not there', async () => {
    const r = await run(dir, 'pxe', 'rearm', 'ms02-1', '--lab', lab, '--url', 'http://127.0.0.1:1');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERR_PXE_UNREACHABLE');
  });
});
