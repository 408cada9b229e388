// The agent's TFTP and HTTP services alone, for the benchmark: serve DIR on 127.0.0.1.
//   node <bundled server.ts> DIR TFTP_PORT HTTP_PORT
import { HttpService, TftpService } from '../../agent/src/roles/pxe/index.js';

const [dir, tftpPort, httpPort] = process.argv.slice(2);
const tftp = new TftpService({ root: dir as string, port: Number(tftpPort), address: '127.0.0.1', events: {} });
const http = new HttpService(dir as string, Number(httpPort), {}, '127.0.0.1');
await tftp.listen();
await http.listen();
process.stdout.write('ready\n');
// A clean exit on a signal lets `--cpu-prof` write its profile.
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(0));
