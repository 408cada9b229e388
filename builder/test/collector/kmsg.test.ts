import net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kmsgLineToEvent, startKmsgListener, type KmsgListener } from '../../src/collector/ingest/kmsg.js';
import { PeerResolver } from '../../src/collector/ingest/peers.js';
import { EVENT_SINK_SERVICE, startTalosSink, type TalosSink } from '../../src/collector/ingest/talos-grpc.js';
import { collectorFixture, leaseLoopback } from './helpers.js';
import { addressEvent, eventRequest, xid } from './talos-encode.js';
import { until } from '../../../test/fixtures/wait.js';

type Fixture = ReturnType<typeof collectorFixture>;

function send(port: number, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.end(text));
    s.on('close', () => resolve());
    s.on('error', reject);
  });
}


const line = (seq: number, msg: string) => JSON.stringify({ clock: 1000 + seq, facility: 'kern', msg, priority: 6, seq, 'talos-level': 'info', 'talos-time': '2026-01-01T10:00:00.000Z' });

describe('kernel log listener (JSON lines over TCP)', () => {
  let f: Fixture;
  let kmsg: KmsgListener;
  let sink: TalosSink;
  beforeEach(async () => {
    f = collectorFixture();
    const peers = new PeerResolver(f.hub);
    kmsg = await startKmsgListener(f.hub, '127.0.0.1', 0, peers);
    sink = await startTalosSink(f.hub, '127.0.0.1', 0, peers);
  });
  afterEach(async () => {
    await kmsg.close();
    await sink.close();
    await f.close();
  });

  it('holds lines from an unknown peer until the Talos sink names it, then stores them once', async () => {
    leaseLoopback(f.hub, 'cp-3');
    await send(kmsg.port, `${line(1, 'Linux version 6.12')}\n${line(2, 'Command line: talos.platform=metal')}\nnot json\n`);
    await until('the condition', () => f.hub.metrics.render(f.hub.status(), 0).includes('kmsg-not-json'));
    expect(f.store.list({ limit: 100 }).filter((e) => e.source === 'kmsg')).toHaveLength(0);
    const client = new (grpc.makeGenericClientConstructor(EVENT_SINK_SERVICE, 'EventSinkService'))(`127.0.0.1:${sink.port}`, grpc.credentials.createInsecure());
    await new Promise<void>((resolve, reject) =>
      (client as unknown as { Publish: (r: Buffer, cb: (e: Error | null) => void) => void }).Publish(eventRequest(xid(), 'AddressEvent', addressEvent('cp-3', [])), (e) => (e ? reject(e) : resolve())),
    );
    client.close();
    const kernel = f.store.list({ host: 'cp-3', limit: 10 }).filter((e) => e.kind === 'kmsg');
    expect(kernel.map((e) => e.attrs.msg)).toEqual(['Linux version 6.12', 'Command line: talos.platform=metal']);
    expect(f.hub.status().hosts.find((h) => h.name === 'cp-3')?.stage).toBe('booted');
    // Now known: new lines go straight in; a line sent twice (same seq and time) is stored once.
    await send(kmsg.port, `${line(3, 'eth0: link up')}\n${line(3, 'eth0: link up')}\n`);
    await until('the condition', () => f.store.list({ host: 'cp-3', limit: 10 }).filter((e) => e.kind === 'kmsg').length === 3);
  });

  it('closes a connection that sends an endless line and keeps listening', async () => {
    const big = 'x'.repeat(200 * 1024);
    // The server resets the connection mid-send; that is the behaviour under test.
    await send(kmsg.port, big).catch((err: NodeJS.ErrnoException) => expect(err.code).toMatch(/ECONNRESET|EPIPE/));
    expect(f.hub.metrics.render(f.hub.status(), 0)).toContain('collector_requests_rejected_total{reason="kmsg-line-too-long"} 1');
    f.hub.directory.learn('127.0.0.1', 'cp-2');
    await send(kmsg.port, `${line(1, 'after')}\n`);
    await until('the condition', () => f.store.count() === 1);
  });

  it('turns service log lines into log events', () => {
    const e = kmsgLineToEvent(JSON.stringify({ msg: 'started', 'talos-level': 'info', 'talos-service': 'machined', 'talos-time': '2026-01-01T10:00:01Z' }), '10.10.30.11');
    expect(e).toMatchObject({ kind: 'log', source: 'kmsg', attrs: { msg: 'started', service: 'machined' } });
    expect(kmsgLineToEvent('[1,2]', 'x')).toBeUndefined();
  });
});
