/**
 * Reads the JSON lines of a spool log back, keeping every whole record. A crash or a full disk can
 * leave a line cut short; a later append then glues its record onto that fragment
 * (`{"id":"a","ho{"id":"b",…}`). Such a line still ends with a whole record: find where it starts.
 * Pure.
 */
export interface RecoveredRecord {
  /** null for a line with no whole record in it. */
  event: unknown;
  bytes: number;
}

export interface Recovered {
  records: RecoveredRecord[];
  /** Bytes up to the end of the last whole line; a trailing fragment without a newline is beyond it. */
  end: number;
  /** True when some line needed repair or a trailing fragment was cut off. */
  damaged: boolean;
}

/** Record starts tried per damaged line: a fragment has few `{"` in it, a hostile file many. */
const MAX_STARTS = 64;

export function recoverLines(data: Buffer): Recovered {
  const records: RecoveredRecord[] = [];
  let pos = 0;
  let damaged = false;
  let carry = 0; // bytes of empty lines, counted with the next record so offsets stay exact
  while (pos < data.length) {
    const nl = data.indexOf(10, pos);
    if (nl < 0) {
      damaged = true; // a torn last line: never acknowledged, it is not a whole record
      break;
    }
    const line = data.subarray(pos, nl).toString('utf8');
    const bytes = nl + 1 - pos + carry;
    pos = nl + 1;
    carry = 0;
    if (line.length === 0) {
      carry = bytes;
      continue;
    }
    const whole = parseRecord(line);
    if (whole !== undefined) {
      records.push({ event: whole, bytes });
      continue;
    }
    damaged = true;
    records.push({ event: tailRecord(line) ?? null, bytes });
  }
  return { records, end: pos, damaged };
}

function parseRecord(text: string): unknown {
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as { id?: unknown }).id === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

function tailRecord(line: string): unknown {
  let tries = 0;
  for (let i = line.indexOf('{"', 1); i > 0 && tries < MAX_STARTS; i = line.indexOf('{"', i + 1), tries++) {
    const v = parseRecord(line.slice(i));
    if (v !== undefined) return v;
  }
  return undefined;
}
