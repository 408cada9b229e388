import * as grpc from '@grpc/grpc-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeEventRequest, mapTalosMessage, xidTime } from '../../src/collector/ingest/talos-events.js';
import { EVENT_SINK_SERVICE, startTalosSink, type TalosSink } from '../../src/collector/ingest/talos-grpc.js';
import { PeerResolver } from '../../src/collector/ingest/peers.js';
import { readFields } from '../../src/collector/ingest/protobuf.js';
import { collectorFixture, leaseLoopback } from './helpers.js';
import { addressEvent, configLoadError, eventRequest, machineStatus, restartEvent, sequenceEvent, serviceStateEvent, xid } from './talos-encode.js';

type Fixture = ReturnType<typeof collectorFixture>;

// A real grpc-js client calling the sink over loopback, as Talos would (plaintext, unary
// Publish). Talos itself cannot run here; the requests are encoded with Talos's field numbers.
const Client = grpc.makeGenericClientConstructor(EVENT_SINK_SERVICE, 'EventSinkService');

function publish(client: grpc.Client, request: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    (client as unknown as { Publish: (r: Buffer, cb: (err: grpc.ServiceError | null) => void) => void }).Publish(request, (err) => (err ? reject(err) : resolve()));
  });
}

describe('Talos event sink (gRPC)', () => {
  let f: Fixture;
  let sink: TalosSink;
  let client: grpc.Client;
  beforeEach(async () => {
    f = collectorFixture();
    sink = await startTalosSink(f.hub, '127.0.0.1', 0, new PeerResolver(f.hub));
    client = new Client(`127.0.0.1:${sink.port}`, grpc.credentials.createInsecure());
  });
  afterEach(async () => {
    client.close();
    await sink.close();
    await f.close();
  });

  const stageOf = (host: string) => f.hub.status().hosts.find((h) => h.name === host)?.stage;
  const talosCount = () => f.store.list({ limit: 1000 }).filter((e) => e.source === 'talos').length;

  it('learns the node from AddressEvent, stores what came before it, and follows its stage', async () => {
    leaseLoopback(f.hub, 'cp-2');
    // Before the node names itself its events wait: the sink knows it only by 127.0.0.1.
    await publish(client, eventRequest(xid(), 'MachineStatusEvent', machineStatus('BOOTING', false)));
    expect(talosCount()).toBe(0);
    await publish(client, eventRequest(xid(), 'AddressEvent', addressEvent('cp-2', ['10.10.30.11/24'])));
    expect(talosCount()).toBe(2);
    expect(stageOf('cp-2')).toBe('booted');
    await publish(client, eventRequest(xid(), 'MachineStatusEvent', machineStatus('INSTALLING', true)));
    expect(stageOf('cp-2')).toBe('installing');
    await publish(client, eventRequest(xid(), 'RestartEvent', restartEvent()));
    await publish(client, eventRequest(xid(), 'SequenceEvent', sequenceEvent('install', 'STOP')));
    await publish(client, eventRequest(xid(), 'SequenceEvent', sequenceEvent('install', 'NOOP', 'sequence failed: error running phase 8 in install sequence: unix.Reboot(45584543)')));
    expect(stageOf('cp-2')).toBe('rebooting');
    await publish(client, eventRequest(xid(), 'MachineStatusEvent', machineStatus('RUNNING', false, [{ name: 'nodeReady', reason: 'node "cp-2" is not ready' }])));
    expect(stageOf('cp-2')).toBe('installed');
    expect(f.hub.status().hosts.find((h) => h.name === 'cp-2')?.unmet).toEqual([{ name: 'nodeReady', reason: 'node "cp-2" is not ready' }]);
    // The learned peer survives a restart of the collector.
    expect(f.store.peers().get('127.0.0.1')).toBe('cp-2');
  });

  it('stores a retried Publish (same id) once', async () => {
    leaseLoopback(f.hub, 'cp-3');
    await publish(client, eventRequest(xid(), 'AddressEvent', addressEvent('cp-3', [])));
    const id = xid();
    const req = eventRequest(id, 'ServiceStateEvent', serviceStateEvent('apid', 3, 'Health check successful', true));
    await publish(client, req);
    await publish(client, req);
    const stored = f.store.list({ limit: 10 }).filter((e) => e.kind === 'talos.service');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ id: `talos.${id}`, host: 'cp-3', attrs: { service: 'apid', action: 'RUNNING', healthy: true } });
  });

  it('marks a configuration error as failed with its message', async () => {
    leaseLoopback(f.hub, 'cp-2');
    await publish(client, eventRequest(xid(), 'AddressEvent', addressEvent('cp-2.lab.gilman.io', [])));
    await publish(client, eventRequest(xid(), 'ConfigLoadErrorEvent', configLoadError('unknown keys found during decoding')));
    const h = f.hub.status().hosts.find((x) => x.name === 'cp-2');
    expect(h?.stage).toBe('failed');
    expect(h?.problem?.reason).toContain('unknown keys found during decoding');
  });

  it('answers a malformed request with INVALID_ARGUMENT and keeps serving', async () => {
    await expect(publish(client, Buffer.from([0x0a, 0xff, 0xff, 0x01]))).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    leaseLoopback(f.hub, 'cp-2');
    await publish(client, eventRequest(xid(), 'AddressEvent', addressEvent('cp-2', [])));
    expect(talosCount()).toBe(1);
  });
});

describe('Talos message decoding', () => {
  it('decodes EventRequest and MachineStatusEvent fields by number', () => {
    const id = xid(new Date('2026-03-01T12:00:00Z'));
    const req = decodeEventRequest(eventRequest(id, 'MachineStatusEvent', machineStatus('BOOTING', false, [{ name: 'nodeReady', reason: 'node not ready' }]), 'actor-1'));
    expect(req).toMatchObject({ id, actorId: 'actor-1', type: 'MachineStatusEvent', typeUrl: 'type.googleapis.com/machine.MachineStatusEvent' });
    expect(mapTalosMessage(req.type, req.payload)).toEqual({ kind: 'talos.stage', attrs: { stage: 'BOOTING', ready: false, unmet: [{ name: 'nodeReady', reason: 'node not ready' }] } });
    expect(xidTime(id)?.toISOString()).toBe('2026-03-01T12:00:00.000Z');
  });

  it('skips unknown fields (newer Talos versions add some)', () => {
    const extra = Buffer.concat([Buffer.from(machineStatus('RUNNING', true)), Buffer.from([0x78, 0x01])]);
    expect(mapTalosMessage('MachineStatusEvent', extra).attrs.stage).toBe('RUNNING');
    expect(readFields(extra).get(15)).toBeDefined();
  });

  it('maps a sequence error to its message and code', () => {
    expect(mapTalosMessage('SequenceEvent', sequenceEvent('boot', 'STOP', 'mount failed')).attrs).toEqual({ sequence: 'boot', action: 'STOP', error: 'mount failed', errorCode: 'FATAL' });
    expect(mapTalosMessage('SequenceEvent', sequenceEvent('upgrade', 'NOOP', 'sequence not started: locked', 'LOCKED')).attrs).toMatchObject({ action: 'NOOP', errorCode: 'LOCKED' });
  });

  it('reads the FATAL NOOP that ends an install (unix.Reboot) as a reboot, not an error', () => {
    // v1alpha1_controller.go publishes the reboot phase's runtime.RebootError this way.
    const m = mapTalosMessage('SequenceEvent', sequenceEvent('install', 'NOOP', 'sequence failed: error running phase 8 in install sequence: unix.Reboot(45584543)'));
    expect(m.attrs).toEqual({ sequence: 'install', action: 'NOOP', errorCode: 'FATAL', reboot: 'sequence failed: error running phase 8 in install sequence: unix.Reboot(45584543)' });
    expect(m.attrs.error).toBeUndefined();
  });

  it('names ServiceStateEvent STARTING (8) and RestartEvent kexec', () => {
    expect(mapTalosMessage('ServiceStateEvent', serviceStateEvent('etcd', 8, 'Starting service')).attrs.action).toBe('STARTING');
    expect(mapTalosMessage('RestartEvent', restartEvent()).attrs).toEqual({ cmd: 0x45584543, how: 'kexec' });
  });
});
