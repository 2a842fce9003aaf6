import { describe, expect, it } from 'vitest';
import { isPinnedImageRef, isValidImageRef, parseImageRef } from './image-ref.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('image references', () => {
  it.each([
    ['node', { repository: 'node' }],
    ['node:20', { repository: 'node', tag: '20' }],
    ['node:20-bookworm', { repository: 'node', tag: '20-bookworm' }],
    ['library/node:20.11.1', { repository: 'library/node', tag: '20.11.1' }],
    [
      'registry.example.com/base/node:20',
      { registry: 'registry.example.com', repository: 'base/node', tag: '20' },
    ],
    ['localhost:5000/app', { registry: 'localhost:5000', repository: 'app' }],
    ['127.0.0.1:5000/team/app:v1', { registry: '127.0.0.1:5000', repository: 'team/app', tag: 'v1' }],
    ['localhost/app', { registry: 'localhost', repository: 'app' }],
    [`node@${DIGEST}`, { repository: 'node', digest: DIGEST }],
    [`node:20@${DIGEST}`, { repository: 'node', tag: '20', digest: DIGEST }],
    ['a/b_c/d__e/f-g--h.i:T_a-g.1', { repository: 'a/b_c/d__e/f-g--h.i', tag: 'T_a-g.1' }],
  ])('parses %j', (text, expected) => {
    expect(parseImageRef(text)).toEqual(expected);
    expect(isValidImageRef(text)).toBe(true);
  });

  it.each([
    '',
    'Node:20',
    'node:',
    'node:20:21',
    ':20',
    'node@sha256:abc',
    'node@md5',
    ' node',
    'node 20',
    'a//b',
    'a/b/',
    'node:-20',
    'my_registry.com:x/app',
    `node:${'t'.repeat(129)}`,
    `${'a'.repeat(256)}`,
    'node:20 && rm -rf /',
  ])('refuses %j', (text) => {
    expect(parseImageRef(text)).toBeUndefined();
    expect(isValidImageRef(text)).toBe(false);
  });

  it.each([
    ['node', false],
    ['node:latest', false],
    ['node:20', true],
    [`node@${DIGEST}`, true],
  ])('isPinnedImageRef(%j) = %s', (text, pinned) => {
    const ref = parseImageRef(text);
    expect(ref).toBeDefined();
    if (ref) expect(isPinnedImageRef(ref)).toBe(pinned);
  });
});
