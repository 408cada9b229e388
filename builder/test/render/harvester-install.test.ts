import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { statePaths } from '../../src/state/index.js';
import { loadSecrets, type LabSecrets } from '../../src/secrets/index.js';
import { harvesterConfig, renderLab } from '../../src/render/index.js';
import { labWithSecrets, pinnedFixtures, variant as labVariant } from './helpers.js';

type HostData = { name: string; installDisk?: unknown; disks?: unknown; addresses?: unknown[] };
type LabData = { hosts: HostData[]; clusters: { harvester: Record<string, unknown>; platform: Record<string, unknown> } };

const variant = (edit: (data: LabData) => void) => labVariant<LabData>(edit);
const ms02 = (d: LabData, n: number) => d.hosts.find((h) => h.name === `ms02-${n}`)!;

describe('Harvester install config from the lab', () => {
  let secrets: LabSecrets;
  beforeAll(async () => {
    const { lab } = await labWithSecrets('harvester-install-');
    secrets = await loadSecrets(statePaths(lab));
  });

  it('install.skipchecks only when the lab sets clusters.harvester.skipChecks', async () => {
    const on = await variant((d) => void (d.clusters.harvester.skipChecks = true));
    const off = await variant((d) => void delete d.clusters.harvester.skipChecks);
    const no = await variant((d) => void (d.clusters.harvester.skipChecks = false));
    expect((harvesterConfig(on, 'ms02-2', secrets).install as Record<string, unknown>).skipchecks).toBe(true);
    for (const lab of [off, no]) {
      const install = harvesterConfig(lab, 'ms02-2', secrets).install as Record<string, unknown>;
      expect('skipchecks' in install).toBe(false);
    }
  });

  it('install.device by /dev/disk/by-id from the WWN or serial the lab gives; the path otherwise', async () => {
    const lab = await variant((d) => {
      // By WWN on the stated disk that installDisk.path points at.
      ms02(d, 1).disks = [{ size: '1TB', type: 'nvme', path: '/dev/nvme0n1', wwn: 'eui.0025388b91b4d1a2' }, { size: '2TB', type: 'nvme', path: '/dev/nvme1n1' }];
      // By serial and model on installDisk itself.
      ms02(d, 2).installDisk = { type: 'nvme', serial: 'S6B0NL0W123456A', model: 'Samsung SSD 990 PRO 1TB' };
    });
    const device = (host: string) => (harvesterConfig(lab, host, secrets).install as { device: string }).device;
    expect(device('ms02-1')).toBe('/dev/disk/by-id/nvme-eui.0025388b91b4d1a2');
    expect(device('ms02-2')).toBe('/dev/disk/by-id/nvme-Samsung_SSD_990_PRO_1TB_S6B0NL0W123456A');
    expect(device('ms02-3')).toBe('/dev/nvme0n1');
    // Tinkerbell's Hardware names the same disk.
    const hw = parse(renderLab({ lab, secrets, gateway: false, ...(await pinnedFixtures()) }).find((f) => f.path === 'tinkerbell/ms02-1.yaml')!.content);
    expect(hw.spec.disks).toEqual([{ device: '/dev/disk/by-id/nvme-eui.0025388b91b4d1a2' }]);
  });

  it('a Harvester host with a serial but no model and no path is a render error that says what to add', async () => {
    const lab = await variant((d) => void (ms02(d, 3).installDisk = { serial: 'S6B0NL0W1' }));
    expect(() => harvesterConfig(lab, 'ms02-3', secrets)).toThrow(/ms02-3 has no install disk Harvester can be told \(installDisk needs a wwn, a serial with a model, or a path\)/);
  });

  it('Tinkerbell Hardware carries no dhcp.ip when the host has no address on its boot network', async () => {
    const lab = await variant((d) => void (ms02(d, 3).addresses = [{ network: 'LAB_MGMT', address: '10.10.10.13' }]));
    const files = renderLab({ lab, secrets, gateway: false, ...(await pinnedFixtures()) });
    const hw = (n: number) => parse(files.find((f) => f.path === `tinkerbell/ms02-${n}.yaml`)!.content).spec.interfaces[0].dhcp;
    expect(hw(3).ip).toBeUndefined();
    expect(hw(2).ip).toEqual({ address: '10.10.20.12', netmask: '255.255.255.0', gateway: '10.10.20.1' });
  });
});
