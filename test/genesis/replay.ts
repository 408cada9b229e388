import { becomesReady, diskBoot, installerBoot } from './talos-trace.js';
import { harvesterWebhook, postEvents } from './clients.js';
import { TOKEN, type PlatformHost, type World } from './world.js';

/**
 * A whole Genesis, replayed step by step in the order its senders emit: the gateway agent's
 * boot, each Talos node's sink stream (talos-trace.ts), the PXE service's per-MAC events (the
 * agent's pxe role: dhcp.*, tftp.*, http.fetch), Harvester's installer webhooks in the order
 * harvester-installer v1.5.0 pkg/console/util.go sends them (STARTED before the install,
 * SUCCEEDED after the disk is written and before cos-installer-shutdown reboots), and the
 * clusters' APIs changing under the join watchers, polled after each change. A snapshot of the
 * status is taken after every step.
 */

let n = 0;
const now = () => new Date().toISOString();
const id = (what: string) => `replay-${what}-${n++}`;

const ADDRESS: Record<PlatformHost, string> = { 'cp-1': '10.10.30.10', 'cp-2': '10.10.30.11', 'cp-3': '10.10.30.12' };
const healthy = (id: string) => ({ id, state: 'Running', healthy: true });

async function poll(w: World): Promise<void> {
  await w.collector.join!.pollOnce();
  w.snapshot();
}

async function pxe(w: World, mac: string, files: string[]): Promise<void> {
  const e = (kind: string, attrs: Record<string, unknown> = {}) => ({ id: id(kind), mac, source: 'pxe', kind, time: now(), attrs });
  await postEvents(w.base, TOKEN, [e('dhcp.discover'), e('dhcp.offer'), e('dhcp.request'), e('dhcp.ack')]);
  w.snapshot();
  await postEvents(w.base, TOKEN, [e('tftp.start', { file: 'ipxe.efi' }), e('tftp.done', { file: 'ipxe.efi' })]);
  w.snapshot();
  await postEvents(w.base, TOKEN, files.map((f) => e('http.fetch', { path: f })));
  w.snapshot();
}

/** A Talos node from power-on to RUNNING-not-ready from its disk (ISO or PXE alike). */
async function talosInstall(w: World, host: PlatformHost, kmsg: { msg: string; priority: number }[] = []): Promise<void> {
  const node = w.nodes[host];
  const addrs = [`${ADDRESS[host]}/24`];
  for (const msg of installerBoot(host, addrs)) {
    await node.publish([msg]);
    w.snapshot();
  }
  if (kmsg.length > 0) await node.kmsg(kmsg);
  // kexec: the installer's connection ends; the system from disk dials the sink again and replays its buffer.
  node.reconnect();
  await poll(w);
  await node.publish(diskBoot(host, addrs));
  w.snapshot();
  const a = w.apid[host].state;
  a.down = false;
  a.services = [healthy('apid'), { id: 'etcd', state: 'Preparing', unknown: true, events: ['Running pre state'] }, healthy('kubelet'), healthy('trustd')];
  await poll(w);
}

export async function phase1(w: World): Promise<void> {
  await postEvents(w.base, TOKEN, [{ id: id('gw-boot'), host: 'gateway', source: 'agent', kind: 'boot', time: now(), attrs: { model: 'vp6630' } }]);
  w.snapshot();
  // What Bootstrap does on the stand-in: etcd starts as a one-member cluster.
  w.apid['cp-1'].state.onBootstrap = (s) => {
    s.services = s.services.map((x) => (x.id === 'etcd' ? healthy('etcd') : x));
    s.etcdMembers = ['cp-1'];
  };
  await talosInstall(w, 'cp-1', [
    { msg: 'Linux version 6.12.57-talos', priority: 5 },
    { msg: 'nvme nvme0: 16/0/0 default/read/poll queues', priority: 6 },
  ]);
  // talosInstall's last poll saw etcd waiting and made the Bootstrap call (collect --bootstrap); this one sees etcd run.
  await poll(w);
  // The API server comes up; the node is NotReady until the CNI runs.
  w.platform.nodes = [{ name: 'cp-1', ready: false, address: ADDRESS['cp-1'], roles: ['control-plane'] }];
  await poll(w);
  w.platform.nodes[0]!.ready = true;
  await w.nodes['cp-1'].publish(becomesReady());
  await poll(w);
  w.platform.argocd = { workloads: [{ name: 'argocd-server', replicas: 1, available: 0 }, { name: 'argocd-repo-server', replicas: 1, available: 1 }, { name: 'argocd-application-controller', replicas: 1, available: 1, kind: 'sts' }], apps: [] };
  await poll(w);
  w.platform.argocd.workloads[0]!.available = 1;
  await poll(w);
}

export async function phase2(w: World): Promise<void> {
  w.platform.argocd!.apps = [
    { name: 'crossplane', health: 'Progressing', sync: 'Synced' },
    { name: 'tinkerbell', health: 'Missing', sync: 'OutOfSync' },
  ];
  await poll(w);
  w.platform.argocd!.apps = [
    { name: 'crossplane', health: 'Healthy', sync: 'Synced' },
    { name: 'tinkerbell', health: 'Healthy', sync: 'Synced' },
  ];
  await poll(w);
}

const HARVESTER = [
  ['ms02-1', '02:00:00:00:02:01', '10.10.10.11'],
  ['ms02-2', '02:00:00:00:02:02', '10.10.10.12'],
  ['ms02-3', '02:00:00:00:02:03', '10.10.10.13'],
] as const;

export async function phase3(w: World): Promise<void> {
  for (const [host, mac, address] of HARVESTER) {
    await pxe(w, mac, ['/ipxe/harvester.ipxe', '/harvester/vmlinuz', '/harvester/initrd', `/harvester/${host}.yaml`]);
    await harvesterWebhook(w.base, TOKEN, host, 'STARTED');
    w.snapshot();
    await harvesterWebhook(w.base, TOKEN, host, 'SUCCEEDED');
    w.snapshot();
    // After the reboot, the node joins Harvester's cluster: its API lists it NotReady, then Ready.
    w.harvester.nodes.push({ name: host, ready: false, address, roles: ['control-plane', 'etcd', 'master'] });
    await poll(w);
    w.harvester.nodes.at(-1)!.ready = true;
    await poll(w);
  }
}

export async function phase4(w: World): Promise<void> {
  for (const [host, mac] of [['cp-2', '02:00:00:00:03:02'], ['cp-3', '02:00:00:00:03:03']] as const) {
    await pxe(w, mac, ['/ipxe/talos.ipxe', '/talos/vmlinuz', '/talos/initramfs.xz']);
    await talosInstall(w, host);
    // A control plane joining an existing cluster: etcd joins as a learner, no Bootstrap.
    const a = w.apid[host].state;
    a.services = a.services.map((x) => (x.id === 'etcd' ? healthy('etcd') : x));
    const members = [...(w.apid['cp-1'].state.etcdMembers ?? []), host];
    for (const h of ['cp-1', 'cp-2', 'cp-3'] as const) if (w.apid[h].state.etcdMembers || h === host) w.apid[h].state.etcdMembers = members;
    w.platform.nodes.push({ name: host, ready: false, address: ADDRESS[host], roles: ['control-plane'] });
    await poll(w);
    w.platform.nodes.at(-1)!.ready = true;
    await w.nodes[host].publish(becomesReady());
    await poll(w);
  }
}
