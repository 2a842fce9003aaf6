import { describe, expect, it } from 'vitest';
import { CloneExit, cloneFailureReason } from './clone-exit.js';

describe('cloneFailureReason', () => {
  it.each<[number | null, string | null, RegExp]>([
    [CloneExit.invalid, null, /invalid/],
    [CloneExit.authRefused, null, /refused the clone token/],
    [CloneExit.repositoryNotFound, null, /repository not found/],
    [CloneExit.commitNotFound, null, /commit is not in the repository/],
    [128, null, /git exited with code 128/],
    [null, 'SIGKILL', /killed by SIGKILL/],
  ])('%s %s', (code, signal, expected) => {
    expect(cloneFailureReason(code, signal)).toMatch(expected);
  });
});
