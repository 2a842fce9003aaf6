import type { GitServer, TestRepo } from '../git/git-server.js';
import type { GitLabDouble } from './gitlab-double.js';

export interface HostProjectInput {
  git: GitServer;
  gitlab: GitLabDouble;
  project: { id: number; path: string };
  /** The first commit on `main`. */
  files: Record<string, string | Uint8Array>;
  /** Environment branches made at `main` (default `['test']`). */
  branches?: string[];
}

/**
 * A project as GitLab hosts it: its repository on the git server (`main`, and environment branches
 * at the same commit), known to the GitLab double with that repository as `http_url_to_repo`.
 */
export async function hostProject(input: HostProjectInput): Promise<TestRepo> {
  const { git, gitlab, project } = input;
  const repo = await git.createRepo(project.path, input.files, 'main');
  const main = await repo.head('main');
  const branches: Record<string, string> = { main };
  for (const branch of input.branches ?? ['test']) {
    await repo.createBranch(branch, 'main');
    branches[branch] = main;
  }
  gitlab.projects.addProject({
    id: project.id,
    path_with_namespace: project.path,
    default_branch: 'main',
    branches,
    instanceUrl: gitlab.url,
    httpUrlToRepo: repo.cloneUrl,
  });
  return repo;
}
