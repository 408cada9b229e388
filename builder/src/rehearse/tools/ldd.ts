import { execa } from 'execa';

/** Adapter for glibc's `ldd`: the shared libraries a program loads, as absolute paths. */
export async function sharedLibraries(binary: string): Promise<string[]> {
  const r = await execa('ldd', [binary], { reject: false, stdin: 'ignore' });
  if (r.failed) throw new Error(`ldd ${binary} failed: ${(r.stderr || r.shortMessage || '').trim()}`);
  return [...r.stdout.matchAll(/(\/\S+\.so[^\s]*)/g)].map((m) => m[1]!);
}
