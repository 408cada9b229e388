import { createHash } from 'node:crypto';
import { randomString } from './random.js';

/**
 * SHA-512 crypt (`$6$`), the password hash VyOS and Linux shadow files use, implemented from
 * Ulrich Drepper's published specification ("Unix crypt using SHA-256 and SHA-512"). Pure.
 */

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const DEFAULT_ROUNDS = 5000;
const SALT_ALPHABET = ITOA64;

const sha512 = (...parts: Buffer[]) => {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** `count` bytes of `block` repeated. */
function repeatTo(block: Buffer, count: number): Buffer {
  const out = Buffer.alloc(count);
  for (let i = 0; i < count; i++) out[i] = block[i % block.length]!;
  return out;
}

function encode(digest: Buffer): string {
  let out = '';
  const emit = (b2: number, b1: number, b0: number, n: number) => {
    let w = (b2 << 16) | (b1 << 8) | b0;
    for (let i = 0; i < n; i++) {
      out += ITOA64[w & 0x3f];
      w >>= 6;
    }
  };
  // Triples (i, i+21, i+42) rotated as the specification lists them.
  for (let i = 0; i < 21; i++) {
    const a = [i, i + 21, i + 42];
    const r = i % 3;
    const [x, y, z] = [a[r]!, a[(r + 1) % 3]!, a[(r + 2) % 3]!];
    emit(digest[x]!, digest[y]!, digest[z]!, 4);
  }
  emit(0, 0, digest[63]!, 2);
  return out;
}

export function sha512Crypt(passwordText: string, salt: string, rounds?: number): string {
  const P = Buffer.from(passwordText, 'utf8');
  const S = Buffer.from(salt.slice(0, 16), 'utf8');
  const R = Math.min(999_999_999, Math.max(1000, rounds ?? DEFAULT_ROUNDS));

  const B = sha512(P, S, P);
  const a = createHash('sha512').update(P).update(S).update(repeatTo(B, P.length));
  for (let n = P.length; n > 0; n >>= 1) a.update(n & 1 ? B : P);
  const A = a.digest();

  const DP = sha512(...Array.from({ length: P.length }, () => P));
  const Pp = repeatTo(DP, P.length);
  const DS = sha512(...Array.from({ length: 16 + A[0]! }, () => S));
  const Sp = repeatTo(DS, S.length);

  let C = A;
  for (let i = 0; i < R; i++) {
    const h = createHash('sha512');
    h.update(i & 1 ? Pp : C);
    if (i % 3 !== 0) h.update(Sp);
    if (i % 7 !== 0) h.update(Pp);
    h.update(i & 1 ? C : Pp);
    C = h.digest();
  }
  // The rounds= field appears whenever the caller gave rounds explicitly, as in crypt(3).
  const prefix = rounds === undefined ? '$6$' : `$6$rounds=${R}$`;
  return `${prefix}${S.toString('utf8')}$${encode(C)}`;
}

/** Hashes with a fresh random 16-character salt. */
export function hashPassword(passwordText: string): string {
  return sha512Crypt(passwordText, randomString(16, SALT_ALPHABET));
}

/** Checks a password against a `$6$` hash. */
export function verifySha512Crypt(passwordText: string, hash: string): boolean {
  const m = /^\$6\$(?:rounds=(\d+)\$)?([^$]{0,16})\$[./0-9A-Za-z]{86}$/.exec(hash);
  if (!m) return false;
  return sha512Crypt(passwordText, m[2]!, m[1] ? Number(m[1]) : undefined) === hash;
}
