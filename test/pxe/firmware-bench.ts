import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResultPromise } from 'execa';
import { agentBundle } from '../fixtures/netns/agent-bundle.js';
import { createTapNet, type TapNet } from '../fixtures/netns/lab-net.js';
import { startPxeService } from '../fixtures/netns/pxe-service.js';
import { startReceiver, type Receiver } from '../agent/receiver.js';
import { writePxeAgentConfig } from './pxe-config.js';

/** What a real-firmware test boots its guests against. */
export interface FirmwareBench {
  net: TapNet;
  rx: Receiver;
  /** The agent's directory (config, spool); guests' consoles go here too. */
  dir: string;
  /** Processes to kill at the end: the PXE service, radvd, and the guests the test adds. */
  procs: ResultPromise[];
  stop(): Promise<void>;
}

/** The path of a host's iPXE script under the PXE root (and its HTTP URL path). */
export const scriptPath = (mac: string) => `/ipxe/${mac.replace(/:/g, '-')}.ipxe`;

/**
 * A tap net in its own namespace, a receiver on its uplink, and the agent's PXE service (full
 * mode) for `hosts`, serving Debian's iPXE `loaders` (file names under /usr/lib/ipxe) and, for
 * each host, at scriptPath(mac), an iPXE script that echoes `<says> for <its MAC>` on the
 * console, reports a beacon (step=script) to the agent and waits 120 s (the test stops the guest).
 * Chainload is on: the iPXE the firmware loaded must count as our loader, or it would be handed
 * the loader again.
 */
export async function startFirmwareBench(o: { tag: string; token: string; hosts: { name: string; mac: string }[]; loaders: string[]; says: string; ports: string[] }): Promise<FirmwareBench> {
  const bundle = await agentBundle();
  const net = await createTapNet(o.tag);
  const procs: ResultPromise[] = [];
  let rx: Receiver | undefined;
  const stop = async () => {
    for (const p of procs) p.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.catch(() => undefined)));
    await rx?.stop();
    await net.destroy();
  };
  try {
    rx = await startReceiver({ host: net.uplinkHostIp, token: o.token });
    const made = writePxeAgentConfig({ serverIp: net.serverIp, n: net.n, collectorUrl: rx.url, token: o.token, hosts: o.hosts, chainload: true });
    for (const loader of o.loaders) copyFileSync(join('/usr/lib/ipxe', loader), join(made.root, loader));
    mkdirSync(join(made.root, 'ipxe'));
    for (const h of o.hosts) writeFileSync(join(made.root, scriptPath(h.mac)), `#!ipxe\necho ${o.says} for \${netX/mac}\nimgfetch http://${net.serverIp}:8080/beacon/\${netX/mac:hexhyp}?step=script || echo beacon failed\nsleep 120\n`);
    procs.push(...(await startPxeService(net, { bundle, config: made.config, dir: made.dir, ports: o.ports })));
    return { net, rx, dir: made.dir, procs, stop };
  } catch (err) {
    // Nothing of a half-made bench stays behind.
    await stop();
    throw err;
  }
}
