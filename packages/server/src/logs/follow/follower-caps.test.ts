import { describe, expect, it } from 'vitest';
import { FollowerCaps } from './follower-caps.js';

describe('FollowerCaps', () => {
  it('refuses past the per-caller cap, then past the total, and gives places back once', () => {
    const caps = new FollowerCaps({ perCaller: 2, total: 3 });
    const a1 = caps.acquire('a');
    const a2 = caps.acquire('a');
    expect(caps.acquire('a')).toEqual({ scope: 'caller', limit: 2 });
    const b1 = caps.acquire('b');
    expect(caps.acquire('c')).toEqual({ scope: 'server', limit: 3 });
    if (!('release' in a1) || !('release' in a2) || !('release' in b1)) throw new Error('refused');
    a1.release();
    a1.release();
    expect(caps.count()).toBe(2);
    expect(caps.count('a')).toBe(1);
    expect('release' in caps.acquire('c')).toBe(true);
    expect(caps.acquire('a')).toEqual({ scope: 'server', limit: 3 });
  });
});
