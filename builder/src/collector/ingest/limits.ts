/**
 * Bounds every ingest path checks before it parses or stores anything. Event attributes are
 * flat records of facts (a DHCP offer, a Talos stage); a few levels of nesting is all a sender
 * needs, and a value nested thousands of levels deep overflows the stack of whatever walks it
 * (JSON.stringify on the writer's path, the dashboard's renderer). Pure.
 */
export const MAX_JSON_DEPTH = 32;

/** Whether a JSON text nests objects and arrays deeper than `max`; a linear scan, no parse. */
export function jsonTooDeep(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** SQLite says the disk (or its quota) is full: the answer is 507, and the collector keeps running. */
export function isStorageFull(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  return e?.code === 'SQLITE_FULL' || /database or disk is full|SQLITE_FULL/i.test(String(e?.message ?? ''));
}
