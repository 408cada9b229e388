import net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { EVENT_SINK_SERVICE } from '../../builder/src/collector/ingest/talos-grpc.js';
import { eventRequest, xid } from '../../builder/test/collector/talos-encode.js';
import type { TalosMessage } from './talos-trace.js';

/**
 * The senders of a Genesis replay, each a real client of the collector: a grpc-js client calling
 * events.EventSinkService/Publish (plaintext, as Talos dials its sink), a TCP kernel-log stream
 * of JSON lines, and HTTP POSTs (the agent's events, Harvester's installer webhooks).
 *
 * Talos nodes are told apart by their source address only (the sink gets no node id), so each
 * node sends from its own loopback address (127.0.0.11, .12, …): its gRPC client dials a local
 * relay that opens the connection to the sink from that address.
 */

const SinkClient = grpc.makeGenericClientConstructor(EVENT_SINK_SERVICE, 'EventSinkService');

export class TalosNode {
  private relay?: net.Server;
  private client?: grpc.Client;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    readonly source: string,
    private readonly sinkPort: number,
    private readonly kmsgPort: number,
  ) {}

  private async connect(): Promise<grpc.Client> {
    if (this.client) return this.client;
    this.relay = net.createServer((inbound) => {
      const out = net.connect({ host: '127.0.0.1', port: this.sinkPort, localAddress: this.source });
      this.sockets.add(inbound).add(out);
      inbound.pipe(out).pipe(inbound);
      const end = () => (inbound.destroy(), out.destroy());
      inbound.on('error', end).on('close', end);
      out.on('error', end).on('close', end);
    });
    await new Promise<void>((resolve) => this.relay!.listen(0, '127.0.0.1', resolve));
    const port = (this.relay.address() as net.AddressInfo).port;
    this.client = new SinkClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return this.client;
  }

  /** Publishes each message in order, one unary call each, with an rs/xid id. */
  async publish(messages: readonly TalosMessage[]): Promise<void> {
    const client = await this.connect();
    for (const msg of messages) {
      await new Promise<void>((resolve, reject) =>
        (client as unknown as { Publish: (r: Buffer, cb: (e: grpc.ServiceError | null) => void) => void }).Publish(eventRequest(xid(), msg.type, msg.payload), (err) => (err ? reject(err) : resolve())),
      );
    }
  }

  /** A kexec reboot: the node's connection drops; the disk system dials again. */
  reconnect(): void {
    this.client?.close();
    this.client = undefined;
    this.relay?.close();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /** Kernel log lines as Talos's KmsgLogConfig sends them: one JSON object per line over TCP. */
  async kmsg(lines: { msg: string; priority: number }[]): Promise<void> {
    const sock = net.connect({ host: '127.0.0.1', port: this.kmsgPort, localAddress: this.source });
    await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject));
    let seq = 0;
    for (const l of lines) sock.write(`${JSON.stringify({ clock: 1000 + seq, facility: 'kern', msg: l.msg, priority: l.priority, seq: seq++, 'talos-level': l.priority <= 3 ? 'error' : 'info', 'talos-time': new Date().toISOString() })}\n`);
    await new Promise<void>((resolve) => sock.end(resolve));
  }

  close(): void {
    this.reconnect();
  }
}

export async function postEvents(base: string, token: string, events: unknown[]): Promise<void> {
  const res = await fetch(`${base}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
  if (!res.ok) throw new Error(`POST /v1/events: ${res.status} ${await res.text()}`);
}

/** Harvester's installer webhook as render writes it: `?host=&event=` in the URL, the template payload (empty MAC and IP with static addressing). */
export async function harvesterWebhook(base: string, token: string, host: string, event: 'STARTED' | 'SUCCEEDED' | 'FAILED'): Promise<void> {
  const res = await fetch(`${base}/v1/webhooks/harvester?host=${host}&event=${event}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ event, hostname: host, mac: '', ip: '' }) });
  if (!res.ok) throw new Error(`webhook ${event}: ${res.status} ${await res.text()}`);
}
