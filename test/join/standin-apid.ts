import * as grpc from '@grpc/grpc-js';
import { encodeFields } from '../../builder/src/collector/ingest/protobuf.js';
import { MACHINE_SERVICE } from '../../builder/src/collector/join/talos-api.js';
import type { ServerCert } from './lab-credentials.js';

/**
 * A stand-in for Talos's apid on loopback: grpc-js with mutual TLS (server certificate from the
 * lab's OS CA; client certificates required and checked against the same CA, as apid does),
 * answering machine.MachineService/{Version,ServiceList,EtcdMemberList,Bootstrap} and
 * storage.StorageService/Disks in Talos's wire format, encoded from the field numbers of Talos
 * v1.12.0 api/machine/machine.proto and api/storage/storage.proto.
 * Not modelled: apid's proxying to other nodes (`nodes` metadata), RBAC roles (os:admin is
 * assumed), and every other method (they answer UNIMPLEMENTED).
 */

export interface ApidState {
  hostname: string;
  version: string;
  services: { id: string; state: string; healthy?: boolean; unknown?: boolean; message?: string; events?: string[] }[];
  /** undefined: etcd is not running (EtcdMemberList fails as Talos's does before bootstrap). */
  etcdMembers?: string[];
  bootstrapCalls: number;
  /** The node is not up (or apid not started): every call fails UNAVAILABLE. */
  down?: boolean;
  disks?: { device: string; size: number; model: string; serial: string; type: 'ssd' | 'hdd' | 'nvme' | 'sd'; system?: boolean }[];
  /** What Bootstrap does to the state (the etcd service starts). */
  onBootstrap?: (s: ApidState) => void;
}

const meta = (hostname: string) => encodeFields([[1, hostname]]);

function versionResponse(s: ApidState): Buffer {
  const info = encodeFields([[1, s.version], [2, 'abc123'], [6, 'amd64']]);
  const platform = encodeFields([[1, 'metal'], [2, 'metal']]);
  return Buffer.from(encodeFields([[1, encodeFields([[1, meta(s.hostname)], [2, info], [3, platform]])]]));
}

function serviceListResponse(s: ApidState): Buffer {
  const services = s.services.map((svc) => {
    const events = encodeFields((svc.events ?? []).map((msg): [number, Uint8Array] => [1, encodeFields([[1, msg], [2, svc.state]])]));
    const health = encodeFields([[1, svc.unknown ?? false], [2, svc.healthy ?? false], [3, svc.message]]);
    return encodeFields([[1, svc.id], [2, svc.state], [3, events], [4, health]]);
  });
  const list = encodeFields([[1, meta(s.hostname)], ...services.map((b): [number, Uint8Array] => [2, b])]);
  return Buffer.from(encodeFields([[1, list]]));
}

function etcdResponse(s: ApidState): Buffer {
  const members = (s.etcdMembers ?? []).map((h, i) => encodeFields([[2, 0x1000 + i], [3, h], [4, `https://127.0.0.1:2380`], [5, `https://127.0.0.1:2379`]]));
  const list = encodeFields([[1, meta(s.hostname)], ...members.map((b): [number, Uint8Array] => [3, b])]);
  return Buffer.from(encodeFields([[1, list]]));
}

const DISK_TYPES = { ssd: 1, hdd: 2, nvme: 3, sd: 4 } as const;

function disksResponse(s: ApidState): Buffer {
  const disks = (s.disks ?? []).map((d) => encodeFields([[1, d.size], [2, d.model], [3, d.device], [4, d.device.replace('/dev/', '')], [5, d.serial], [9, DISK_TYPES[d.type]], [11, d.system || undefined]]));
  return Buffer.from(encodeFields([[1, encodeFields([[1, meta(s.hostname)], ...disks.map((b): [number, Uint8Array] => [2, b])])]]));
}

export interface StandinApid {
  port: number;
  /** Calls seen, by method name, with the client certificate's subject organisation. */
  calls: { method: string; org: string }[];
  close(): Promise<void>;
}

export async function startStandinApid(state: ApidState, osCa: Buffer, cert: ServerCert): Promise<StandinApid> {
  const server = new grpc.Server();
  const calls: StandinApid['calls'] = [];
  const org = (call: grpc.ServerUnaryCall<Buffer, Buffer>) => {
    const c = call.getAuthContext()?.sslPeerCertificate;
    return String((c?.subject as { O?: string } | undefined)?.O ?? '');
  };
  const handler = (method: string, answer: () => Buffer | { code: grpc.status; details: string }) => (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
    calls.push({ method, org: org(call) });
    const a = state.down ? { code: grpc.status.UNAVAILABLE, details: 'connection refused' } : answer();
    if (Buffer.isBuffer(a)) cb(null, a);
    else cb(a);
  };
  server.addService(MACHINE_SERVICE, {
    Version: handler('Version', () => versionResponse(state)),
    ServiceList: handler('ServiceList', () => serviceListResponse(state)),
    EtcdMemberList: handler('EtcdMemberList', () =>
      state.etcdMembers === undefined ? { code: grpc.status.UNAVAILABLE, details: 'rpc error: code = Unavailable desc = connection error: dial tcp 127.0.0.1:2379: connect: connection refused' } : etcdResponse(state),
    ),
    Disks: handler('Disks', () => disksResponse(state)),
    Bootstrap: handler('Bootstrap', () => {
      state.bootstrapCalls += 1;
      state.onBootstrap?.(state);
      return Buffer.from(encodeFields([[1, encodeFields([[1, meta(state.hostname)]])]]));
    }),
  });
  const creds = grpc.ServerCredentials.createSsl(osCa, [{ private_key: cert.key, cert_chain: cert.cert }], true);
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', creds, (err, p) => (err ? reject(err) : resolve(p))));
  return { port, calls, close: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}
