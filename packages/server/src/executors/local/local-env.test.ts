import { describe, expect, it } from 'vitest';
import { localBaseEnv } from './local-env.js';

describe('localBaseEnv', () => {
  it.each([
    ['/opt/node/bin/node', '/opt/node/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    ['/usr/bin/node', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
  ])('node at %s → PATH %s, and nothing else of the server', (node, path) => {
    expect(localBaseEnv({ home: '/w/r/home', tmp: '/w/r/tmp' }, node)).toEqual({
      PATH: path,
      HOME: '/w/r/home',
      TMPDIR: '/w/r/tmp',
    });
  });
});
