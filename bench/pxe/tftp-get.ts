// One TFTP download with the test suite's RFC 7440 client (test/pxe/tftp-load.ts), for the
// windowsize rows of bench/pxe/run.mjs (curl and tftp-hpa's client never ask for windowsize).
//   node tftp-get.mjs PORT NAME BLKSIZE WINDOWSIZE   → prints "seconds bytes windowsize-granted"
import { tftpGet } from '../../test/pxe/tftp-load.js';

const [port, name, blksize, windowsize] = process.argv.slice(2).map((v, i) => (i === 1 ? v : Number(v))) as [number, string, number, number];
const t0 = performance.now();
const r = await tftpGet({ port, name, blksize, windowsize });
process.stdout.write(`${((performance.now() - t0) / 1000).toFixed(4)} ${r.data.length} ${r.oack.windowsize ?? 1}\n`);
setTimeout(() => process.exit(0), 10).unref();
