import { describe, expect, it } from 'vitest';
import { type BranchAccessFacts, statusAccess } from './status-access.js';

const branch = (p: boolean, push: boolean, devMerge: boolean) => ({
  protected: p,
  can_push: push,
  developers_can_merge: devMerge,
});

describe('statusAccess (Ci::PipelinePolicy: push or merge rights on the ref)', () => {
  it.each<[string, BranchAccessFacts, boolean]>([
    ['Developer, unprotected branch', { accessLevel: 30, branch: branch(false, true, false) }, true],
    ['Reporter, unprotected branch', { accessLevel: 20, branch: branch(false, false, false) }, false],
    [
      'Developer, protected, Maintainers only',
      { accessLevel: 30, branch: branch(true, false, false) },
      false,
    ],
    [
      'Developer, protected, Developers may merge',
      { accessLevel: 30, branch: branch(true, false, true) },
      true,
    ],
    ['Maintainer who can push', { accessLevel: 40, branch: branch(true, true, false) }, true],
    [
      'Maintainer, push No one, merge Maintainers',
      { accessLevel: 40, branch: branch(true, false, false), rule: { push: [0], merge: [40] } },
      true,
    ],
    [
      'Maintainer, push and merge No one',
      { accessLevel: 40, branch: branch(true, false, false), rule: { push: [0], merge: [0] } },
      false,
    ],
  ])('%s → %s', (_name, facts, ok) => {
    expect(statusAccess(facts).ok).toBe(ok);
  });
});
