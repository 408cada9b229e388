import { createHash } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { LabEvent } from '@lab/shared';
import { peerAddress } from '../directory.js';
import type { CollectorHub } from '../hub.js';
import { ProtobufError } from './protobuf.js';
import { PeerResolver } from './peers.js';
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
    if (host) {
      peers.learn(address, host, 'talos');
      const listed = mapped.attrs.addresses;
      if (Array.isArray(listed)) for (const a of listed) if (typeof a === 'string') peers.learn(a.split('/')[0]!, host, 'talos');
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
        hub.metrics.countRejected('talos-decode');
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
