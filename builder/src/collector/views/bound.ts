/**
 * Views (the status document, the live stream) carry at most MAX_VIEW_STRING characters per text:
 * a 3 MB failure message must not make every status 12 MB for every dashboard. The full text stays
 * in its event (`GET /v1/events`). Pure.
 */
export const MAX_VIEW_STRING = 2048;

export function boundStrings<T>(value: T, max = MAX_VIEW_STRING): T {
  return walk(value, max) as T;
}

function walk(v: unknown, max: number): unknown {
  if (typeof v === 'string') return v.length > max ? `${v.slice(0, max)}… [${v.length - max} more characters; the full text is in the event]` : v;
  if (Array.isArray(v)) return v.map((x) => walk(x, max));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(x, max);
    return out;
  }
  return v;
}
