import { describe, expect, test } from 'vitest';
import { formatWarning, installDiskById, parseLab, type Host } from '@lab/shared';
import { SMALL_LAB, edit, positionOf } from './small-lab.js';

// The small lab's hv-1 PXE boots on PROV without an address there; most cases give it one, so
// that the warning under test is the only one.
const FIXED = edit(SMALL_LAB, 'addresses: [{ network: MGMT, address: 172.31.10.11 }]', 'addresses: [{ network: MGMT, address: 172.31.10.11 }, { network: PROV, address: 172.31.20.11 }]');
const HV1 = '    addresses: [{ network: MGMT, address: 172.31.10.11 }, { network: PROV, address: 172.31.20.11 }]\n';

function warnings(text: string): string[] {
  const r = parseLab(text, 'lab.yaml');
  expect(r.problems).toEqual([]);
  return r.warnings.map(formatWarning);
}

/** hv-1 with extra lines after its addresses (cpus, memory, disks …). */
function hv1(lines: string, text = FIXED): string {
  return edit(text, HV1, `${HV1}${lines}`);
}

function at(text: string, needle: string, rest: string, nth = 0): string {
  const { line, column } = positionOf(text, needle, nth);
  return `lab.yaml:${line}:${column} ${rest}`;
}

describe('lab warnings (valid labs, exit 0)', () => {
  test('a PXE host without a fixed address on its boot network: no dhcp.ip for smee', () => {
    expect(warnings(SMALL_LAB)).toEqual([
      at(SMALL_LAB, 'PROV, tagged: [MGMT] }]\n    addresses: [{ network: MGMT, address: 172.31.10.11', `warning: hosts[2].nics[0].untagged: host "hv-1" PXE boots on PROV without a fixed address there: its Tinkerbell Hardware has no dhcp.ip, so smee's reservation mode offers it no address, and it takes whatever lease is free — add { network: PROV, address: … } outside the DHCP range to its addresses [WARN_PXE_NO_FIXED_ADDRESS]`),
    ]);
    expect(warnings(FIXED)).toEqual([]);
  });

  test('fewer CPUs than Harvester wants', () => {
    const text = hv1('    cpus: 12\n');
    expect(warnings(text)).toEqual([
      at(text, '12\n', `warning: hosts[2].cpus: host "hv-1" has 12 CPUs, under Harvester's 16 (MinCPUProd, harvester-installer v1.5.0 pkg/preflight/checks.go): its automatic install stops on this preflight warning before any webhook — use a host with 16 or more logical CPUs, or set clusters.harvester.skipChecks: true to install anyway [WARN_HARVESTER_CPUS]`),
    ]);
    expect(warnings(hv1('    cpus: 16\n'))).toEqual([]);
  });

  test('less memory than Harvester wants (memory GB are binary: 64GB passes)', () => {
    const text = hv1('    memory: 32GB\n');
    expect(warnings(text)).toEqual([
      at(text, '32GB', `warning: hosts[2].memory: host "hv-1" has 32GB of memory, under Harvester's 64GiB (MinMemoryProd, harvester-installer v1.5.0 pkg/preflight/checks.go): its automatic install stops on this preflight warning before any webhook — fit 64GiB or more, or set clusters.harvester.skipChecks: true to install anyway [WARN_HARVESTER_MEMORY]`),
    ]);
    expect(warnings(hv1('    memory: 64GB\n'))).toEqual([]);
  });

  test('a management NIC under 10 Gb/s', () => {
    const text = edit(FIXED, '"aa:bb:cc:00:00:02", untagged', '"aa:bb:cc:00:00:02", name: enp87s0, speed: 2.5G, untagged');
    expect(warnings(text)).toEqual([
      at(text, '2.5G', `warning: hosts[2].nics[0].speed: host "hv-1"'s management NIC runs at 2.5 Gb/s on enp87s0, under Harvester's 10 Gb/s (MinNetworkGbpsProd, harvester-installer v1.5.0 pkg/preflight/checks.go): its automatic install stops on this preflight warning before any webhook — carry the management network on a 10 Gb/s port, or set clusters.harvester.skipChecks: true to install anyway [WARN_HARVESTER_NIC_SPEED]`),
    ]);
    expect(warnings(edit(FIXED, '"aa:bb:cc:00:00:02", untagged', '"aa:bb:cc:00:00:02", speed: 10000M, untagged'))).toEqual([]);
  });

  test('an install disk under 250 GiB: a "256GB" drive is 238 GiB', () => {
    const text = hv1('    disks: [{ size: 256GB, type: nvme }]\n');
    expect(warnings(text)).toEqual([
      at(text, '256GB', `warning: hosts[2].disks[0].size: host "hv-1"'s install disk is 256GB (238 GiB), under Harvester's 250 GiB (SingleDiskMinSizeGiB, harvester-installer v1.5.0 pkg/config/config.go, checked in pkg/console/validator.go): its installer refuses the config before any webhook, and skipChecks does not skip this — install to a disk of 250 GiB (269 GB) or more [WARN_HARVESTER_DISK_SIZE]`),
    ]);
    expect(warnings(hv1('    disks: [{ size: 250GiB }]\n'))).toEqual([]);
  });

  test('the install disk is the one installDisk names among several', () => {
    const text = hv1('    disks: [{ size: 2TB, wwn: eui.0000000000000001 }, { size: 128GB, wwn: eui.0000000000000002 }]\n    installDisk: { wwn: eui.0000000000000002 }\n');
    expect(warnings(text)).toEqual([at(text, '128GB', `warning: hosts[2].disks[1].size: host "hv-1"'s install disk is 128GB (119 GiB), under Harvester's 250 GiB (SingleDiskMinSizeGiB, harvester-installer v1.5.0 pkg/config/config.go, checked in pkg/console/validator.go): its installer refuses the config before any webhook, and skipChecks does not skip this — install to a disk of 250 GiB (269 GB) or more [WARN_HARVESTER_DISK_SIZE]`)]);
  });

  test('skipChecks silences the preflight warnings, not the disk size', () => {
    const text = edit(hv1('    cpus: 8\n    memory: 16GiB\n    disks: [{ size: 128GB }]\n'), 'network: MGMT, hosts: [hv-1] }', 'network: MGMT, hosts: [hv-1], skipChecks: true }');
    const out = warnings(text);
    expect(out).toHaveLength(1);
    expect(out[0]).toContain('[WARN_HARVESTER_DISK_SIZE]');
    expect(warnings(edit(text, 'skipChecks: true', 'skipChecks: false')).map((w) => /\[(\w+)\]$/.exec(w)![1])).toEqual(['WARN_HARVESTER_CPUS', 'WARN_HARVESTER_MEMORY', 'WARN_HARVESTER_DISK_SIZE']);
  });

  test('an install path by kernel name on a host with several disks, or none listed', () => {
    const three = hv1('    disks: [{ size: 1TB, path: /dev/nvme0n1 }, { size: 2TB }, { size: 2TB }]\n    installDisk: { path: /dev/nvme0n1 }\n');
    expect(warnings(three)).toEqual([
      at(three, '/dev/nvme0n1', `warning: hosts[2].installDisk.path: host "hv-1" installs Harvester to /dev/nvme0n1, a kernel name, and it lists 3 disks: with several disks the kernel can number them in another order on another boot, and the install would go to another disk — give installDisk a wwn (\`lsblk -o NAME,WWN\`), or a serial and model, so the config names /dev/disk/by-id/… [WARN_INSTALL_DEVICE_NAME]`, 1),
    ]);
    const none = hv1('    installDisk: { path: /dev/nvme0n1 }\n');
    expect(warnings(none)[0]).toContain('a kernel name, and the lab lists none of its disks (an MS-02 has three NVMe slots): ');
    // Named by WWN (on the disk the path points at), or the only disk: no warning.
    expect(warnings(edit(three, 'path: /dev/nvme0n1 }, { size: 2TB', 'path: /dev/nvme0n1, wwn: eui.0025388b91b4d1a2 }, { size: 2TB'))).toEqual([]);
    expect(warnings(hv1('    disks: [{ size: 1TB }]\n    installDisk: { path: /dev/nvme0n1 }\n'))).toEqual([]);
  });

  test('a lab that breaks a rule still reports its warnings beside the problems', () => {
    const r = parseLab(hv1('    cpus: 4\n', edit(FIXED, 'vlan: 20', 'vlan: 10')), 'lab.yaml');
    expect(r.ok).toBe(false);
    expect(r.problems.length).toBeGreaterThan(0);
    expect(r.warnings.map((w) => w.code)).toEqual(['WARN_HARVESTER_CPUS']);
  });
});

describe('install disk by /dev/disk/by-id (udev 60-persistent-storage.rules)', () => {
  const host = (installDisk: Host['installDisk'], disks: Host['disks'] = []) => ({ installDisk, disks }) as Host;
  test('NVMe by its WWN (sysfs wwid): nvme-eui.…, the link that survives another controller', () => {
    expect(installDiskById(host({ wwn: 'eui.0025388b91b4d1a2' }))).toBe('/dev/disk/by-id/nvme-eui.0025388b91b4d1a2');
    expect(installDiskById(host({ path: '/dev/nvme1n1' }, [{ size: '2TB', path: '/dev/nvme1n1', wwn: 'eui.e8238fa6bf530001', serial: 'S6B0NL0W1', model: 'Samsung SSD 990 PRO 2TB' }]))).toBe('/dev/disk/by-id/nvme-eui.e8238fa6bf530001');
  });
  test('SATA by WWN: wwn-0x…', () => {
    expect(installDiskById(host({ wwn: '0x5002538e40a1b2c3', type: 'ssd' }))).toBe('/dev/disk/by-id/wwn-0x5002538e40a1b2c3');
  });
  test('serial and model when there is no WWN: the model escaped as udev does', () => {
    expect(installDiskById(host({ type: 'nvme', serial: 'S6B0NL0W123456A', model: 'Samsung SSD 990 PRO 1TB' }))).toBe('/dev/disk/by-id/nvme-Samsung_SSD_990_PRO_1TB_S6B0NL0W123456A');
    expect(installDiskById(host({ serial: 'S6B0NL0W1' }, [{ size: '1TB', type: 'nvme', serial: 'S6B0NL0W1', model: 'WD_BLACK SN850X 1000GB' }]))).toBe('/dev/disk/by-id/nvme-WD_BLACK_SN850X_1000GB_S6B0NL0W1');
    expect(installDiskById(host({ type: 'ssd', serial: 'X1', model: 'CT1000MX500SSD1' }))).toBe('/dev/disk/by-id/ata-CT1000MX500SSD1_X1');
  });
  test('a serial without a model, or only a path: no by-id name', () => {
    expect(installDiskById(host({ type: 'nvme', serial: 'S6B0NL0W1' }))).toBeUndefined();
    expect(installDiskById(host({ path: '/dev/nvme0n1' }))).toBeUndefined();
  });
});
