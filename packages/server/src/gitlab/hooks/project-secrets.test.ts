import { Secret } from '@ferry/shared';
import { describe, expect, it } from 'vitest';
import { projectHookSecrets, secretFor } from './project-secrets.js';

const a = new Secret('a-secret', 'test');
const b = new Secret('b-secret', 'test');
const global = new Secret('global', 'test');
const secrets = projectHookSecrets({
  webhookSecret: global,
  projects: { 'shop/A': { id: 1, webhookSecret: a }, '2': { webhookSecret: b } },
});

describe('webhook secrets bound to project ids', () => {
  it.each([
    ['A by its id and path', { id: 1, path: 'shop/a' }, 'a-secret'],
    ['A, path case differs (GitLab routes ignore case)', { id: 1, path: 'Shop/A' }, 'a-secret'],
    ['B by id, any path (no path configured)', { id: 2, path: 'whatever/b' }, 'b-secret'],
    ['an unconfigured id', { id: 3, path: 'other/c' }, 'global'],
    ["B's id with an unconfigured path", { id: 2, path: 'x/y' }, 'b-secret'],
    ['A’s path with B’s id', { id: 2, path: 'shop/a' }, 'mismatch'],
    ['A’s id with another path', { id: 1, path: 'shop/b' }, 'mismatch'],
    ['A’s path and no id', { path: 'shop/a' }, 'mismatch'],
    ['no id, unconfigured path', { path: 'x/y' }, 'global'],
  ])('%s', (_name, project, expected) => {
    const choice = secretFor(secrets, project);
    expect(choice.kind === 'secret' ? choice.secret.reveal() : choice.kind).toBe(expected);
  });

  it('has nothing to check against when neither the project nor the global secret is set', () => {
    const none = projectHookSecrets({ projects: { '2': { webhookSecret: b } } });
    expect(secretFor(none, { id: 3, path: 'x' })).toEqual({ kind: 'none' });
    expect(secretFor(none, { id: 2, path: 'x' })).toMatchObject({ kind: 'secret' });
  });
});
