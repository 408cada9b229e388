import { stat } from 'node:fs/promises';
import { UsageError, UserError, fsReason, type Io } from '../base/index.js';
import { createProgress, formatBytes } from '../images/progress.js';
import { inspectDevice, REAL_ROOTS, type SystemRoots } from './device.js';
import { refusals } from './check.js';
import { writeImage } from './write.js';
import { askOnTerminal, stdinIsTerminal } from './confirm.js';

export interface WriteDeps {
  roots: SystemRoots;
  /** Asks the operator; resolves true only on an explicit yes. */
  confirm(question: string): Promise<boolean>;
  canAsk(): boolean;
  flush?: (device: string) => Promise<void>;
}

export const REAL_WRITE_DEPS: WriteDeps = { roots: REAL_ROOTS, confirm: askOnTerminal, canAsk: stdinIsTerminal };

/** What `runWrite` ended with; refusals and failed checks are thrown as UserError. */
export type WriteOutcome = 'written' | 'declined';

/** `builder write`: check the device, ask, write, fsync, read back and compare. */
export async function runWrite(image: string, device: string, yes: boolean, io: Io, deps: WriteDeps = REAL_WRITE_DEPS): Promise<WriteOutcome> {
  let imageBytes: number;
  try {
    const st = await stat(image);
    if (!st.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    imageBytes = st.size;
  } catch (err) {
    throw new UsageError('ERR_INPUT_UNREADABLE', `cannot read image ${image}: ${fsReason(err)}`, 'pass the .iso or .img file, such as the output of builder make-usb', { cause: err });
  }
  let info;
  try {
    info = await inspectDevice(device, deps.roots);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError('ERR_DEVICE_UNREADABLE', `cannot inspect ${device}: ${code === 'ENOENT' ? 'no such device' : String(code)}`, 'check the device name with lsblk (plug the stick in first)', { cause: err });
  }
  const refused = refusals(info, imageBytes);
  if (refused.length > 0) {
    throw new UserError('ERR_DEVICE_REFUSED', `refusing to write ${device}:\n${refused.map((r) => `  - ${r.reason} — ${r.fix}`).join('\n')}`);
  }
  const what = `${info.realPath} (${info.name}, ${formatBytes(info.sizeBytes ?? 0)}${info.partitions.length > 0 ? `, partitions ${info.partitions.join(' ')}` : ''})`;
  if (!yes) {
    if (!deps.canAsk()) throw new UserError('ERR_DEVICE_NOT_CONFIRMED', `not asking on a non-terminal: writing ${image} would erase ${what}`, 'check the device, then pass --yes');
    const ok = await deps.confirm(`Write ${image} (${formatBytes(imageBytes)}) to ${what}? Everything on it is erased. Type yes: `);
    if (!ok) {
      io.err('not written: the answer was not yes\n');
      return 'declined';
    }
  }
  const flush = deps.flush;
  const r = await writeImage(image, info.realPath, createProgress({ write: io.out, tty: io.isTTY }), flush ? { flush } : {});
  if (r.sha256 !== r.readBack) {
    throw new UserError('ERR_DEVICE_READ_BACK_MISMATCH', `read-back of ${info.realPath} does not match: wrote sha256 ${r.sha256}, read ${r.readBack}`, 'the stick may be failing or counterfeit (smaller than it claims); try another one');
  }
  io.out(`wrote ${formatBytes(r.bytes)} to ${info.realPath}; read back and verified sha256 ${r.sha256}\n`);
  return 'written';
}
