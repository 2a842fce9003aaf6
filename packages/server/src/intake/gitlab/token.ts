import { createHash, timingSafeEqual } from 'node:crypto';
import type { Secret } from '@ferry/shared';

/** Compares a presented token with the configured secret in constant time (hashes equalise lengths). */
export function tokenMatches(presented: string | undefined, expected: Secret): boolean {
  if (presented === undefined) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected.reveal()).digest();
  return timingSafeEqual(a, b);
}
