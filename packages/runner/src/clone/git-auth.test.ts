import { describe, expect, it } from 'vitest';
import { authorizationHeader, gitEnvironment } from './git-auth.js';

describe('authorizationHeader', () => {
  it.each([
    ['tok', undefined, `Basic ${Buffer.from('oauth2:tok').toString('base64')}`],
    ['tok', 'gitlab-ci-token', `Basic ${Buffer.from('gitlab-ci-token:tok').toString('base64')}`],
    ['p@ss:wörd', 'u', `Basic ${Buffer.from('u:p@ss:wörd', 'utf8').toString('base64')}`],
  ])('%s as %s', (token, user, expected) => {
    expect(authorizationHeader(token, user)).toBe(expected);
  });
});

describe('gitEnvironment', () => {
  const base = {
    PATH: '/usr/bin',
    HOME: '/home/x',
    GIT_TRACE: '1',
    GIT_TRACE_CURL: '1',
    GIT_CURL_VERBOSE: '1',
    GIT_DIR: '/elsewhere',
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'core.sshCommand',
    GIT_ASKPASS: '/bin/echo',
    UNSET: undefined,
  };

  it('drops tracing and redirection variables, never prompts, sets no header without a token', () => {
    const env = gitEnvironment(base, undefined);
    expect(env.PATH).toBe('/usr/bin');
    expect(env.HOME).toBe('/home/x');
    for (const key of [
      'GIT_TRACE',
      'GIT_TRACE_CURL',
      'GIT_CURL_VERBOSE',
      'GIT_DIR',
      'GIT_ASKPASS',
      'UNSET',
    ]) {
      expect(env).not.toHaveProperty(key);
    }
    expect(env.GIT_TERMINAL_PROMPT).toBe('0');
    expect(Object.values(env).join('\n')).not.toContain('Authorization');
    expect(env.GIT_CONFIG_KEY_0).toBe('credential.helper');
  });

  it('scopes the header to the clone URL origin', () => {
    const env = gitEnvironment(base, { origin: 'https://gitlab.example.com', header: 'Basic abc' });
    const count = Number(env.GIT_CONFIG_COUNT);
    const pairs = Array.from({ length: count }, (_, i) => [
      env[`GIT_CONFIG_KEY_${i}`],
      env[`GIT_CONFIG_VALUE_${i}`],
    ]);
    expect(pairs).toContainEqual([
      'http.https://gitlab.example.com/.extraHeader',
      'Authorization: Basic abc',
    ]);
    expect(pairs).toContainEqual(['protocol.version', '2']);
  });

  it('trusts the clone directory when given (a root-owned emptyDir, a non-root runner)', () => {
    const pairs = (env: Record<string, string>) =>
      Array.from({ length: Number(env.GIT_CONFIG_COUNT) }, (_, i) => env[`GIT_CONFIG_KEY_${i}`]);
    expect(pairs(gitEnvironment(base, undefined, '/workspace'))).toContain('safe.directory');
    expect(
      gitEnvironment(base, undefined, '/workspace')[
        `GIT_CONFIG_VALUE_${pairs(gitEnvironment(base, undefined, '/workspace')).indexOf('safe.directory')}`
      ],
    ).toBe('/workspace');
    expect(pairs(gitEnvironment(base, undefined))).not.toContain('safe.directory');
  });
});
