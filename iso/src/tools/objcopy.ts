import { runText } from './run.js';

export interface AddedSection {
  name: string;
  file: string;
  /** Absolute virtual address (image base + RVA) where the section is placed. */
  vma: number;
}

/** Copies a PE image while removing and adding sections (the UKI `.initrd` replace). */
export async function rewriteSections(input: string, output: string, remove: string[], add: AddedSection[]): Promise<void> {
  const args: string[] = [];
  for (const name of remove) args.push('--remove-section', name);
  for (const s of add) {
    args.push('--add-section', `${s.name}=${s.file}`, '--change-section-vma', `${s.name}=0x${s.vma.toString(16)}`);
  }
  args.push(input, output);
  await runText('objcopy', args, input);
}

/** Writes one section's raw bytes to a file. */
export async function dumpSection(input: string, name: string, output: string): Promise<void> {
  // objcopy writes an output image too; send it to /dev/null, only the dump matters.
  await runText('objcopy', ['--dump-section', `${name}=${output}`, input, '/dev/null'], input);
}
