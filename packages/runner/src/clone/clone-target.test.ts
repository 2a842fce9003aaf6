import { describe, expect, it } from 'vitest';
import { parseCloneTarget } from './clone-target.js';

const sha = 'a'.repeat(40);

describe('parseCloneTarget', () => {
  it.each<[string, string | undefined, string | undefined, string | RegExp]>([
    ['https URL', 'https://gitlab.example.com/group/app.git', sha, 'ok'],
    ['http URL with port', 'http://127.0.0.1:8080/group/app.git', sha, 'ok'],
    ['sha-256 commit', 'https://h/r.git', 'b'.repeat(64), 'ok'],
    ['upper-case sha is normalised', 'https://h/r.git', 'A'.repeat(40), 'ok'],
    ['no URL', undefined, sha, /no clone URL/],
    ['an option', '--upload-pack=touch /tmp/pwned', sha, /looks like an option/],
    ['a dash URL', '-h', sha, /looks like an option/],
    ['spaces', 'https://h/r.git --foo', sha, /spaces/],
    ['a newline', 'https://h/r.git\nx', sha, /control/],
    ['ssh', 'ssh://git@h/r.git', sha, /http or https, not ssh/],
    ['scp-like', 'git@h:r.git', sha, /not a URL/],
    ['file', 'file:///etc', sha, /not file/],
    ['ext transport', 'ext::sh -c touch% /tmp/pwned', sha, /spaces|http or https/],
    ['not a URL', 'nope', sha, /not a URL/],
    ['credentials', 'https://oauth2:tok@h/r.git', sha, /holds credentials/],
    ['user only', 'https://user@h/r.git', sha, /holds credentials/],
    ['short sha', 'https://h/r.git', 'abc123', /full sha/],
    ['missing sha', 'https://h/r.git', undefined, /full sha/],
    ['sha with option', 'https://h/r.git', `--${'a'.repeat(38)}`, /full sha/],
  ])('%s', (_name, url, commit, expected) => {
    const out = parseCloneTarget({ url, sha: commit, ref: 'main' });
    if (expected === 'ok') {
      expect(out).toMatchObject({ sha: commit?.toLowerCase(), ref: 'main' });
      expect('url' in out && out.url.href).toBe(url);
    } else {
      expect(out).toEqual({ problem: expect.stringMatching(expected) });
    }
  });

  it('leaves out an empty ref', () => {
    expect(parseCloneTarget({ url: 'https://h/r.git', sha, ref: '' })).not.toHaveProperty('ref');
  });
});
