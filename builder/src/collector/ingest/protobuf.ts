/**
 * A small protobuf wire-format reader and writer: enough for Talos's EventRequest and the
 * machine.* event messages (varints, length-delimited fields). Unknown fields are skipped, as
 * protobuf requires, so newer Talos versions that add fields still decode.
 */

export type WireValue = { wire: 0; value: bigint } | { wire: 2; bytes: Uint8Array } | { wire: 1 | 5; bytes: Uint8Array };

export class ProtobufError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufError';
  }
}

function readVarint(buf: Uint8Array, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new ProtobufError('truncated varint');
    const b = buf[pos++]!;
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result, pos];
    shift += 7n;
  }
  throw new ProtobufError('varint longer than 10 bytes');
}

/** Splits a message into its fields (field number → values in order). */
export function readFields(buf: Uint8Array): Map<number, WireValue[]> {
  const fields = new Map<number, WireValue[]>();
  let pos = 0;
  while (pos < buf.length) {
    const [key, p1] = readVarint(buf, pos);
    pos = p1;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field === 0) throw new ProtobufError('field number 0');
    let v: WireValue;
    if (wire === 0) {
      const [value, p2] = readVarint(buf, pos);
      pos = p2;
      v = { wire: 0, value };
    } else if (wire === 2) {
      const [len, p2] = readVarint(buf, pos);
      const end = p2 + Number(len);
      if (len > BigInt(buf.length) || end > buf.length) throw new ProtobufError(`field ${field}: length ${len} runs past the end`);
      v = { wire: 2, bytes: buf.subarray(p2, end) };
      pos = end;
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      if (pos + size > buf.length) throw new ProtobufError(`field ${field}: truncated fixed value`);
      v = { wire, bytes: buf.subarray(pos, pos + size) };
      pos += size;
    } else {
      throw new ProtobufError(`field ${field}: unsupported wire type ${wire}`);
    }
    const list = fields.get(field);
    if (list) list.push(v);
    else fields.set(field, [v]);
  }
  return fields;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

export function str(fields: Map<number, WireValue[]>, n: number): string {
  const v = fields.get(n)?.at(-1);
  return v && v.wire === 2 ? utf8.decode(v.bytes) : '';
}

export function strs(fields: Map<number, WireValue[]>, n: number): string[] {
  return (fields.get(n) ?? []).flatMap((v) => (v.wire === 2 ? [utf8.decode(v.bytes)] : []));
}

export function bytes(fields: Map<number, WireValue[]>, n: number): Uint8Array | undefined {
  const v = fields.get(n)?.at(-1);
  return v && v.wire === 2 ? v.bytes : undefined;
}

export function messages(fields: Map<number, WireValue[]>, n: number): Uint8Array[] {
  return (fields.get(n) ?? []).flatMap((v) => (v.wire === 2 ? [v.bytes] : []));
}

export function uint(fields: Map<number, WireValue[]>, n: number): number {
  const v = fields.get(n)?.at(-1);
  return v && v.wire === 0 ? Number(v.value) : 0;
}

export function bool(fields: Map<number, WireValue[]>, n: number): boolean {
  return uint(fields, n) !== 0;
}

// ---- writer (the test helper and the benchmark encode Talos-shaped requests with it) ----

function varint(n: bigint | number): number[] {
  let v = BigInt(n);
  const out: number[] = [];
  while (v > 0x7fn) {
    out.push(Number((v & 0x7fn) | 0x80n));
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

export type FieldSpec = [field: number, value: string | number | boolean | Uint8Array | undefined];

/** Encodes fields in order: strings and byte arrays length-delimited, numbers and booleans as varints. */
export function encodeFields(specs: FieldSpec[]): Uint8Array {
  const parts: number[] = [];
  for (const [field, value] of specs) {
    if (value === undefined) continue;
    if (typeof value === 'number' || typeof value === 'boolean') {
      parts.push(...varint((field << 3) | 0), ...varint(typeof value === 'boolean' ? (value ? 1 : 0) : value));
    } else {
      const b = typeof value === 'string' ? new TextEncoder().encode(value) : value;
      parts.push(...varint((field << 3) | 2), ...varint(b.length));
      for (const x of b) parts.push(x);
    }
  }
  return Uint8Array.from(parts);
}
