import * as grpc from '@grpc/grpc-js';
import { encodeFields, type FieldSpec } from '../../collector/ingest/protobuf.js';
import { MACHINE_SERVICE } from '../../collector/join/talos-api.js';
import type { ServerCert } from './certs.js';

/**
 * The demo's apid: Talos's machine API over mutual TLS, as grpc-js (server certificate from the
 * lab's OS CA; client certificates required and checked against the same CA, as apid does),
 * answering machine.MachineService/{Version,ServiceList,EtcdMemberList,Bootstrap} and
 * storage.StorageService/Disks in Talos's wire format (field numbers of Talos v1.12.0
 * api/machine/machine.proto and api/storage/storage.proto).
 *
 * It holds no machine state: every answer comes from `machine`, asked with the caller's peer
 * address — in the rehearsal, the demo node's machined (machined.ts); in tests, a state object.
 * As on Talos, apid is only the front door: machined decides.
 * Not modelled: apid's proxying to other nodes (`nodes` metadata), RBAC roles (os:admin is
 * assumed), and every other method (they answer UNIMPLEMENTED).
 */

export interface DemoService {
  id: string;
  state: string;
  healthy?: boolean;
  unknown?: boolean;
  message?: string;
  events?: string[];
}

export interface DemoDisk {
  device: string;
  size: number;
  model: string;
  serial: string;
  type: 'ssd' | 'hdd' | 'nvme' | 'sd';
  system?: boolean;
}

/** What machined knows about its node, as apid's answers carry it. */
export interface MachineState {
  hostname: string;
  version: string;
  services: DemoService[];
  /** undefined: etcd is not running (EtcdMemberList fails as Talos's does before bootstrap). */
  etcdMembers?: string[];
  disks?: DemoDisk[];
}

/** Bootstrap refused (already bootstrapped, not a control plane …) with Talos's gRPC code. */
export interface Refusal {
  code: grpc.status;
  details: string;
}

export interface MachineSource {
  /** The node's state; undefined when its machined does not answer (every call fails UNAVAILABLE). */
  machine(peer: string): Promise<MachineState | undefined>;
  bootstrap(peer: string): Promise<Refusal | undefined>;
}

const meta = (hostname: string) => encodeFields([[1, hostname]]);
const list = (field: number, items: Uint8Array[]): FieldSpec[] => items.map((b): FieldSpec => [field, b]);

function versionResponse(s: MachineState): Buffer {
  const info = encodeFields([[1, s.version], [2, 'demo'], [6, 'amd64']]);
  const platform = encodeFields([[1, 'metal'], [2, 'metal']]);
  return Buffer.from(encodeFields([[1, encodeFields([[1, meta(s.hostname)], [2, info], [3, platform]])]]));
}

function serviceListResponse(s: MachineState): Buffer {
  const services = s.services.map((svc) => {
    const events = encodeFields((svc.events ?? []).map((msg): FieldSpec => [1, encodeFields([[1, msg], [2, svc.state]])]));
    const health = encodeFields([[1, svc.unknown ?? false], [2, svc.healthy ?? false], [3, svc.message]]);
    return encodeFields([[1, svc.id], [2, svc.state], [3, events], [4, health]]);
  });
  return Buffer.from(encodeFields([[1, encodeFields([[1, meta(s.hostname)], ...list(2, services)])]]));
}

function etcdResponse(s: MachineState): Buffer {
  const members = (s.etcdMembers ?? []).map((h, i) => encodeFields([[2, 0x1000 + i], [3, h], [4, `https://${h}:2380`], [5, `https://${h}:2379`]]));
  return Buffer.from(encodeFields([[1, encodeFields([[1, meta(s.hostname)], ...list(3, members)])]]));
}

const DISK_TYPES = { ssd: 1, hdd: 2, nvme: 3, sd: 4 } as const;

function disksResponse(s: MachineState): Buffer {
  const disks = (s.disks ?? []).map((d) => encodeFields([[1, d.size], [2, d.model], [3, d.device], [4, d.device.replace('/dev/', '')], [5, d.serial], [9, DISK_TYPES[d.type]], [11, d.system || undefined]]));
  return Buffer.from(encodeFields([[1, encodeFields([[1, meta(s.hostname)], ...list(2, disks)])]]));
}

export interface DemoApid {
  port: number;
  /** Calls seen, by method name, with the client certificate's subject organisation. */
  calls: { method: string; org: string; peer: string }[];
  close(): Promise<void>;
}

/** `ipv4:10.10.30.10:43512`, `10.10.30.10:43512` or `[::1]:5` → the address alone. */
export function peerAddress(peer: string): string {
  const p = peer.replace(/^ipv[46]:/, '');
  const v6 = /^\[(.+)\]:\d+$/.exec(p);
  return v6 ? v6[1]! : p.replace(/:\d+$/, '');
}

const unavailable: Refusal = { code: grpc.status.UNAVAILABLE, details: 'connection refused (machined is not answering)' };
const etcdDown: Refusal = { code: grpc.status.UNAVAILABLE, details: 'rpc error: code = Unavailable desc = connection error: dial tcp 127.0.0.1:2379: connect: connection refused' };

export async function startDemoApid(source: MachineSource, osCa: Buffer, cert: ServerCert, listen = { host: '127.0.0.1', port: 0 }): Promise<DemoApid> {
  const server = new grpc.Server();
  const calls: DemoApid['calls'] = [];
  const org = (call: grpc.ServerUnaryCall<Buffer, Buffer>) => {
    const c = call.getAuthContext()?.sslPeerCertificate;
    return String((c?.subject as { O?: string } | undefined)?.O ?? '');
  };
  const handler = (method: string, answer: (s: MachineState, peer: string) => Promise<Buffer | Refusal>) => (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
    const peer = peerAddress(call.getPeer());
    calls.push({ method, org: org(call), peer });
    source
      .machine(peer)
      .then((s) => (s ? answer(s, peer) : unavailable))
      .then(
        (a) => (Buffer.isBuffer(a) ? cb(null, a) : cb(a)),
        (err: unknown) => cb({ code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err) }),
      );
  };
  server.addService(MACHINE_SERVICE, {
    Version: handler('Version', async (s) => versionResponse(s)),
    ServiceList: handler('ServiceList', async (s) => serviceListResponse(s)),
    EtcdMemberList: handler('EtcdMemberList', async (s) => (s.etcdMembers === undefined ? etcdDown : etcdResponse(s))),
    Disks: handler('Disks', async (s) => disksResponse(s)),
    Bootstrap: handler('Bootstrap', async (s, peer) => (await source.bootstrap(peer)) ?? Buffer.from(encodeFields([[1, encodeFields([[1, meta(s.hostname)]])]]))),
  });
  const creds = grpc.ServerCredentials.createSsl(osCa, [{ private_key: cert.key, cert_chain: cert.cert }], true);
  const port = await new Promise<number>((resolve, reject) => server.bindAsync(`${listen.host}:${listen.port}`, creds, (err, p) => (err ? reject(err) : resolve(p))));
  return { port, calls, close: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}
