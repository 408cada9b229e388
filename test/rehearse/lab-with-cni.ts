import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The example lab the rehearsal tests run, as an operator names it from the repository's root. */
export const EXAMPLE_LAB = 'examples/genesis/lab.yaml';

/**
 * The example lab with a CNI cp-1's Talos deploys (the demo node turns Ready only when its config
 * has one), so phase 1 can be done: while the example says `cni: none`, Talos's own flannel;
 * otherwise the example as is. `edit` breaks it on purpose (a wrong MAC, a selector matching no
 * disk). Written to `dir`/lab.yaml; returns that path.
 */
export function labWithCni(dir: string, edit: (text: string) => string = (t) => t): string {
  const file = join(dir, 'lab.yaml');
  writeFileSync(file, edit(readFileSync(EXAMPLE_LAB, 'utf8').replace(/cni: none\b.*/, 'cni: flannel')));
  return file;
}
