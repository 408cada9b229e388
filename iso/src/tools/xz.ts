import { runBuffer, spawnTool, type ToolError } from './run.js';
import type { Readable, Writable } from 'node:stream';

export type { ToolError };

/**
 * xz with the options Talos's imager uses for initramfs archives (`-C crc32` because the kernel's
 * xz decoder knows only CRC32, `-0 -e`); one thread so the bytes never depend on the machine.
 */
export function xzCompress(input: Readable, output: Writable, file: string): Promise<void> {
  const { child, done } = spawnTool('xz', ['-C', 'crc32', '-0', '-e', '-T', '1', '-z', '-c', '-q'], file, { stdin: 'pipe', stdout: 'pipe' });
  input.pipe(child.stdin!);
  child.stdout!.pipe(output, { end: false });
  return Promise.all([done, new Promise<void>((res) => child.stdout!.on('end', () => res()))]).then(() => undefined);
}

/** Decompresses an xz stream (several concatenated streams are one output). */
export function xzDecompress(input: Readable, file: string): { stdout: Readable; done: Promise<void> } {
  const { child, done } = spawnTool('xz', ['-d', '-c', '-q'], file, { stdin: 'pipe', stdout: 'pipe' });
  input.pipe(child.stdin!);
  child.stdin!.on('error', () => undefined); // the decoder may stop reading early on bad input; `done` reports it
  return { stdout: child.stdout!, done };
}

/** Compresses bytes held in memory (the small extensions archive). */
export function xzCompressBuffer(data: Buffer, file: string): Promise<Buffer> {
  return runBuffer('xz', ['-C', 'crc32', '-0', '-e', '-T', '1', '-z', '-c', '-q'], file, { input: data });
}
