import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { parseLab, type Lab } from '@lab/shared';
import { fitRealRehearsal, kvmUsable, REAL_VM_NEEDS, realImages, type MachineFacts } from '../../builder/src/rehearse/index.js';

// The real rehearsal is only planned: these tests show the planning (what each phase would need
// and why it is skipped), not a boot of the real systems, which is not built.
const LAB_FILE = fileURLToPath(new URL('../../examples/genesis/lab.yaml', import.meta.url));
const BUILDER = fileURLToPath(new URL('../../builder/bin/builder.js', import.meta.url));
const parsed = parseLab(readFileSync(LAB_FILE, 'utf8'), LAB_FILE);
if (!parsed.ok) throw new Error('example lab invalid');
const lab: Lab = parsed.lab;
const big: MachineFacts = { kvm: { ok: true }, memAvailableMiB: 256 * 1024, cpus: 32 };
const cachedAll = Object.fromEntries(realImages(lab, [1, 2, 3, 4]).map((n) => [n, 'cached' as const]));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the real rehearsal, planned', () => {
  it('gives each guest its published minimum, and counts the memory of the phases before it', () => {
    const fits = fitRealRehearsal(lab, [1, 2, 3, 4], big, cachedAll);
    expect(fits[0]!.hosts).toEqual([
      { name: 'gateway', memoryMiB: REAL_VM_NEEDS.gateway.memoryMiB, vcpus: 1, images: ['vyos'] },
      { name: 'cp-1', memoryMiB: 2048, vcpus: 2, images: ['talos-metal'] },
    ]);
    expect(fits[2]!.hosts.map((h) => [h.name, h.memoryMiB, h.vcpus])).toEqual([['ms02-1', 32768, 8], ['ms02-2', 32768, 8], ['ms02-3', 32768, 8]]);
    expect(fits[2]!.hosts[0]!.images).toEqual(['ipxe-efi', 'harvester-kernel', 'harvester-initrd', 'harvester-rootfs', 'harvester-iso']);
    // 1 GiB reserve + gateway 1 + cp-1 2, then + 3 × 32, then + cp-2 and cp-3.
    expect(fits.map((f) => f.memoryMiB)).toEqual([4096, 4096, 4096 + 3 * 32768, 4096 + 3 * 32768 + 2 * 2048]);
  });

  it('skips a phase for each thing this machine lacks, naming it: KVM, memory, images', () => {
    const small: MachineFacts = { kvm: { ok: false, why: 'this host offers only kvm-pvm' }, memAvailableMiB: 20 * 1024, cpus: 2 };
    const fits = fitRealRehearsal(lab, [1, 3], small, { ...cachedAll, vyos: 'missing', 'harvester-iso': 'not pinned' });
    expect(fits.every((f) => !f.runs)).toBe(true);
    expect(fits[0]!.reasons).toContain('no usable KVM: this host offers only kvm-pvm');
    expect(fits[0]!.reasons).toContain('image vyos: missing (`builder images sync vyos`)');
    expect(fits[1]!.reasons.find((r) => r.startsWith('needs 100 GiB of memory'))).toContain('this machine has 20 GiB available');
    expect(fits[1]!.reasons).toContain('image harvester-iso: not pinned');
    expect(fits[1]!.reasons).toContain("needs phase 1 (its gateway routes the lab's networks)");
  });

  it('says what no sealed rehearsal gives real Talos and Argo CD: registries and the git repository', () => {
    const fits = fitRealRehearsal(lab, [1, 2, 3], big, cachedAll);
    expect(fits[0]!.reasons).toEqual([expect.stringContaining('real Talos pulls its Kubernetes images from registries')]);
    expect(fits[1]!.reasons).toEqual(expect.arrayContaining([`Argo CD syncs from ${lab.clusters.platform!.gitops!.repo}, which the rehearsal cannot reach`]));
    // Harvester's phase has no Talos host: on a big machine with KVM and its images it fits.
    expect(fits[2]!.reasons).toEqual(["needs phase 1 (its gateway routes the lab's networks)"]);
  });

  it('does not take /dev/kvm alone for usable KVM: kvm-pvm runs only PVM guests', async () => {
    const sys = mkdtempSync(join(tmpdir(), 'kvm-sys-'));
    dirs.push(sys);
    const dev = join(sys, 'kvm');
    writeFileSync(dev, '');
    expect(await kvmUsable(sys, join(sys, 'no-such-kvm'))).toEqual({ ok: false, why: `${join(sys, 'no-such-kvm')} does not exist` });
    mkdirSync(join(sys, 'kvm_pvm'));
    expect((await kvmUsable(sys, dev)) as { why: string }).toMatchObject({ ok: false, why: expect.stringContaining('only kvm-pvm') });
    mkdirSync(join(sys, 'kvm_amd'));
    expect(await kvmUsable(sys, dev)).toEqual({ ok: true });
  });

  it('builder rehearse without --demo prints each phase with its reasons and refuses (exit 1), pointing at --demo', async () => {
    const home = mkdtempSync(join(tmpdir(), 'real-home-'));
    dirs.push(home);
    const r = await execa(process.execPath, [BUILDER, 'rehearse', '--lab', LAB_FILE, '--phases', '1'], { reject: false, env: { ...process.env, XDG_CACHE_HOME: home } });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('phase 1: skipped — gateway 1 GiB/1 vCPU, cp-1 2 GiB/2 vCPU; 4 GiB in all');
    // An empty cache: the sticks' bases are missing, whatever this machine's KVM is.
    expect(r.stderr).toContain('image talos-metal: missing');
    expect(r.stderr).toMatch(/KVM (usable|not usable \(.+\))/);
    expect(r.stderr).toContain('ERR_REHEARSE_REAL_UNAVAILABLE');
    expect(r.stderr).toContain('`builder rehearse --demo --phases 1 --lab ');
    const json = await execa(process.execPath, [BUILDER, 'rehearse', '--lab', LAB_FILE, '--phases', '1,3', '--json'], { reject: false, env: { ...process.env, XDG_CACHE_HOME: home } });
    expect(json.exitCode).toBe(1);
    const doc = JSON.parse(json.stdout) as { ok: boolean; real: { phases: { number: number; runs: boolean; reasons: string[] }[] } };
    expect(doc.ok).toBe(false);
    expect(doc.real.phases.map((p) => [p.number, p.runs])).toEqual([[1, false], [3, false]]);
  });
});
