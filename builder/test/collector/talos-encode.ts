import { encodeFields } from '../../src/collector/ingest/protobuf.js';

/**
 * Encodes Talos-shaped event-sink requests for tests and the benchmark (field numbers from
 * Talos's machine.proto and events.proto; the real Talos API cannot run here).
 */
const STAGES = { BOOTING: 1, INSTALLING: 2, MAINTENANCE: 3, RUNNING: 4, REBOOTING: 5, SHUTTING_DOWN: 6, RESETTING: 7, UPGRADING: 8 } as const;
const SEQUENCE_ACTIONS = { NOOP: 0, START: 1, STOP: 2 } as const;
/** common.Code: FATAL 0, LOCKED 1, CANCELED 2. */
const CODES = { FATAL: 0, LOCKED: 1, CANCELED: 2 } as const;

function any(type: string, value: Uint8Array): Uint8Array {
  return encodeFields([
    [1, `type.googleapis.com/machine.${type}`],
    [2, value],
  ]);
}

export function eventRequest(id: string, type: string, payload: Uint8Array, actorId?: string): Buffer {
  return Buffer.from(encodeFields([[1, any(type, payload)], [2, id], [3, actorId]]));
}

export function machineStatus(stage: keyof typeof STAGES, ready: boolean, unmet: { name: string; reason: string }[] = []): Uint8Array {
  const status = encodeFields([[1, ready], ...unmet.map((u) => [2, encodeFields([[1, u.name], [2, u.reason]])] as [number, Uint8Array])]);
  return encodeFields([[1, STAGES[stage]], [2, status]]);
}

export function addressEvent(hostname: string, addresses: string[]): Uint8Array {
  return encodeFields([[1, hostname], ...addresses.map((a) => [2, a] as [number, string])]);
}

export function sequenceEvent(sequence: string, action: keyof typeof SEQUENCE_ACTIONS, error?: string, code: keyof typeof CODES = 'FATAL'): Uint8Array {
  // proto3 omits a zero enum value: FATAL (0) and NOOP (0) are absent on the wire, as Talos sends them.
  return encodeFields([[1, sequence], [2, SEQUENCE_ACTIONS[action] || undefined], [3, error ? encodeFields([[1, CODES[code] || undefined], [2, error]]) : undefined]]);
}

/** PhaseEvent{phase=1, action=2 (START 0, STOP 1)}. */
export function phaseEvent(phase: string, action: 'START' | 'STOP'): Uint8Array {
  return encodeFields([[1, phase], [2, action === 'STOP' ? 1 : undefined]]);
}

/** TaskEvent{task=1, action=2 (START 0, STOP 1)}. */
export function taskEvent(task: string, action: 'START' | 'STOP'): Uint8Array {
  return encodeFields([[1, task], [2, action === 'STOP' ? 1 : undefined]]);
}

/** RestartEvent{cmd=1}: unix.LINUX_REBOOT_CMD_KEXEC (0x45584543) after an install with kexec. */
export function restartEvent(cmd = 0x45584543): Uint8Array {
  return encodeFields([[1, cmd]]);
}

export function serviceStateEvent(service: string, action: number, message: string, healthy?: boolean): Uint8Array {
  return encodeFields([[1, service], [2, action], [3, message], [4, healthy === undefined ? undefined : encodeFields([[2, healthy]])]]);
}

export function configLoadError(error: string): Uint8Array {
  return encodeFields([[1, error]]);
}

const XID = '0123456789abcdefghijklmnopqrstuv';
let counter = 0;
/** An rs/xid-shaped id (base32hex of 4 time bytes + 8 more) carrying `when`. */
export function xid(when = new Date()): string {
  counter += 1;
  const bytes = Buffer.alloc(12);
  bytes.writeUInt32BE(Math.floor(when.getTime() / 1000), 0);
  bytes.writeUInt32BE(process.pid & 0xffffffff, 4);
  bytes.writeUInt32BE(counter, 8);
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  bits <<= 4n; // 96 bits padded to 100
  let out = '';
  for (let i = 19; i >= 0; i--) out += XID[Number((bits >> BigInt(i * 5)) & 31n)];
  return out;
}
