import { type GitLabDouble, randomSha, startGitLabDouble } from '@ferry/doubles/gitlab';
import { afterEach, beforeEach } from 'vitest';
import { ScriptedRunner } from '../../support/scripted-runner.js';
import { type ReportingFerry, type ReportingFerryOptions, startReportingFerry } from './reporting-ferry.js';

export interface GitLabWorld {
  /** The GitLab double of the current test (a fresh one per test). */
  gitlab: GitLabDouble;
  runner: ScriptedRunner;
  /** A Ferry reporting to `gitlab` with `runner`, closed after the test. */
  start(options?: Omit<ReportingFerryOptions, 'gitlab' | 'runner'>): Promise<ReportingFerry>;
  /** A new head of `branch` that GitLab knows. */
  commit(branch?: string): string;
}

/**
 * Per test: a GitLab double holding one project, a scripted runner, and the Ferries started with
 * `start` (closed afterwards). Call inside `describe`.
 */
export function useGitLabWorld(project: { id: number; path: string }): GitLabWorld {
  const running: ReportingFerry[] = [];
  const world = {
    runner: new ScriptedRunner(),
    async start(options: Omit<ReportingFerryOptions, 'gitlab' | 'runner'> = {}) {
      const t = await startReportingFerry({ gitlab: world.gitlab, runner: world.runner, ...options });
      running.push(t);
      return t;
    },
    commit(branch = 'test') {
      const sha = randomSha();
      world.gitlab.projects.setBranch(project.id, branch, sha);
      return sha;
    },
  } as GitLabWorld;
  beforeEach(async () => {
    world.gitlab = await startGitLabDouble();
    world.gitlab.projects.addProject({
      id: project.id,
      path_with_namespace: project.path,
      default_branch: 'master',
    });
    world.runner = new ScriptedRunner();
  });
  afterEach(async () => {
    for (const t of running.splice(0)) await t.close();
    await world.gitlab.close();
  });
  return world;
}
