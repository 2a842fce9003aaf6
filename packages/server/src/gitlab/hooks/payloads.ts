import { z } from 'zod';

/**
 * The parts of GitLab's webhook payloads Ferry reads (Push Hook, Tag Push Hook, Merge Request
 * Hook). Everything else GitLab sends is allowed and ignored. Strings are bounded so a hostile
 * payload cannot make Ferry store megabytes per field.
 */
const text = (max: number) => z.string().max(max);
const sha = z.string().regex(/^[0-9a-f]{40}$|^[0-9a-f]{64}$/, 'a full commit sha');

export const projectSchema = z.looseObject({
  id: z.number().int().positive(),
  path_with_namespace: text(512).min(1),
  web_url: text(2048),
  git_http_url: text(2048),
});

/** Only the built commit is read and validated (GitLab lists up to 20 per push). */
export const commitSchema = z.looseObject({
  id: text(64),
  title: text(100_000).optional(),
  message: text(1_000_000).optional(),
});

export const pushHookSchema = z.looseObject({
  object_kind: z.enum(['push', 'tag_push']),
  ref: text(1024).min(1),
  before: text(64).optional(),
  after: text(64),
  checkout_sha: sha.nullable().optional(),
  user_username: text(255).optional().default(''),
  user_name: text(255).optional().default(''),
  project: projectSchema,
  commits: z.array(z.unknown()).max(10_000).optional().default([]),
});
export type PushHook = z.infer<typeof pushHookSchema>;

export const mergeRequestHookSchema = z.looseObject({
  object_kind: z.literal('merge_request'),
  user: z.looseObject({ username: text(255), name: text(255).optional().default('') }),
  project: projectSchema,
  object_attributes: z.looseObject({
    iid: z.number().int().positive(),
    title: text(100_000).optional().default(''),
    source_branch: text(1024),
    target_branch: text(1024),
    action: text(64).optional(),
    state: text(64).optional(),
    url: text(2048).optional().default(''),
    /**
     * Set only when the merge wrote a merge commit (merge commit and semi-linear methods); null for
     * a fast-forward merge, squashed or not. GitLab's hook never carries the squash commit's sha
     * (`Gitlab::HookData::MergeRequestBuilder::SAFE_HOOK_ATTRIBUTES`, GitLab 17.x).
     */
    merge_commit_sha: sha.nullable().optional(),
    /** The source branch head (`diff_head_commit`), not what the target branch has after a merge. */
    last_commit: z.looseObject({ id: sha, title: text(100_000).optional() }).optional(),
    /** Present on `update` only when the update pushed new commits (GitLab's webhook docs). */
    oldrev: sha.nullable().optional(),
    source_project_id: z.number().int().positive().optional(),
    target_project_id: z.number().int().positive().optional(),
    /** The source project (a fork's, for merge requests from forks). */
    source: z
      .looseObject({ git_http_url: text(2048).optional(), path_with_namespace: text(512).optional() })
      .nullable()
      .optional(),
  }),
});
export type MergeRequestHook = z.infer<typeof mergeRequestHookSchema>;
