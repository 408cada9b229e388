import { createHash } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { LabEvent } from '@lab/shared';
import { peerAddress } from '../directory.js';
import type { CollectorHub } from '../hub.js';
import { ProtobufError } from './protobuf.js';
import { PeerResolver } from './peers.js';
import { isStorageFull } from './limits.js';
import { decodeEventRequest, mapTalosMessage, xidTime } from './talos-events.js';

const identity = (b: Buffer) => b;

/** `events.EventSinkService/Publish`, hand-written: requests stay raw bytes for our decoder. */
export const EVENT_SINK_SERVICE: grpc.ServiceDefinition = {
  Publish: {
    path: '/events.EventSinkService/Publish',
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    // EventResponse is an empty message: zero bytes on the wire.
    responseSerialize: () => Buffer.alloc(0),
    responseDeserialize: identity,
  },
};

/** The host name a node reports, matched to the lab (a FQDN matches by its first label). */
function labHostFor(hub: CollectorHub, hostname: string): string | undefined {
  if (hub.directory.hasHost(hostname)) return hostname;
  const first = hostname.split('.')[0] ?? '';
  return hub.directory.hasHost(first) ? first : undefined;
}

/** Addresses of one AddressEvent that are learned; the rest are ignored. */
const MAX_LISTED = 16;

function unverifiedClaim(event: Omit<LabEvent, 'host'>, host: string, address: string): LabEvent {
  const listed = Array.isArray(event.attrs.addresses) ? event.attrs.addresses.length : 0;
  return {
    id: `${event.id}.unverified`,
    host,
    source: 'talos',
    kind: 'talos.unverified-peer',
    time: event.time,
    attrs: { peer: address, claimed: host, addresses: listed, reason: `an AddressEvent from ${address} names ${host}, which the lab does not place at that address (nor did our PXE service lease it): ignored` },
  };
}

/** Handles one Publish request; exported for tests that bypass the network. */
export function handlePublish(hub: CollectorHub, peers: PeerResolver, peer: string, request: Buffer): void {
  const req = decodeEventRequest(request);
  const mapped = mapTalosMessage(req.type, req.payload);
  const address = peerAddress(peer);
  const idPart = /^[A-Za-z0-9._:-]{1,100}$/.test(req.id) ? req.id : createHash('sha256').update(address).update(request).digest('hex').slice(0, 32);
  const event: Omit<LabEvent, 'host'> = {
    id: `talos.${idPart}`,
    source: 'talos',
    kind: mapped.kind,
    time: (xidTime(req.id) ?? new Date()).toISOString(),
    attrs: { ...mapped.attrs, ...(req.actorId ? { actorId: req.actorId } : {}), peer: address },
  };
  if (mapped.hostname) {
    const host = labHostFor(hub, mapped.hostname);
    if (host && hub.directory.mayClaim(address, host)) {
      peers.learn(address, host, 'talos');
      const listed = mapped.attrs.addresses;
      // A node lists a few addresses; more is not a node (and each one costs a lookup).
      if (Array.isArray(listed)) for (const a of listed.slice(0, MAX_LISTED)) if (typeof a === 'string') peers.learn(a.split('/')[0]!, host, 'talos');
    } else if (host) {
      // A claim from an address that is not this host's: stored and shown on the host, never applied.
      hub.ingest([unverifiedClaim(event, host, address)], 'talos');
      hub.metrics.countRejected('talos-unverified-peer');
    }
  }
  const host = peers.hostOf(address);
  if (host) hub.ingest([{ ...event, host }], 'talos');
  else peers.hold(address, [event]);
}

export interface TalosSink {
  port: number;
  close(): Promise<void>;
}

/** Starts the Talos event sink (plaintext gRPC, as Talos dials it) on `host:port`. */
export async function startTalosSink(hub: CollectorHub, host: string, port: number, peers = new PeerResolver(hub)): Promise<TalosSink> {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 1024 * 1024 });
  server.addService(EVENT_SINK_SERVICE, {
    Publish: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      try {
        handlePublish(hub, peers, call.getPeer(), call.request);
        callback(null, Buffer.alloc(0));
      } catch (err) {
        if (err instanceof ProtobufError) hub.metrics.countRejected('talos-decode');
        else hub.problem(isStorageFull(err) ? 'storage-full' : 'talos-error', `collector: Talos event from ${peerAddress(call.getPeer())}: ${isStorageFull(err) ? 'the disk holding the event store is full (SQLITE_FULL); Talos retries' : (err as Error).message}`);
        const message = err instanceof ProtobufError ? `malformed EventRequest: ${err.message}` : 'could not store the event';
        callback({ code: err instanceof ProtobufError ? grpc.status.INVALID_ARGUMENT : grpc.status.UNAVAILABLE, details: message });
      }
    },
  });
  const bound = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000).unref();
      }),
  };
}
