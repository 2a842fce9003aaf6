import { describe, expect, it } from 'vitest';
import {
  findPlaceholders,
  isTemplatedPath,
  type PlaceholderValues,
  placeholderEnvironment,
  substitutePlaceholders,
} from './placeholders.js';

const VALUES: PlaceholderValues = {
  env: 'prod',
  service: 'api',
  group: 'payments',
  sha: '0123456789abcdef0123456789abcdef01234567',
  shortSha: '01234567',
  project: 'payments/api',
  branch: 'master',
};

describe('placeholders', () => {
  it.each([
    ['{group}-{env}', 'payments-prod'],
    ['{service}.{env}.example.com', 'api.prod.example.com'],
    ['{project}@{shortSha} on {branch}', 'payments/api@01234567 on master'],
    ['no placeholders', 'no placeholders'],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, on purpose
    ['${HOME}/{service}', '${HOME}/api'],
    ['{{env}} is literal', '{env} is literal'],
    ['{"json": 1}', '{"json": 1}'],
    ['{sha}', VALUES.sha],
  ])('substitutes %j → %j', (text, expected) => {
    expect(substitutePlaceholders(text, VALUES)).toBe(expected);
  });

  it('throws on an unknown placeholder', () => {
    expect(() => substitutePlaceholders('{nope}', VALUES)).toThrow('unknown placeholder {nope}');
  });

  it('finds placeholders, skipping shell and escaped ones', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, on purpose
    expect(findPlaceholders('{a}-{env} ${X} {{service}} {b_c}')).toEqual(['a', 'env', 'b_c']);
  });

  it.each([
    [['environments', 'prod', 'namespace'], true],
    [['stages', 'deploy', 'ingress', 'host'], true],
    [['environments', 'prod', 'ingress', 'host'], true],
    [['stages', 'deploy', 'env', 'X'], true],
    [['stages', 'deploy', 'envFrom', 0, 'secretRef'], true],
    [['stages', 'build', 'args', 'X'], true],
    [['environments', 'prod', 'branch'], false],
    [['stages', 'test', 'image'], false],
    [['service'], false],
    [['stages', 'test', 'script', 0], false],
  ] as const)('isTemplatedPath(%j) = %s', (path, templated) => {
    expect(isTemplatedPath(path)).toBe(templated);
  });

  it('exports the values for scripts', () => {
    expect(placeholderEnvironment(VALUES)).toMatchObject({ FERRY_ENV: 'prod', FERRY_SHORT_SHA: '01234567' });
  });
});
