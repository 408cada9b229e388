import type { Observation } from './kube-observe.js';
import type { TalosDisk, TalosEtcdMembers, TalosServiceList, TalosVersion } from './talos-messages.js';

/**
 * Pure: machine API answers → join events for one lab host.
 *
 * etcd waiting for Bootstrap: on a control-plane node whose etcd has no data, Talos's etcd service
 * stays in its pre-start step (state `Preparing`) retrying to join a cluster and logging "etcd is
 * waiting to join the cluster … please run `talosctl bootstrap`"
 * (`internal/app/machined/pkg/system/services/etcd.go`, buildInitialCluster); etcd does not run,
 * so EtcdMemberList fails. That pair is what `waitingBootstrap` means.
 */

export interface TalosPoll {
  version?: TalosVersion;
  services?: TalosServiceList;
  etcd?: TalosEtcdMembers;
  /** The first error of the poll (apid unreachable, TLS refused, etcd not running …). */
  error?: string;
  etcdError?: string;
  disks?: TalosDisk[];
}

export function observeTalos(host: string, poll: TalosPoll, isControlPlane: boolean): Observation[] {
  if (!poll.version) {
    return [{ key: `apid:${host}`, event: { host, source: 'join', kind: 'join.apid-unreachable', attrs: { error: (poll.error ?? 'no answer').slice(0, 300) } } }];
  }
  const out: Observation[] = [
    { key: `apid:${host}`, event: { host, source: 'join', kind: 'join.apid-reachable', attrs: { version: poll.version.tag, mode: poll.version.mode, nodename: poll.version.hostname } } },
  ];
  const services = poll.services?.services ?? [];
  if (poll.services) {
    const list = services.map((s) => ({ id: s.id, state: s.state, healthy: s.healthy, ...(s.healthUnknown ? { healthUnknown: true } : {}) })).sort((a, b) => a.id.localeCompare(b.id));
    const unhealthy = services.filter((s) => !s.healthy && !s.healthUnknown).map((s) => `${s.id}: ${s.healthMessage || s.state}`);
    out.push({ key: `services:${host}`, event: { host, source: 'join', kind: 'join.talos-services', attrs: { services: list, unhealthy } } });
  }
  const system = poll.disks?.find((d) => d.system);
  if (system) {
    // What the lab's installDisk selector is checked against (size, model, serial, type, path).
    const attrs = { device: system.device, size: system.size, model: system.model, serial: system.serial, type: system.type, ...(system.wwid ? { wwid: system.wwid } : {}) };
    out.push({ key: `disk:${host}`, event: { host, source: 'join', kind: 'join.install-disk', attrs } });
  }
  if (isControlPlane) {
    const etcd = services.find((s) => s.id === 'etcd');
    const members = poll.etcd?.members.map((m) => m.hostname).sort() ?? [];
    const waitingBootstrap = etcd?.state === 'Preparing' && members.length === 0;
    const attrs: Record<string, unknown> = { members, service: etcd?.state ?? 'not listed', waitingBootstrap };
    if (poll.etcdError && members.length === 0) attrs.error = poll.etcdError.slice(0, 300);
    out.push({ key: `etcd:${host}`, event: { host, source: 'join', kind: waitingBootstrap ? 'join.etcd-waiting-bootstrap' : 'join.etcd', attrs } });
  }
  return out;
}
