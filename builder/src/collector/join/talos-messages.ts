import { bool, bytes, encodeFields, messages, readFields, str, strs, type WireValue } from '../ingest/protobuf.js';

/**
 * The few machine API messages the collector reads, decoded by field number. Numbers from
 * Talos v1.12.0 `api/machine/machine.proto` and `api/common/common.proto`:
 *   VersionResponse{messages=1 Version{metadata=1, version=2 VersionInfo{tag=1, sha=2, arch=6}, platform=3 PlatformInfo{name=1, mode=2}}}
 *   ServiceListResponse{messages=1 ServiceList{metadata=1, services=2 ServiceInfo{id=1, state=2,
 *     events=3 ServiceEvents{events=1 ServiceEvent{msg=1, state=2}}, health=4 ServiceHealth{unknown=1, healthy=2, last_message=3}}}}
 *   EtcdMemberListRequest{query_local=1}; EtcdMemberListResponse{messages=1 EtcdMembers{metadata=1,
 *     legacy_members=2, members=3 EtcdMember{id=2, hostname=3, peer_urls=4, client_urls=5, is_learner=6}}}
 *   BootstrapRequest{recover_etcd=1, recover_skip_hash_check=2}; BootstrapResponse{messages=1 Bootstrap{metadata=1}}
 *   common.Metadata{hostname=1, error=2}
 * and from `api/storage/storage.proto`:
 *   DisksResponse{messages=1 Disks{metadata=1, disks=2 Disk{size=1, model=2, device_name=3, name=4,
 *     serial=5, wwid=8, type=9 (UNKNOWN 0, SSD 1, HDD 2, NVME 3, SD 4, CD 5), system_disk=11}}}
 * Every *Response wraps one message per node that apid answered for; a direct call answers for one.
 */

type Fields = Map<number, WireValue[]>;

export interface NodeMeta {
  hostname: string;
  /** Set when apid could not reach the node it proxied to. */
  error: string;
}

function meta(f: Fields): NodeMeta {
  const m = bytes(f, 1);
  const mf = m ? readFields(m) : new Map();
  return { hostname: str(mf, 1), error: str(mf, 2) };
}

export interface TalosVersion extends NodeMeta {
  tag: string;
  sha: string;
  arch: string;
  platform: string;
  mode: string;
}

export function decodeVersionResponse(buf: Uint8Array): TalosVersion[] {
  return messages(readFields(buf), 1).map((m) => {
    const f = readFields(m);
    const v = bytes(f, 2);
    const vf = v ? readFields(v) : new Map();
    const p = bytes(f, 3);
    const pf = p ? readFields(p) : new Map();
    return { ...meta(f), tag: str(vf, 1), sha: str(vf, 2), arch: str(vf, 6), platform: str(pf, 1), mode: str(pf, 2) };
  });
}

export interface TalosService {
  id: string;
  /** Talos's service state name, e.g. Running, Preparing, Waiting, Finished, Failed. */
  state: string;
  healthy: boolean;
  healthUnknown: boolean;
  healthMessage: string;
  /** The latest message in the service's event history. */
  lastMessage: string;
}

export interface TalosServiceList extends NodeMeta {
  services: TalosService[];
}

export function decodeServiceListResponse(buf: Uint8Array): TalosServiceList[] {
  return messages(readFields(buf), 1).map((m) => {
    const f = readFields(m);
    const services = messages(f, 2).map((s): TalosService => {
      const sf = readFields(s);
      const h = bytes(sf, 4);
      const hf = h ? readFields(h) : new Map();
      const ev = bytes(sf, 3);
      const history = ev ? messages(readFields(ev), 1) : [];
      const last = history.at(-1);
      return {
        id: str(sf, 1),
        state: str(sf, 2),
        healthy: bool(hf, 2),
        healthUnknown: h ? bool(hf, 1) : true,
        healthMessage: str(hf, 3),
        lastMessage: last ? str(readFields(last), 1) : '',
      };
    });
    return { ...meta(f), services };
  });
}

export interface TalosEtcdMember {
  id: string;
  hostname: string;
  peerUrls: string[];
  clientUrls: string[];
  learner: boolean;
}

export interface TalosEtcdMembers extends NodeMeta {
  members: TalosEtcdMember[];
}

export function encodeEtcdMemberListRequest(queryLocal: boolean): Uint8Array {
  return encodeFields([[1, queryLocal || undefined]]);
}

function uint64(f: Fields, n: number): string {
  const v = f.get(n)?.at(-1);
  return v && v.wire === 0 ? v.value.toString(16) : '';
}

export function decodeEtcdMemberListResponse(buf: Uint8Array): TalosEtcdMembers[] {
  return messages(readFields(buf), 1).map((m) => {
    const f = readFields(m);
    const members = messages(f, 3).map((x) => {
      const xf = readFields(x);
      return { id: uint64(xf, 2), hostname: str(xf, 3), peerUrls: strs(xf, 4), clientUrls: strs(xf, 5), learner: bool(xf, 6) };
    });
    return { ...meta(f), members };
  });
}

export function decodeBootstrapResponse(buf: Uint8Array): NodeMeta[] {
  return messages(readFields(buf), 1).map((m) => meta(readFields(m)));
}


export interface TalosDisk {
  device: string;
  size: number;
  model: string;
  serial: string;
  wwid: string;
  type: string;
  system: boolean;
}

const DISK_TYPES = ['unknown', 'ssd', 'hdd', 'nvme', 'sd', 'cd'];

export function decodeDisksResponse(buf: Uint8Array): (NodeMeta & { disks: TalosDisk[] })[] {
  return messages(readFields(buf), 1).map((m) => {
    const f = readFields(m);
    const disks = messages(f, 2).map((d) => {
      const df = readFields(d);
      const size = df.get(1)?.at(-1);
      const type = df.get(9)?.at(-1);
      return {
        device: str(df, 3),
        size: size && size.wire === 0 ? Number(size.value) : 0,
        model: str(df, 2),
        serial: str(df, 5),
        wwid: str(df, 8),
        type: DISK_TYPES[type && type.wire === 0 ? Number(type.value) : 0] ?? 'unknown',
        system: bool(df, 11),
      };
    });
    return { ...meta(f), disks };
  });
}
