import { runBuffer, spawnTool } from './run.js';
import type { Readable, Writable } from 'node:stream';

/**
 * zstd as Talos's imager runs it for the extensions archive (`-18`). zstd's output does not
 * depend on the thread count, so `-T0` keeps the build fast and still reproducible.
 */
export function zstdCompress(input: Readable, output: Writable, file: string): Promise<void> {
  const { child, done } = spawnTool('zstd', ['-T0', '-18', '-c', '-q'], file, { stdin: 'pipe', stdout: 'pipe' });
  input.pipe(child.stdin!);
  child.stdout!.pipe(output, { end: false });
  return Promise.all([done, new Promise<void>((res) => child.stdout!.on('end', () => res()))]).then(() => undefined);
}

export function zstdDecompress(input: Readable, file: string): { stdout: Readable; done: Promise<void> } {
  const { child, done } = spawnTool('zstd', ['-d', '-c', '-q'], file, { stdin: 'pipe', stdout: 'pipe' });
  input.pipe(child.stdin!);
  child.stdin!.on('error', () => undefined);
  return { stdout: child.stdout!, done };
}

/** Compresses bytes held in memory (the small extensions archive). */
export function zstdCompressBuffer(data: Buffer, file: string): Promise<Buffer> {
  return runBuffer('zstd', ['-T0', '-18', '-c', '-q'], file, { input: data });
}
