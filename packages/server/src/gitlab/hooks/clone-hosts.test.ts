import { describe, expect, it } from 'vitest';
import { cloneHostPolicy, refusedCloneOrigin } from './clone-hosts.js';

describe('clone host policy', () => {
  const policy = cloneHostPolicy({
    url: 'https://GitLab.example.com/',
    cloneHosts: ['http://git.internal:8080'],
    token: 'set',
  });

  it.each([
    ['https://gitlab.example.com/shop/app.git', undefined],
    ['https://gitlab.example.com:443/shop/app.git', undefined],
    ['https://oauth2:x@gitlab.example.com/shop/app.git', undefined],
    ['http://git.internal:8080/shop/app.git', undefined],
    ['http://gitlab.example.com/shop/app.git', 'http://gitlab.example.com'],
    ['https://gitlab.example.com:8443/shop/app.git', 'https://gitlab.example.com:8443'],
    ['https://gitlab.example.com@evil.example/shop/app.git', 'https://evil.example'],
    ['https://gitlab.example.com.evil.example/app.git', 'https://gitlab.example.com.evil.example'],
    ['http://git.internal/shop/app.git', 'http://git.internal'],
    ['file:///etc/passwd', '(invalid URL)'],
    ['ssh://gitlab.example.com/shop/app.git', '(invalid URL)'],
    ['not a url', '(invalid URL)'],
  ])('%s → refused origin %s', (url, refused) => {
    expect(refusedCloneOrigin(url, policy)).toBe(refused);
  });

  it('accepts any http(s) host only when nothing is configured and there is no token to leak', () => {
    const bare = cloneHostPolicy({ cloneHosts: [] });
    expect(refusedCloneOrigin('http://127.0.0.1:9/app.git', bare)).toBeUndefined();
    expect(refusedCloneOrigin('file:///srv/app.git', bare)).toBe('(invalid URL)');
    const tokenOnly = cloneHostPolicy({ cloneHosts: [], token: 'set' });
    expect(refusedCloneOrigin('http://127.0.0.1:9/app.git', tokenOnly)).toBe('http://127.0.0.1:9');
  });
});
