import { describe, expect, it } from 'vitest';
import { buildConfigSchema } from './schema.js';

const schema = buildConfigSchema(() => ({ error: 'no secrets in these tests' }));

function problems(proxy: unknown): string[] {
  const out = schema.safeParse({ auth: { proxy } });
  return out.success ? [] : out.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('auth.proxy', () => {
  it('is off when absent', () => {
    expect(schema.parse({}).auth.proxy).toBeUndefined();
  });

  it('defaults the header, no default role and no users', () => {
    expect(schema.parse({ auth: { proxy: { trustedProxies: ['127.0.0.1', '::1'] } } }).auth.proxy).toEqual({
      header: 'X-Forwarded-User',
      trustedProxies: ['127.0.0.1', '::1'],
      defaultRole: null,
      users: {},
    });
  });

  it('takes a header, CIDR blocks, a default role and users', () => {
    const proxy = {
      header: 'Remote-User',
      trustedProxies: ['10.0.0.0/8', 'fd00::/8', '::ffff:172.16.0.1'],
      defaultRole: 'viewer',
      users: { alice: 'deployer', 'bob.smith@example.com': 'admin' },
    };
    expect(schema.parse({ auth: { proxy } }).auth.proxy).toEqual(proxy);
  });

  it('needs trusted proxies: no default trusts anyone, and /0 is refused', () => {
    expect(problems({})).toEqual([expect.stringContaining('auth.proxy.trustedProxies')]);
    expect(problems({ trustedProxies: [] })).toEqual([
      'auth.proxy.trustedProxies: list the proxy addresses whose header Ferry may believe',
    ]);
    for (const everyone of ['0.0.0.0/0', '::/0', 'localhost', '*'])
      expect(problems({ trustedProxies: [everyone] }), everyone).toEqual([
        expect.stringContaining('an IP address or CIDR block'),
      ]);
  });

  it('refuses a header HTTP already uses, a bad header name, user names the proxy cannot send, unknown roles', () => {
    const base = { trustedProxies: ['127.0.0.1'] };
    expect(problems({ ...base, header: 'Authorization' })).toHaveLength(1);
    expect(problems({ ...base, header: 'x-forwarded-for' })).toHaveLength(1);
    expect(problems({ ...base, header: 'X User' })).toHaveLength(1);
    expect(problems({ ...base, users: { 'a b': 'viewer' } })).toHaveLength(1);
    expect(problems({ ...base, users: { alice: 'root' } })).toHaveLength(1);
    expect(problems({ ...base, defaultRole: 'root' })).toHaveLength(1);
    expect(problems({ ...base, trusted: ['127.0.0.1'] })).toHaveLength(1);
  });
});
