import { describe, expect, it } from 'vitest';
import {
  decideProxyCaller,
  type ProxyAuthConfig,
  proxyRole,
  proxyUserProblem,
  TrustedProxies,
} from './proxy-auth.js';

const proxy: ProxyAuthConfig = {
  header: 'X-Forwarded-User',
  trustedProxies: ['127.0.0.1', '::1', '10.1.0.0/16', 'fd00:1::/32'],
  defaultRole: null,
  users: { alice: 'deployer', 'bob@example.com': 'admin', carol: 'viewer' },
};
const trusted = new TrustedProxies(proxy.trustedProxies);

describe('TrustedProxies', () => {
  it.each([
    ['127.0.0.1', true],
    ['::ffff:127.0.0.1', true],
    ['::FFFF:127.0.0.1', true],
    ['::1', true],
    ['0:0:0:0:0:0:0:1', true],
    ['10.1.255.7', true],
    ['::ffff:10.1.2.3', true],
    ['fd00:1:abcd::9', true],
    ['fd00:1::1%eth0', true],
    ['127.0.0.2', false],
    ['::ffff:127.0.0.2', false],
    ['10.2.0.1', false],
    ['fd00:2::1', false],
    ['::2', false],
    ['192.168.1.1', false],
    ['', false],
    ['not-an-address', false],
    [undefined, false],
  ])('trusts %s: %s', (peer, expected) => {
    expect(trusted.has(peer)).toBe(expected);
  });

  it('trusts a mapped entry as its IPv4 address', () => {
    const mapped = new TrustedProxies(['::ffff:192.168.5.5']);
    expect(mapped.has('192.168.5.5')).toBe(true);
    expect(mapped.has('::ffff:192.168.5.5')).toBe(true);
    expect(mapped.has('192.168.5.6')).toBe(false);
  });

  it('refuses an entry that would trust everyone or nothing it can read', () => {
    expect(() => new TrustedProxies(['0.0.0.0/0'])).toThrow(TypeError);
    expect(() => new TrustedProxies(['proxy.local'])).toThrow(TypeError);
  });
});

describe('proxyUserProblem', () => {
  it.each(['alice', 'bob@example.com', 'a', 'x'.repeat(128), 'first.last+ci_bot-2', '9lives'])(
    'accepts %j',
    (v) => {
      expect(proxyUserProblem(v)).toBeUndefined();
    },
  );

  it.each([
    ['', 'it is empty'],
    ['x'.repeat(129), 'it is longer than 128 characters'],
    ['<script>alert(1)</script>', 'it holds characters a user name may not'],
    ['alice, mallory', 'it holds characters a user name may not'],
    ['alice\tadmin', 'it holds characters a user name may not'],
    ['DOMAIN\\alice', 'it holds characters a user name may not'],
    ['../admin', 'it holds characters a user name may not'],
    ['-alice', 'it holds characters a user name may not'],
    ['élodie', 'it holds characters a user name may not'],
    ['alice\u0000', 'it holds characters a user name may not'],
  ])('refuses %j without quoting it', (v, reason) => {
    expect(proxyUserProblem(v)).toBe(reason);
  });
});

describe('proxyRole', () => {
  it('takes the listed role, else the default role, else none', () => {
    expect(proxyRole(proxy, 'alice')).toBe('deployer');
    expect(proxyRole(proxy, 'dave')).toBeNull();
    expect(proxyRole({ ...proxy, defaultRole: 'viewer' }, 'dave')).toBe('viewer');
    expect(proxyRole({ ...proxy, defaultRole: 'viewer' }, 'bob@example.com')).toBe('admin');
  });

  it('does not read roles from the prototype chain', () => {
    expect(proxyRole(proxy, 'constructor')).toBeNull();
    expect(proxyRole(proxy, 'toString')).toBeNull();
  });
});

describe('decideProxyCaller', () => {
  const decide = (peer: string | undefined, value: string | string[] | undefined, config = proxy) =>
    decideProxyCaller(config, trusted, peer, value);

  it('signs in the user a trusted proxy names, with their role', () => {
    expect(decide('127.0.0.1', 'alice')).toEqual({ kind: 'signed-in', name: 'alice', role: 'deployer' });
    expect(decide('::ffff:127.0.0.1', 'carol')).toEqual({ kind: 'signed-in', name: 'carol', role: 'viewer' });
    expect(decide('::1', 'bob@example.com')).toEqual({
      kind: 'signed-in',
      name: 'bob@example.com',
      role: 'admin',
    });
    expect(decide('10.1.3.4', 'dave', { ...proxy, defaultRole: 'viewer' })).toEqual({
      kind: 'signed-in',
      name: 'dave',
      role: 'viewer',
    });
  });

  it('ignores the header from any other peer, whatever it holds', () => {
    for (const value of ['alice', 'bob@example.com', '<bad>', '', undefined, ['a', 'b']]) {
      for (const peer of ['192.168.1.1', '127.0.0.2', '::ffff:10.2.0.1', undefined]) {
        expect(decide(peer, value), `${peer} ${String(value)}`).toEqual({ kind: 'ignored' });
      }
    }
  });

  it('treats a trusted proxy without a user (no header, or an empty one) as anonymous', () => {
    expect(decide('127.0.0.1', undefined)).toEqual({ kind: 'absent' });
    expect(decide('127.0.0.1', '')).toEqual({ kind: 'absent' });
  });

  it('refuses a hostile or repeated value from a trusted proxy', () => {
    expect(decide('127.0.0.1', 'alice, admin')).toEqual({
      kind: 'invalid',
      reason: 'it holds characters a user name may not',
    });
    expect(decide('127.0.0.1', 'y'.repeat(4096))).toEqual({
      kind: 'invalid',
      reason: 'it is longer than 128 characters',
    });
    expect(decide('127.0.0.1', ['alice', 'bob'])).toEqual({
      kind: 'invalid',
      reason: 'the header was sent more than once',
    });
  });

  it('names a user without a role', () => {
    expect(decide('127.0.0.1', 'dave')).toEqual({ kind: 'no-role', name: 'dave' });
    expect(decide('127.0.0.1', 'Alice')).toEqual({ kind: 'no-role', name: 'Alice' });
  });
});
