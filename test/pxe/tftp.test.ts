import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TftpService } from '@lab/agent';
import { errorCode, exchange, rrq } from './tftp-client.js';
import { tftpGet } from './tftp-load.js';

const root = mkdtempSync(join(tmpdir(), 'tftp-root-'));
const out = mkdtempSync(join(tmpdir(), 'tftp-out-'));
const events: Array<{ kind: string; filename: string; size?: number; blksize?: number; reason?: string }> = [];
let service: TftpService;
let port = 0;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  writeFileSync(join(root, 'ipxe.efi'), randomBytes(1024 * 1024 + 123));
  writeFileSync(join(root, 'exact.bin'), randomBytes(512 * 4));
  mkdirSync(join(root, 'sub'));
  writeFileSync(join(root, 'sub/inner.txt'), 'inner\n');
  symlinkSync('/etc', join(root, 'escape'));
  // 33 MiB: past the 65535 × 512 bytes that tftp-server's 16-bit counter allows.
  await new Promise<void>((resolve) => {
    const ws = createWriteStream(join(root, 'big.img'));
    for (let i = 0; i < 33; i++) ws.write(randomBytes(1 << 20));
    ws.end(() => resolve());
  });
  service = new TftpService({
    root,
    port: 0,
    address: '127.0.0.1',
    events: {
      start: (i) => events.push({ kind: 'start', filename: i.filename, size: i.size, blksize: i.blksize }),
      done: (i) => events.push({ kind: 'done', filename: i.filename, size: i.size }),
      error: (i) => events.push({ kind: 'error', filename: i.filename, reason: i.reason }),
    },
  });
  port = await service.listen();
});
afterAll(() => service?.close());

async function curlGet(name: string, file: string, args: string[] = []): Promise<Buffer> {
  const r = await execa('curl', ['-sS', '--max-time', '60', ...args, '-o', join(out, file), `tftp://127.0.0.1:${port}/${name}`], { reject: false });
  expect(r.exitCode, r.stderr).toBe(0);
  return readFileSync(join(out, file));
}

describe('TFTP service (tftp-server, extended)', () => {
  it('sends the ~1 MB loader to tftp-hpa (plain 512-byte blocks) and to curl (blksize 1468, tsize)', async () => {
    const r = await execa('tftp', ['127.0.0.1', String(port), '-m', 'binary', '-c', 'get', 'ipxe.efi', join(out, 'hpa.efi')], { reject: false });
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    const want = sha(readFileSync(join(root, 'ipxe.efi')));
    expect(sha(readFileSync(join(out, 'hpa.efi')))).toBe(want);
    expect(sha(await curlGet('ipxe.efi', 'curl.efi', ['--tftp-blksize', '1468']))).toBe(want);
    const starts = events.filter((e) => e.kind === 'start' && e.filename === 'ipxe.efi');
    expect(starts.map((e) => e.blksize)).toEqual([512, 1468]);
    expect(events.filter((e) => e.kind === 'done' && e.filename === 'ipxe.efi')).toHaveLength(2);
  });

  it('ends a file that is an exact multiple of the block size with an empty block', async () => {
    expect((await curlGet('exact.bin', 'exact.bin', ['--tftp-no-options'])).length).toBe(2048);
  });

  it('sends with RFC 7440 windowsize when the client asks (4, as EDK2 asks; 16), and rolls over past 65535', async () => {
    const want = sha(readFileSync(join(root, 'ipxe.efi')));
    const four = await tftpGet({ port, name: 'ipxe.efi', blksize: 1468, windowsize: 4 });
    expect(four.oack).toMatchObject({ blksize: '1468', windowsize: '4' });
    expect(sha(four.data)).toBe(want);
    const big = await tftpGet({ port, name: 'big.img', blksize: 512, windowsize: 16 });
    expect(sha(big.data)).toBe(sha(readFileSync(join(root, 'big.img'))));
    const exact = await tftpGet({ port, name: 'exact.bin', blksize: 512, windowsize: 3 });
    expect(sha(exact.data)).toBe(sha(readFileSync(join(root, 'exact.bin'))));
    expect(events.filter((e) => e.kind === 'start' && e.filename === 'big.img').at(-1)).toMatchObject({ blksize: 512 });
  });

  it('moves a 33 MiB file at 512-byte blocks (block counter rolls over past 65535)', async () => {
    const got = await curlGet('big.img', 'big.img', ['--tftp-blksize', '512']);
    expect(got.length).toBe(33 << 20);
    expect(sha(got)).toBe(sha(readFileSync(join(root, 'big.img'))));
  }, 120_000);

  it('refuses absolute names, .. and symlinks out of the root with "access violation"', async () => {
    for (const name of ['/etc/passwd', '../../../etc/passwd', 'sub/../../etc/passwd', 'escape/passwd', '..']) {
      const got = await exchange(port, [rrq(name)]);
      expect(got, name).toHaveLength(1);
      expect(errorCode(got[0]), name).toBe(2);
    }
    const inside = await exchange(port, [rrq('sub/inner.txt')]);
    expect(inside[0]?.subarray(4).toString()).toBe('inner\n');
    expect(errorCode((await exchange(port, [rrq('missing.bin')]))[0])).toBe(1);
  });

  it('ignores malformed packets and keeps serving', async () => {
    const junk = [Buffer.alloc(0), Buffer.from([0]), Buffer.from([0, 9, 1, 2]), Buffer.from('\0\x01no-terminator', 'latin1'), Buffer.from('\0\x02up.bin\0octet\0', 'latin1'), randomBytes(700)];
    for (const j of junk) {
      const got = await exchange(port, [j], 100);
      for (const g of got) expect(g.readUInt16BE(0)).toBe(5); // at most an ERROR, never data
    }
    // Junk in the middle of a transfer (short and wrong-opcode packets) is dropped; the peer's
    // next real ACK continues it.
    const mid = await exchange(port, [rrq('sub/inner.txt', { blksize: '1024' }), Buffer.from([0, 4]), Buffer.from([0, 3, 0, 0, 1]), Buffer.from([0, 4, 0, 0])], 300, 80);
    expect(mid[0]?.readUInt16BE(0)).toBe(6); // OACK
    expect(mid[1]?.subarray(4).toString()).toBe('inner\n');
    expect(sha(await curlGet('ipxe.efi', 'after.efi'))).toBe(sha(readFileSync(join(root, 'ipxe.efi'))));
  });
});
