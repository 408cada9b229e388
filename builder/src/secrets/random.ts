import { randomBytes, randomInt } from 'node:crypto';

/** Random values in the formats Talos, Kubernetes and the collector expect. */

const TOKEN_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function randomString(length: number, alphabet = TOKEN_ALPHABET): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** A Kubernetes bootstrap-token-shaped value, `[a-z0-9]{6}.[a-z0-9]{16}` (also Talos's trustd token). */
export function kubeToken(): string {
  return `${randomString(6)}.${randomString(16)}`;
}

/** Talos cluster id: 32 random bytes, URL-safe base64 with padding (Go's base64.URLEncoding). */
export function clusterId(): string {
  return randomBytes(32).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** 32 random bytes, standard base64 (cluster secret, secretbox key). */
export function base64Key(): string {
  return randomBytes(32).toString('base64');
}

/** A bearer token: 32 random bytes, URL-safe base64 without padding. */
export function bearerToken(): string {
  return randomBytes(32).toString('base64url');
}

const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** A password without look-alike characters, to be typed at a console when SSH is not up yet. */
export function password(length = 24): string {
  return randomString(length, PASSWORD_ALPHABET);
}
