import { describe, expect, it } from 'vitest';
import { didYouMean } from './did-you-mean.js';

const KEYS = ['image', 'script', 'timeout', 'env', 'envFrom', 'resources'];

describe('didYouMean', () => {
  it.each([
    ['scirpt', 'script'],
    ['timout', 'timeout'],
    ['Image', 'image'],
    ['envfrom', 'envFrom'],
    ['env_from', 'envFrom'],
    ['resource', 'resources'],
    ['banana', undefined],
    ['x', undefined],
  ])('%j → %j', (key, guess) => {
    expect(didYouMean(key, KEYS)).toBe(guess);
  });

  it('has nothing to suggest from nothing', () => {
    expect(didYouMean('a', [])).toBeUndefined();
  });
});
