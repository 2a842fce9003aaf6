import { buildMergeRequestHook, buildPushHook, sendWebhook } from '@ferry/doubles/gitlab';
import { testWebhookSecret } from '../../support/ferry.js';
import { fileAt, type ReleaseWorld } from './release-world.js';

export type Hook = 'Merge Request Hook' | 'Push Hook';

export interface HookAnswer {
  status: number;
  result?: string;
  pipelineId?: string;
}

export const merger = { username: 'li.wei', name: 'Li Wei' };

/** What a merge needs: the project's repository, the GitLab double that hosts it, and a Ferry. */
export type MergeWorld = Pick<ReleaseWorld, 'repo' | 'gitlab' | 'project'> & { ferry: { url: string } };

/**
 * Merges a feature branch carrying `files` into `test` (a merge commit, as GitLab merges), makes
 * the commit and its `.ferry.yml` known to the GitLab double, and sends the hooks GitLab sends, in
 * `hookOrder`. Returns the merge sha and Ferry's answers, in order.
 */
export async function mergeIntoTest(
  w: MergeWorld,
  iid: number,
  title: string,
  files: Record<string, string | Uint8Array | null>,
  hookOrder: readonly Hook[],
  ferryUrl = w.ferry.url,
): Promise<{ sha: string; answers: HookAnswer[] }> {
  const feature = `feature/${iid}-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`.slice(0, 60);
  const before = await w.repo.head('test');
  await w.repo.createBranch(feature, 'test');
  const last = await w.repo.commit(files, title, feature);
  const sha = await w.repo.merge({
    from: feature,
    into: 'test',
    message: `Merge branch '${feature}' into 'test'\n\n${title}\n\nSee merge request ${w.project.path}!${iid}`,
  });
  w.gitlab.projects.setBranch(w.project.id, 'test', sha);
  w.gitlab.projects.addCommit(w.project.id, last, [feature]);
  const override = await fileAt(w.repo, sha, '.ferry.yml');
  if (override !== undefined) w.gitlab.projects.setFile(w.project.id, sha, '.ferry.yml', override);

  const project = {
    id: w.project.id,
    pathWithNamespace: w.project.path,
    gitHttpUrl: w.repo.cloneUrl,
    instanceUrl: w.gitlab.url,
  };
  const payloads = {
    'Merge Request Hook': buildMergeRequestHook({
      action: 'merge',
      iid,
      title,
      sourceBranch: feature,
      targetBranch: 'test',
      mergeCommitSha: sha,
      lastCommit: { id: last, message: title },
      user: merger,
      project,
    }),
    'Push Hook': buildPushHook({
      branch: 'test',
      before,
      after: sha,
      commits: [
        { id: sha, message: `Merge branch '${feature}' into 'test'` },
        { id: last, message: title },
      ],
      user: merger,
      project,
    }),
  } as const;
  const answers: HookAnswer[] = [];
  for (const event of hookOrder) {
    const delivery = await sendWebhook(`${ferryUrl}/webhooks/gitlab`, event, payloads[event], {
      token: testWebhookSecret,
    });
    answers.push({ status: delivery.status, ...(delivery.json as { result?: string; pipelineId?: string }) });
  }
  return { sha, answers };
}
