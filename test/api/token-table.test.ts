import * as crypto from 'node:crypto';
import { Secret } from '@ferry/shared';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  bearerToken,
  openToAnonymous,
  roleAllows,
  routeRole,
  TokenTable,
} from '../../packages/server/src/app/auth.js';

// Spy on the comparison the token table must use, keeping its real behaviour.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const configured = [
  { name: 'first', token: new Secret('token-aaaaaaaaaaaa', 'env:A'), role: 'viewer' as const },
  { name: 'second', token: new Secret('token-bbbbbbbbbbbbbbbbbbbbbbbb', 'env:B'), role: 'deployer' as const },
  { name: 'third', token: new Secret('Q7', 'env:C'), role: 'admin' as const },
];

describe('TokenTable', () => {
  const equal = vi.mocked(crypto.timingSafeEqual);
  beforeEach(() => {
    equal.mockClear();
  });

  it('finds the caller by token', () => {
    const table = new TokenTable(configured);
    expect(table.match('token-aaaaaaaaaaaa')).toEqual({ name: 'first', role: 'viewer' });
    expect(table.match('token-bbbbbbbbbbbbbbbbbbbbbbbb')).toEqual({ name: 'second', role: 'deployer' });
    expect(table.match('Q7')).toEqual({ name: 'third', role: 'admin' });
    expect(table.match('token-aaaaaaaaaaab')).toBeUndefined();
    expect(table.match('')).toBeUndefined();
  });

  it('compares in constant time: every token, same-length digests, whatever matches', () => {
    const table = new TokenTable(configured);
    const presented = [
      'token-aaaaaaaaaaaa', // first entry matches
      'Q7', // last entry matches
      'token-aaaaaaaaaaa', // a prefix of a token
      'x'.repeat(10_000), // much longer than any token
      '',
    ];
    for (const token of presented) {
      equal.mockClear();
      table.match(token);
      // No early exit: one comparison per configured token, never a `===` on the secret.
      expect(equal).toHaveBeenCalledTimes(configured.length);
      for (const [a, b] of equal.mock.calls) {
        expect(a.byteLength).toBe(32);
        expect(b.byteLength).toBe(32);
      }
    }
  });

  it('never holds the token values in the clear', () => {
    const table = new TokenTable(configured);
    const shown = JSON.stringify(table) + String(table);
    for (const c of configured) expect(shown).not.toContain(c.token.reveal());
  });
});

describe('bearerToken and roles', () => {
  it('reads RFC 6750 bearer credentials only', () => {
    expect(bearerToken('Bearer abc.DEF-123_~+/=')).toBe('abc.DEF-123_~+/=');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Bearer  abc ')).toBe('abc');
    for (const bad of ['Bearer', 'Bearer ', 'Basic abc', 'abc', 'Bearer a b', 'Bearer a\tb', 'Bearer é']) {
      expect(bearerToken(bad), bad).toBeUndefined();
    }
  });

  it('orders roles viewer < deployer < admin', () => {
    expect(roleAllows('viewer', 'viewer')).toBe(true);
    expect(roleAllows('viewer', 'deployer')).toBe(false);
    expect(roleAllows('deployer', 'deployer')).toBe(true);
    expect(roleAllows('deployer', 'admin')).toBe(false);
    expect(roleAllows('admin', 'deployer')).toBe(true);
    expect(roleAllows('admin', 'viewer')).toBe(true);
  });

  it('opens reads only, and only when configured; a route without a role needs admin to write', () => {
    const open = { tokens: [], anonymousRead: true };
    const closed = { tokens: [], anonymousRead: false };
    expect(routeRole(['GET'], undefined)).toBe('viewer');
    expect(routeRole(['POST'], undefined)).toBe('admin');
    expect(routeRole(['POST'], 'deployer')).toBe('deployer');
    expect(openToAnonymous(open, ['GET'], 'viewer')).toBe(true);
    expect(openToAnonymous(open, ['HEAD'], 'viewer')).toBe(true);
    expect(openToAnonymous(open, ['GET'], 'admin')).toBe(false);
    expect(openToAnonymous(open, ['POST'], 'viewer')).toBe(false);
    expect(openToAnonymous(open, ['DELETE'], 'viewer')).toBe(false);
    expect(openToAnonymous(closed, ['GET'], 'viewer')).toBe(false);
  });
});
