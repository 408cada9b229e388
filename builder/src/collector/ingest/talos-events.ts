import { bool, bytes, messages, readFields, str, strs, uint } from './protobuf.js';

/**
 * Talos's event sink messages, decoded by hand. Field numbers from Talos's
 * api/machine/machine.proto and the sink's events.proto (EventRequest: data=1 Any, id=2,
 * actor_id=3; Any: type_url=1, value=2).
 */

export interface TalosRequest {
  /** An rs/xid string; Talos retries a failed Publish with the same id. */
  id: string;
  actorId: string;
  /** The message name after `type.googleapis.com/machine.`, such as MachineStatusEvent. */
  type: string;
  typeUrl: string;
  payload: Uint8Array;
}

export function decodeEventRequest(buf: Uint8Array): TalosRequest {
  const f = readFields(buf);
  const any = bytes(f, 1);
  const a = any ? readFields(any) : new Map();
  const typeUrl = str(a, 1);
  const slash = typeUrl.lastIndexOf('/');
  const full = slash >= 0 ? typeUrl.slice(slash + 1) : typeUrl;
  const type = full.startsWith('machine.') ? full.slice('machine.'.length) : full;
  return { id: str(f, 2), actorId: str(f, 3), type, typeUrl, payload: bytes(a, 2) ?? new Uint8Array() };
}

const MACHINE_STAGES = ['UNKNOWN', 'BOOTING', 'INSTALLING', 'MAINTENANCE', 'RUNNING', 'REBOOTING', 'SHUTTING_DOWN', 'RESETTING', 'UPGRADING'];
const SEQUENCE_ACTIONS = ['NOOP', 'START', 'STOP'];
const START_STOP = ['START', 'STOP'];
const SERVICE_ACTIONS = ['INITIALIZED', 'PREPARING', 'WAITING', 'RUNNING', 'STOPPING', 'FINISHED', 'FAILED', 'SKIPPED', 'STARTING'];
/** common.Code (api/common/common.proto): FATAL is 0, so an Error without a code is FATAL. */
const ERROR_CODES = ['FATAL', 'LOCKED', 'CANCELED'];
/**
 * runtime.RebootError's text (internal/app/machined/pkg/runtime/errors.go): the sequencer's
 * reboot phase returns it on purpose, and the controller publishes it as a FATAL NOOP
 * SequenceEvent ("sequence failed: … unix.Reboot(…)") — machine_status.go reads that as rebooting.
 */
const REBOOT_ERROR = /unix\.Reboot\(/;

const RESTART_CMDS: Record<number, string> = { 0x45584543: 'kexec', 0x1234567: 'restart', 0x4321fedc: 'power-off', 0xcdef0123: 'halt' };

const name = (list: string[], n: number) => list[n] ?? `UNKNOWN_${n}`;

/** Our event kind and attributes for one decoded Talos message. */
export interface TalosMapped {
  kind: string;
  attrs: Record<string, unknown>;
  /** AddressEvent: the hostname the node reports (how a sink learns who is calling). */
  hostname?: string;
}

export function mapTalosMessage(type: string, payload: Uint8Array): TalosMapped {
  const f = readFields(payload);
  switch (type) {
    case 'MachineStatusEvent': {
      const status = bytes(f, 2);
      const s = status ? readFields(status) : new Map();
      const unmet = messages(s, 2).map((m) => {
        const u = readFields(m);
        return { name: str(u, 1), reason: str(u, 2) };
      });
      return { kind: 'talos.stage', attrs: { stage: name(MACHINE_STAGES, uint(f, 1)), ready: bool(s, 1), unmet } };
    }
    case 'SequenceEvent': {
      const attrs: Record<string, unknown> = { sequence: str(f, 1), action: name(SEQUENCE_ACTIONS, uint(f, 2)) };
      const err = bytes(f, 3);
      if (err) {
        // common.Error: code=1, message=2.
        const e = readFields(err);
        const message = str(e, 2) || `error code ${uint(e, 1)}`;
        attrs.errorCode = name(ERROR_CODES, uint(e, 1));
        if (REBOOT_ERROR.test(message)) attrs.reboot = message;
        else attrs.error = message;
      }
      return { kind: 'talos.sequence', attrs };
    }
    case 'PhaseEvent':
      return { kind: 'talos.phase', attrs: { phase: str(f, 1), action: name(START_STOP, uint(f, 2)) } };
    case 'TaskEvent':
      return { kind: 'talos.task', attrs: { task: str(f, 1), action: name(START_STOP, uint(f, 2)) } };
    case 'ServiceStateEvent': {
      const attrs: Record<string, unknown> = { service: str(f, 1), action: name(SERVICE_ACTIONS, uint(f, 2)), message: str(f, 3) };
      const health = bytes(f, 4);
      if (health) {
        // ServiceHealth: unknown=1, healthy=2, last_message=3.
        const h = readFields(health);
        attrs.healthUnknown = bool(h, 1);
        attrs.healthy = bool(h, 2);
        attrs.healthMessage = str(h, 3);
      }
      return { kind: 'talos.service', attrs };
    }
    case 'ConfigLoadErrorEvent':
      return { kind: 'talos.config-error', attrs: { error: str(f, 1) } };
    case 'ConfigValidationErrorEvent':
      return { kind: 'talos.config-error', attrs: { error: str(f, 1), validation: true } };
    case 'AddressEvent': {
      const hostname = str(f, 1);
      return { kind: 'talos.address', attrs: { hostname, addresses: strs(f, 2) }, hostname };
    }
    case 'RestartEvent':
      // cmd is unix.LINUX_REBOOT_CMD_*: KEXEC 0x45584543 after an install, RESTART 0x1234567 otherwise.
      return { kind: 'talos.restart', attrs: { cmd: uint(f, 1), how: RESTART_CMDS[uint(f, 1)] ?? 'other' } };
    default:
      return { kind: 'talos.other', attrs: { type } };
  }
}

const XID_ALPHABET = '0123456789abcdefghijklmnopqrstuv';

/** The creation time inside an rs/xid (base32hex, first 4 bytes = Unix seconds), if it is one. */
export function xidTime(id: string): Date | undefined {
  if (!/^[0-9a-v]{20}$/.test(id)) return undefined;
  // 20 chars × 5 bits = 100 bits; the first 32 bits are the timestamp.
  let bits = 0n;
  for (const c of id) bits = (bits << 5n) | BigInt(XID_ALPHABET.indexOf(c));
  const seconds = Number(bits >> 68n);
  return seconds > 0 ? new Date(seconds * 1000) : undefined;
}
