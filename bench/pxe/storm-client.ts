// The PXE storm's clients, run inside the client namespace: N machines each take a DHCP lease
// from the agent (DISCOVER/OFFER/REQUEST/ACK as firmware sends them, broadcast flag, arch 7) and
// then fetch the UEFI loader by TFTP (blksize 1468, windowsize 4, as EDK2 asks) from their new
// address. `parallel` starts all at once; `serial` one after another (the baseline).
//   node storm-client.mjs SERVER_IP IFACE N parallel|serial
import { createSocket } from 'node:dgram';
import { execFileSync } from 'node:child_process';
import { tftpGet } from '../../test/pxe/tftp-load.js';

const [serverIp, iface, nText, mode] = process.argv.slice(2) as [string, string, string, string];
const n = Number(nText);
const macOf = (i: number) => Buffer.from([2, 0, 0, 0x50, (i >> 8) & 255, i & 255]);
// The serial baseline uses other MACs (101…), so both runs start from fresh leases.
const dhcp = createSocket({ type: 'udp4', reuseAddr: true });
const waiting = new Map<number, (p: { type: number; yiaddr: string }) => void>();
dhcp.on('message', (m) => {
  if (m.length < 244 || m[0] !== 2) return;
  const xid = m.readUInt32BE(4);
  let type = 0;
  for (let o = 240; o < m.length && m[o] !== 255; o += m[o] === 0 ? 1 : 2 + (m[o + 1] as number)) if (m[o] === 53) type = m[o + 2] as number;
  waiting.get(xid)?.({ type, yiaddr: [16, 17, 18, 19].map((k) => m[k]).join('.') });
});
await new Promise<void>((r) => dhcp.bind(68, '0.0.0.0', () => r()));
dhcp.setBroadcast(true);

function packet(type: number, mac: Buffer, xid: number, requested?: string): Buffer {
  const b = Buffer.alloc(300);
  b[0] = 1; b[1] = 1; b[2] = 6;
  b.writeUInt32BE(xid, 4);
  b.writeUInt16BE(0x8000, 10);
  mac.copy(b, 28);
  b.writeUInt32BE(0x63825363, 236);
  const vc = Buffer.from('PXEClient:Arch:00007:UNDI:003016');
  const opts = [53, 1, type, 60, vc.length, ...vc, 93, 2, 0, 7];
  if (requested) opts.push(50, 4, ...requested.split('.').map(Number), 54, 4, ...serverIp.split('.').map(Number));
  b.set([...opts, 255], 240);
  return b;
}

function ask(p: Buffer, xid: number, want: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const t = setInterval(() => dhcp.send(p, 67, '255.255.255.255'), 2000);
    const give = setTimeout(() => { clearInterval(t); reject(new Error(`no DHCP answer for xid ${xid}`)); }, 30_000);
    waiting.set(xid, (r) => {
      if (r.type !== want) return;
      clearInterval(t); clearTimeout(give); waiting.delete(xid);
      resolve(r.yiaddr);
    });
    dhcp.send(p, 67, '255.255.255.255');
  });
}

async function machine(i: number): Promise<void> {
  const mac = macOf(i);
  const xid = 0x50000000 + i;
  const offered = await ask(packet(1, mac, xid), xid, 2);
  const ip = await ask(packet(3, mac, xid, offered), xid, 5);
  execFileSync('ip', ['addr', 'add', `${ip}/24`, 'dev', iface]);
  await tftpGet({ port: 69, host: serverIp, name: 'ipxe.efi', bind: ip, blksize: 1468, windowsize: 4 });
}

const t0 = performance.now();
if (mode === 'parallel') await Promise.all(Array.from({ length: n }, (_, i) => machine(i + 1)));
else for (let i = 1; i <= n; i++) await machine(100 + i);
process.stdout.write(`${((performance.now() - t0) / 1000).toFixed(3)}\n`);
dhcp.close();
setTimeout(() => process.exit(0), 3500).unref();
