// The native UKI section rewrite on a real multi-profile UKI: systemd 257's ukify and stub
// assemble it in Talos's section order (test/fixtures/standin/trixie.ts), the rewrite replaces the
// base .initrd, and pefile (the PE parser ukify itself uses) reads the result independently.
// Not modelled: a signed UKI (refused before any rewrite) and stubs with COFF symbol tables.
import { execa } from 'execa';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePe, PeFormatError } from '../../iso/src/pe.js';
import { planSectionRewrite } from '../../iso/src/pe-layout.js';
import { rewriteUkiSections } from '../../iso/src/uki.js';
import { effectiveSection, structureProblems, ukiStructure } from '../../iso/src/uki-profiles.js';
import { ensureKernel } from '../fixtures/standin/talos-standin.js';
import { ensureTrixie, type TrixieParts } from '../fixtures/standin/trixie.js';

interface PefileView {
  warnings: string[];
  sizeOfImage: number;
  checksum: number;
  computedChecksum: number;
  sections: { name: string; va: number; vsize: number; ptr: number; raw: number; sha: string }[];
}

// pefile's reading of an image: sections with the sha256 of their first VirtualSize bytes.
const PEFILE_VIEW = `
import hashlib, json, sys, pefile
pe = pefile.PE(sys.argv[1])
out = {"warnings": [w for w in pe.get_warnings() if "extremely large" not in w], "sizeOfImage": pe.OPTIONAL_HEADER.SizeOfImage,
       "checksum": pe.OPTIONAL_HEADER.CheckSum, "computedChecksum": pe.generate_checksum(), "sections": []}
for s in pe.sections:
    data = s.get_data()[: s.Misc_VirtualSize]
    out["sections"].append({"name": s.Name.rstrip(b"\\0").decode(), "va": s.VirtualAddress, "vsize": s.Misc_VirtualSize,
                            "ptr": s.PointerToRawData, "raw": s.SizeOfRawData, "sha": hashlib.sha256(data).hexdigest()})
print(json.dumps(out))
`;

let dir: string;
let t: TrixieParts;
let uki: string;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function pefileView(file: string): Promise<PefileView> {
  const r = await execa('python3', ['-c', PEFILE_VIEW, file], { env: t.ukify.env });
  return JSON.parse(r.stdout) as PefileView;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'uki-rewrite-'));
  t = await ensureTrixie();
  const k = await ensureKernel();
  await writeFile(join(dir, 'initrd'), randomBytes(70_001));
  const ukify = (args: string[]) => execa(t.ukify.command, [...t.ukify.args, 'build', ...args], { env: t.ukify.env, cwd: dir });
  await ukify(['--stub', t.addonStub, '--profile', 'ID=reset\nTITLE=Reset system disk', '--cmdline', 'console=ttyS0 talos.experimental.wipe=system', '--output', 'reset.efi']);
  await ukify(['--stub', t.stub, '--linux', k.vmlinuz, '--initrd', 'initrd', '--cmdline', 'console=ttyS0', '--os-release', 'ID=talos\nVERSION_ID=v1.12.0', '--uname', k.version, '--profile', 'ID=main', '--join-profile', 'reset.efi', '--output', 'uki.efi']);
  uki = join(dir, 'uki.efi');
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('UKI section rewrite (native, in place)', () => {
  it("ukify 257 lays the UKI out in Talos's order: base, then .profile main, then .profile reset with its own .cmdline", async () => {
    const names = parsePe(await readFile(uki)).sections.map((s) => s.name);
    expect(names.slice(names.indexOf('.osrel'))).toEqual(['.osrel', '.cmdline', '.uname', '.linux', '.initrd', '.profile', '.profile', '.cmdline']);
  });

  it('replaces the base .initrd where it is: every section keeps its place and bytes, every profile sees the new initrd', async () => {
    const before = await pefileView(uki);
    const bigger = randomBytes(3_000_001); // not a multiple of any alignment
    await writeFile(join(dir, 'new-initrd'), bigger);
    const pe = parsePe(await readFile(uki));
    const index = pe.sections.findIndex((s) => s.name === '.initrd');
    const out = join(dir, 'rewritten.efi');
    await rewriteUkiSections(uki, pe, [{ index, file: join(dir, 'new-initrd') }], out);

    const after = await pefileView(out);
    expect(after.warnings).toEqual([]);
    expect(after.sections.map((s) => s.name)).toEqual(before.sections.map((s) => s.name));
    after.sections.forEach((s, i) => {
      if (i === index) expect(s.sha).toBe(sha(bigger));
      else expect(s.sha).toBe(before.sections[i]!.sha);
      if (i < index) expect([s.va, s.ptr]).toEqual([before.sections[i]!.va, before.sections[i]!.ptr]);
      const next = after.sections[i + 1];
      if (next) {
        expect(next.va).toBeGreaterThanOrEqual(s.va + s.vsize);
        expect(next.ptr).toBeGreaterThanOrEqual(s.ptr + s.raw);
        expect(next.va % 0x1000).toBe(0);
      }
    });
    const last = after.sections[after.sections.length - 1]!;
    expect(after.sizeOfImage).toBe(Math.ceil((last.va + last.vsize) / 0x1000) * 0x1000);
    expect(after.checksum).toBe(0); // ukify wrote none, so none is written

    const newPe = parsePe(await readFile(out));
    const texts = new Map<number, string>();
    const bytes = await readFile(out);
    newPe.sections.forEach((s, i) => texts.set(i, bytes.subarray(s.fileOffset, s.fileOffset + s.virtualSize).toString('utf8')));
    const structure = ukiStructure(newPe.sections, (i) => texts.get(i)!);
    expect(structure.profiles.map((p) => p.id)).toEqual(['main', 'reset']);
    expect(structure.profiles[1]!.own.map((s) => s.name)).toEqual(['.cmdline']);
    expect(effectiveSection(structure, 0, '.initrd')?.index).toBe(index);
    expect(effectiveSection(structure, 1, '.initrd')?.index).toBe(index);
    expect(structureProblems(structure, ['.linux', '.initrd', '.cmdline'])).toEqual([]);
  });

  it('writes a correct PE checksum when the base carried one', async () => {
    const bytes = await readFile(uki);
    const pe = parsePe(bytes);
    bytes.writeUInt32LE(0x1234, pe.checksumOffset);
    await writeFile(join(dir, 'summed.efi'), bytes);
    const out = join(dir, 'summed-out.efi');
    await rewriteUkiSections(join(dir, 'summed.efi'), pe, [{ index: pe.sections.findIndex((s) => s.name === '.initrd'), data: Buffer.from('tiny') }], out);
    const view = await pefileView(out);
    expect(view.checksum).not.toBe(0);
    expect(view.checksum).toBe(view.computedChecksum);
  });

  it('refuses to move a section a data directory points into (the stub finds those by address)', async () => {
    const pe = parsePe(await readFile(uki));
    const reloc = pe.sections.findIndex((s) => s.name === '.reloc');
    expect(() => planSectionRewrite(pe, new Map([[reloc, 10]]))).toThrow(PeFormatError);
    expect(() => planSectionRewrite(pe, new Map([[reloc, 10]]))).toThrow(/data directory 5 points into section \.reloc/);
  });
});
