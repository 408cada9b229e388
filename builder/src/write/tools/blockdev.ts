import { execa } from 'execa';

/**
 * Adapter for util-linux `blockdev`. `--flushbufs` (BLKFLSBUF) drops the kernel's cached blocks
 * of the device, so the read-back that follows comes from the medium, not from memory.
 */
export async function flushBuffers(device: string): Promise<void> {
  await execa('blockdev', ['--flushbufs', device]);
}
