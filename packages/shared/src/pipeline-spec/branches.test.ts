import { describe, expect, it } from 'vitest';
import { branchNameProblem, isValidBranchName } from './branches.js';

describe('branch names', () => {
  it.each([
    'master',
    'main',
    'test',
    'staging',
    'release/2024.06',
    'env/prod-eu',
    'a',
    'feature/x@y',
    'v1.2',
  ])('accepts %j', (name) => {
    expect(isValidBranchName(name)).toBe(true);
  });

  it.each([
    ['', 'empty'],
    ['refs/heads/master', 'refs/heads'],
    ['HEAD', 'not a branch name'],
    ['@', 'not a branch name'],
    ['-x', 'starts with "-"'],
    ['my branch', 'a space'],
    ['a~1', '"~"'],
    ['a^', '"^"'],
    ['a:b', '":"'],
    ['a?', '"?"'],
    ['a*', '"*"'],
    ['a[b', '"["'],
    ['a\\b', '"\\\\"'],
    ['a..b', '".."'],
    ['a@{1}', '"@{"'],
    ['a//b', 'empty path component'],
    ['/a', 'empty path component'],
    ['a/', 'empty path component'],
    ['a.', 'ends with "."'],
    ['.a', 'starts with "."'],
    ['a/.b', 'starts with "."'],
    ['a.lock', '.lock'],
    ['a/b.lock/c', '.lock'],
    ['tab\there', '"\\t"'],
    ['x'.repeat(256), 'longer than 255'],
  ])('refuses %j (%s)', (name, fragment) => {
    expect(branchNameProblem(name)).toContain(fragment);
    expect(isValidBranchName(name)).toBe(false);
  });
});
