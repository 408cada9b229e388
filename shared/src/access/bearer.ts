/**
 * Checks `Authorization: Bearer <token>` in time that does not depend on where the two differ:
 * every character of the expected token is compared, whatever the presented one holds. Pure (no
 * node:crypto, so the agent's bundle and the browser can share it).
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  if (!header || token.length === 0) return false;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) return false;
  const given = m[1] as string;
  let diff = given.length ^ token.length;
  for (let i = 0; i < token.length; i++) diff |= token.charCodeAt(i) ^ (given.charCodeAt(i % Math.max(1, given.length)) || 0);
  return diff === 0;
}
