import * as grpc from '@grpc/grpc-js';
import type { TalosCredentials } from './credentials.js';
import {
  decodeBootstrapResponse,
  decodeDisksResponse,
  decodeEtcdMemberListResponse,
  decodeServiceListResponse,
  decodeVersionResponse,
  encodeEtcdMemberListRequest,
  type NodeMeta,
  type TalosDisk,
  type TalosEtcdMembers,
  type TalosServiceList,
  type TalosVersion,
} from './talos-messages.js';

/** apid's port (Talos `constants.ApidPort`). */
export const APID_PORT = 50000;

const raw = (b: Buffer) => b;

/** `machine.MachineService` methods we call, with raw bytes on both sides for our own decoders. */
function method(name: string, service = 'machine.MachineService'): grpc.MethodDefinition<Buffer, Buffer> {
  return { path: `/${service}/${name}`, requestStream: false, responseStream: false, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw };
}

export const MACHINE_SERVICE = {
  Version: method('Version'),
  ServiceList: method('ServiceList'),
  EtcdMemberList: method('EtcdMemberList'),
  Bootstrap: method('Bootstrap'),
  // storage.StorageService/Disks: which disk Talos installed to (system_disk).
  Disks: method('Disks', 'storage.StorageService'),
} satisfies grpc.ServiceDefinition;

const Client = grpc.makeGenericClientConstructor(MACHINE_SERVICE, 'MachineService');

export class TalosApiError extends Error {
  constructor(
    readonly endpoint: string,
    readonly method: string,
    readonly code: grpc.status | undefined,
    message: string,
  ) {
    super(`${endpoint}: ${method}: ${message}`);
    this.name = 'TalosApiError';
  }
}

/**
 * One node's machine API over mutual TLS, with the talosconfig's CA, client certificate and key
 * (the same credentials `talosctl` uses). Calls go straight to the node's apid, so each answer
 * carries one message: the node's own.
 */
export class TalosApi {
  private readonly client: grpc.Client;
  readonly endpoint: string;

  constructor(creds: Pick<TalosCredentials, 'ca' | 'crt' | 'key'>, endpoint: string, options: { timeoutMs?: number } = {}) {
    this.endpoint = apidTarget(endpoint);
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.client = new Client(this.endpoint, grpc.credentials.createSsl(creds.ca, creds.key, creds.crt), { 'grpc.max_receive_message_length': 4 * 1024 * 1024 });
  }

  private readonly timeoutMs: number;

  private call(name: keyof typeof MACHINE_SERVICE, request: Uint8Array): Promise<Buffer> {
    const def = MACHINE_SERVICE[name];
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(def.path, raw, raw, Buffer.from(request), new grpc.Metadata(), { deadline: Date.now() + this.timeoutMs }, (err, value) => {
        if (err) reject(new TalosApiError(this.endpoint, name, err.code, err.details || err.message));
        else resolve(value ?? Buffer.alloc(0));
      });
    });
  }

  async version(): Promise<TalosVersion> {
    return first(decodeVersionResponse(await this.call('Version', new Uint8Array())), this.endpoint, 'Version');
  }

  async services(): Promise<TalosServiceList> {
    return first(decodeServiceListResponse(await this.call('ServiceList', new Uint8Array())), this.endpoint, 'ServiceList');
  }

  async etcdMembers(): Promise<TalosEtcdMembers> {
    return first(decodeEtcdMemberListResponse(await this.call('EtcdMemberList', encodeEtcdMemberListRequest(false))), this.endpoint, 'EtcdMemberList');
  }

  async disks(): Promise<TalosDisk[]> {
    return first(decodeDisksResponse(await this.call('Disks', new Uint8Array())), this.endpoint, 'Disks').disks;
  }

  /** Talos's Bootstrap: starts etcd as a new cluster on this node. Call once, on one node. */
  async bootstrap(): Promise<NodeMeta> {
    const answers = decodeBootstrapResponse(await this.call('Bootstrap', new Uint8Array()));
    return answers[0] ?? { hostname: '', error: '' };
  }

  close(): void {
    this.client.close();
  }
}

/** `host`, `host:port`, `v6` or `[v6]:port` → a gRPC target on apid's port unless one is given. */
export function apidTarget(endpoint: string): string {
  if (/^\[.+\]:\d+$/.test(endpoint) || /^[^:]+:\d+$/.test(endpoint)) return endpoint;
  return endpoint.includes(':') ? `[${endpoint}]:${APID_PORT}` : `${endpoint}:${APID_PORT}`;
}

function first<T extends NodeMeta>(list: T[], endpoint: string, method: string): T {
  const m = list[0];
  if (!m) throw new TalosApiError(endpoint, method, undefined, 'empty answer');
  if (m.error) throw new TalosApiError(endpoint, method, undefined, m.error);
  return m;
}
