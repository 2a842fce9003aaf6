import { describe, expect, it } from 'vitest';
import { secretKeyFinding, secretValueFinding, shannonEntropy, splitKeyWords } from './secrets.js';

describe('secret-looking names', () => {
  it.each([
    'DB_PASSWORD',
    'dbPassword',
    'db-passwd',
    'API_TOKEN',
    'apiToken',
    'GITLAB_TOKEN',
    'CLIENT_SECRET',
    'SECRET',
    'API_KEY',
    'APIKEY',
    'STRIPE_PRIVATE_KEY',
    'AWS_SECRET_ACCESS_KEY',
    'SENTRY_DSN',
    'REDIS_PASS',
    'SMTP_CREDENTIALS',
    'BASIC_AUTH',
    'JWT_SIGNING_KEY',
    'DBPASSWORD',
    'APP_SECRETS',
    'SECRETKEY',
  ])('refuses %j', (key) => {
    expect(secretKeyFinding(key)?.kind).toBe('key-name');
  });

  it.each([
    'LOG_LEVEL',
    'PORT',
    'KEYCLOAK_URL',
    'TOKEN_URL',
    'SECRET_NAME',
    'OAUTH_TOKEN_ENDPOINT',
    'AWS_ACCESS_KEY_ID',
    'PUBLIC_PATH',
    'CACHE_KEY_PREFIX',
    'NODE_ENV',
    'MONKEY',
    'PASSPORT_STRATEGY',
    'TOKENIZER_MODEL',
    'JWT_PUBLIC_KEY',
  ])('accepts %j', (key) => {
    expect(secretKeyFinding(key)).toBeUndefined();
  });

  it('splits camel case and separators', () => {
    expect(splitKeyWords('dbPassword-hash_v2')).toEqual(['DB', 'PASSWORD', 'HASH', 'V2']);
  });
});

describe('secret-looking values', () => {
  it.each([
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIE...', 'private-key'],
    ['-----BEGIN OPENSSH PRIVATE KEY-----', 'private-key'],
    ['-----BEGIN PGP PRIVATE KEY BLOCK-----', 'private-key'],
    ['postgres://app:s3cret@db:5432/app', 'url-credentials'],
    ['https://user:pass@example.com/', 'url-credentials'],
    ['redis://:hunter2@redis:6379', 'url-credentials'],
    ['glpat-AbCdEfGhIjKlMnOpQrSt', 'known-token'],
    [`ghp_${'A1b2'.repeat(9)}`, 'known-token'],
    ['AKIAIOSFODNN7EXAMPLE', 'known-token'],
    ['xoxb-1234567890-abcdefghij', 'known-token'],
    [
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      'known-token',
    ],
    ['k3J9xQ2mVb7Lp0Rt5Yw8Zs1Nc4Hd6Fg', 'high-entropy'],
    ['9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', 'high-entropy'],
    ['Bearer k3J9xQ2mVb7Lp0Rt5Yw8Zs1Nc4Hd6Fg', 'high-entropy'],
  ])('refuses %j as %s', (value, kind) => {
    expect(secretValueFinding(value)?.kind).toBe(kind);
  });

  it.each([
    'info',
    'https://api.example.com/v1',
    'postgres://db:5432/app',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, on purpose
    'postgres://app:${DB_PASSWORD}@db:5432/app',
    'postgres://app:$(DB_PASSWORD)@db:5432/app',
    '/var/lib/application/data/storage',
    'com.example.payments.OrderService',
    '{service}-{env}-{shortSha}',
    'production',
    'Europe/Berlin',
    '-Xmx512m -XX:+UseG1GC',
    'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    'node_modules/.bin/some-long-tool-name-here',
    'abcdefghijklmnopqrstuvwxyz',
  ])('accepts %j', (value) => {
    expect(secretValueFinding(value)).toBeUndefined();
  });

  it('checks scripts for credentials but not for random-looking words', () => {
    expect(secretValueFinding('curl -u admin:hunter2 https://admin:hunter2@x.example.com', false)?.kind).toBe(
      'url-credentials',
    );
    expect(secretValueFinding('echo k3J9xQ2mVb7Lp0Rt5Yw8Zs1Nc4Hd6Fg', false)).toBeUndefined();
  });

  it('measures entropy', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
  });
});
