import { runDemoFilter } from './exec.js';

/** Adapter for zstd: compresses bytes (level 18, as Talos v1.12 compresses its initramfs). */
export function zstdCompress(data: Buffer): Promise<Buffer> {
  return runDemoFilter('zstd', ['-T0', '-18', '-c', '-q'], 'zstd', data);
}
