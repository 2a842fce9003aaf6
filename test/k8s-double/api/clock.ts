import { randomBytes } from 'node:crypto';

/** RFC 3339 with second precision, as metadata timestamps are serialised. */
export const rfc3339 = (d: Date = new Date()) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** RFC 3339 with microseconds, as `managedFields[].time` and MicroTime fields. */
export const microTime = (d: Date = new Date()) => d.toISOString().replace(/Z$/, '000Z');

const alphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** The apiserver's `utilrand.String(n)`: consonants and digits that never spell words. */
export function randomSuffix(n = 5): string {
  const bytes = randomBytes(n);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/** `generateName` → a name: the base truncated to 58 characters plus 5 random ones. */
export function generateName(base: string): string {
  return `${base.slice(0, 58)}${randomSuffix(5)}`;
}
