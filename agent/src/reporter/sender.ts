import type { LabEvent } from '@lab/shared';

/** Posts one batch to the collector. Resolves on 2xx, rejects with a message that carries no secret. */
export async function postBatch(url: string, token: string, events: LabEvent[], timeoutMs = 10_000): Promise<void> {
  const endpoint = new URL('/v1/events', url).toString();
  let res: Response;
  try {
    res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ events }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const cause = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
    throw new Error(`collector ${endpoint} unreachable: ${cause}`, { cause: err });
  }
  // Drain the body so the connection can be reused.
  const text = await res.text().catch(() => '');
  if (!res.ok) throw new Error(`collector ${endpoint} answered ${res.status}: ${text.slice(0, 200)}`);
}
