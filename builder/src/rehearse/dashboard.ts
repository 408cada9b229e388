import net from 'node:net';
import { rm } from 'node:fs/promises';

/**
 * The dashboard from the laptop namespace to the operator's browser without any interface in
 * the host's namespace: a forwarder inside the laptop namespace listens on a Unix socket (a file,
 * which every namespace sees) and connects to the collector there; this process listens on
 * 127.0.0.1 and pipes each connection into that socket.
 */

/** The forwarder run inside the laptop namespace (`node -e`): argv = [socket, port]. */
export const FORWARDER = `
const net = require('node:net');
const [sock, port] = process.argv.slice(1);
try { require('node:fs').unlinkSync(sock); } catch {}
const srv = net.createServer((c) => {
  const u = net.connect(Number(port), '127.0.0.1');
  c.pipe(u); u.pipe(c);
  c.on('error', () => u.destroy()); u.on('error', () => c.destroy());
});
srv.listen(sock, () => require('node:fs').chmodSync(sock, 0o600));
process.on('SIGTERM', () => process.exit(0));
`;

function pipeTo(sock: string, open: Set<net.Socket>): net.Server {
  return net.createServer((c) => {
    const u = net.connect(sock);
    open.add(c);
    c.on('close', () => open.delete(c));
    c.pipe(u);
    u.pipe(c);
    c.on('error', () => u.destroy());
    u.on('error', () => c.destroy());
  });
}

/** Listens on 127.0.0.1:port (or the next free port above it) and forwards to `sock`. */
export async function openDashboard(sock: string, port: number): Promise<{ url: string; close(): Promise<void> }> {
  for (let p = port; p < port + 20; p++) {
    const open = new Set<net.Socket>();
    const srv = pipeTo(sock, open);
    const ok = await new Promise<boolean>((resolve) => {
      srv.once('error', () => resolve(false));
      srv.listen(p, '127.0.0.1', () => resolve(true));
    });
    if (ok) {
      return {
        url: `http://127.0.0.1:${p}`,
        // Kept-alive browser and fetch connections would hold close() open until they idle out.
        close: () =>
          new Promise<void>((resolve) => {
            srv.close(() => resolve());
            for (const c of open) c.destroy();
          }),
      };
    }
  }
  throw new Error(`no free port on 127.0.0.1 from ${port} to ${port + 19} for the dashboard`);
}

export async function removeSocket(sock: string): Promise<void> {
  await rm(sock, { force: true });
}
