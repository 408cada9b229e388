import { runDemoTool } from './exec.js';

/** Adapter for mtools: directories and one file copied into a FAT image. */
export async function mtoolsPut(img: string, dirs: string[], src: string, dest: string): Promise<void> {
  await runDemoTool('mmd', ['-i', img, ...dirs.map((d) => `::/${d}`)], 'mtools');
  await runDemoTool('mcopy', ['-i', img, src, `::/${dest}`], 'mtools');
}

/** Adapter for mtools' mcopy: whole trees copied into the root of a FAT image, attributes kept. */
export async function mcopyTrees(img: string, sources: string[]): Promise<void> {
  await runDemoTool('mcopy', ['-s', '-p', '-Q', '-m', '-i', img, ...sources, '::'], 'mtools');
}
