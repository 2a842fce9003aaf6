import { createHash, timingSafeEqual } from 'node:crypto';
import type { Secret } from '@ferry/shared';

/** Compares a presented token with the configured secret in constant time (hashes equalise lengths). */
export function tokenMatches(presented: string | undefined, expected: Secret): boolean {
  if (presented === undefined) return false;
  const a = createHash('sha256').update(presented).digest();
  return timingSafeEqual(a, digestOf(expected));
}

const digests = new WeakMap<Secret, Buffer>();

/** The expected side is hashed once per secret, not on every webhook. */
function digestOf(secret: Secret): Buffer {
  let digest = digests.get(secret);
  if (digest === undefined) {
    digest = createHash('sha256').update(secret.reveal()).digest();
    digests.set(secret, digest);
  }
  return digest;
}
