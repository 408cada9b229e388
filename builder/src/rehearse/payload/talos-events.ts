/**
 * The demo Talos node's event stream, encoded on the host (pure): each event is one gRPC
 * message for `events.EventSinkService/Publish` — the 5-byte gRPC prefix (no compression, length)
 * and an `EventRequest { data = 1: google.protobuf.Any; id = 2 }`, the Any's type URL being
 * `type.googleapis.com/machine.<Message>` as Talos's sink client sends it (field numbers from
 * Talos v1.12 api/machine/machine.proto and api/common/common.proto; the same ones the
 * collector's decoder reads). The order is the sequencer's as DESIGN.md records it from
 * internal/app/machined/pkg/runtime/v1alpha1: an ISO boot that installs and kexecs, then the
 * boot from disk. Ids are `demo…` strings, not rs/xids, so the collector stamps receive times.
 */

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

const key = (field: number, wire: number) => varint(field * 8 + wire);
const u = (field: number, n: number) => (n === 0 ? Buffer.alloc(0) : Buffer.concat([key(field, 0), varint(n)]));
const bytes = (field: number, b: Buffer) => Buffer.concat([key(field, 2), varint(b.length), b]);
const s = (field: number, text: string) => bytes(field, Buffer.from(text));
const msg = (...parts: Buffer[]) => Buffer.concat(parts);

const STAGE = { BOOTING: 1, INSTALLING: 2, RUNNING: 4, REBOOTING: 5 } as const;
const SEQ = { NOOP: 0, START: 1, STOP: 2 } as const;
/** unix.LINUX_REBOOT_CMD_KEXEC */
const KEXEC = 0x45584543;

export interface DemoTalosEvent {
  /** machine.<type> */
  type: string;
  payload: Buffer;
  /** For the console and the tests. */
  what: string;
}

const sequence = (name: string, action: keyof typeof SEQ, error?: string): DemoTalosEvent => ({
  type: 'SequenceEvent',
  // common.Error: code = 1 (FATAL = 0), message = 2.
  payload: msg(s(1, name), u(2, SEQ[action]), ...(error ? [bytes(3, msg(s(2, error)))] : [])),
  what: `sequence ${name} ${action}${error ? ' (error)' : ''}`,
});
const stage = (st: keyof typeof STAGE, ready: boolean, unmet: { name: string; reason: string }[] = []): DemoTalosEvent => ({
  type: 'MachineStatusEvent',
  payload: msg(u(1, STAGE[st]), bytes(2, msg(u(1, ready ? 1 : 0), ...unmet.map((c) => bytes(2, msg(s(1, c.name), s(2, c.reason))))))),
  what: `stage ${st}${ready ? ' ready' : ''}`,
});
const address = (hostname: string, addresses: string[]): DemoTalosEvent => ({ type: 'AddressEvent', payload: msg(s(1, hostname), ...addresses.map((a) => s(2, a))), what: `address ${hostname}` });
const phase = (name: string, stop: boolean): DemoTalosEvent => ({ type: 'PhaseEvent', payload: msg(s(1, name), u(2, stop ? 1 : 0)), what: `phase ${name} ${stop ? 'STOP' : 'START'}` });

/** The ISO boot up to the install, which needs the install disk. */
export function isoBootEvents(hostname: string, addresses: string[]): DemoTalosEvent[] {
  return [sequence('initialize', 'START'), stage('BOOTING', false, [{ name: 'time', reason: 'time is not synced' }]), address(hostname, addresses), sequence('initialize', 'STOP'), sequence('install', 'START'), stage('INSTALLING', true), phase('install', false)];
}

/** The install found its disk: written, kexec into it (the FATAL NOOP with unix.Reboot is Talos's own way to say it reboots). */
export function installedEvents(hostname: string, addresses: string[]): DemoTalosEvent[] {
  return [
    phase('install', true),
    stage('REBOOTING', true),
    { type: 'RestartEvent', payload: msg(u(1, KEXEC)), what: 'restart kexec' },
    sequence('install', 'STOP'),
    sequence('', 'NOOP', 'sequence failed: unix.Reboot(0x45584543) failed (demo): reboot requested'),
    // The boot from disk: RUNNING but not ready while etcd waits for its Bootstrap and no CNI runs.
    sequence('initialize', 'START'),
    stage('BOOTING', false, [{ name: 'time', reason: 'time is not synced' }]),
    address(hostname, addresses),
    sequence('initialize', 'STOP'),
    sequence('boot', 'START'),
    // pkg/controllers/runtime/machine_status.go's checks: etcd waits for its Bootstrap; the kubelet has no Node yet.
    stage('RUNNING', false, [
      { name: 'services', reason: 'etcd not running' },
      { name: 'nodeReady', reason: `node "${hostname}" status is not available yet` },
    ]),
    sequence('boot', 'STOP'),
  ];
}

/** After Bootstrap: etcd runs and the kubelet registered its Node, NotReady without a CNI. */
export function registeredEvents(hostname: string): DemoTalosEvent[] {
  return [stage('RUNNING', false, [{ name: 'nodeReady', reason: `node "${hostname}" is not ready` }])];
}

/** The Node is Ready (its CNI runs): every condition is met. */
export function readyEvents(): DemoTalosEvent[] {
  return [stage('RUNNING', true)];
}

/** The install found no disk matching the selector: the install sequence fails. */
export function installFailedEvents(reason: string): DemoTalosEvent[] {
  return [phase('install', true), sequence('install', 'STOP', reason)];
}

/** The bytes curl sends as the request body: gRPC prefix + EventRequest. */
export function grpcFrame(e: DemoTalosEvent, id: string): Buffer {
  const any = msg(s(1, `type.googleapis.com/machine.${e.type}`), bytes(2, e.payload));
  const req = msg(bytes(1, any), s(2, id));
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(req.length, 1);
  return Buffer.concat([prefix, req]);
}
