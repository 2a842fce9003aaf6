import { applyRequestedState, type RequestedState, TERMINAL_STATES } from './commit-status-machine.js';
import type { CommitStatusStore, StoredStatus } from './commit-status-store.js';
import type { GitLabUser } from './gitlab-users.js';
import { branchesContaining, resolveCommit, type StoredProject } from './project-store.js';

/**
 * `POST /projects/:id/statuses/:sha` after authentication, parameter validation and the
 * permission check: the steps of GitLab's `Ci::CreateCommitStatusService`, in its order.
 */

export interface PostStatusParams {
  sha: string;
  state: RequestedState;
  ref?: string;
  name?: string;
  context?: string;
  target_url?: string;
  description?: string;
  coverage?: number;
  pipeline_id?: number;
}

export type PostStatusResult =
  | { ok: true; status: StoredStatus }
  | { ok: false; httpStatus: number; body: { message: unknown } };

const notFound = (what: string): PostStatusResult => ({
  ok: false,
  httpStatus: 404,
  body: { message: `404 ${what} Not Found` },
});

export function postCommitStatus(
  store: CommitStatusStore,
  project: StoredProject,
  user: GitLabUser,
  params: PostStatusParams,
  now: Date,
  /** `Gitlab::UserAccess#can_push_or_merge_to_branch?` for the user (see branch-access.ts). */
  mayUpdate: (ref: string) => boolean = () => true,
): PostStatusResult {
  const sha = resolveCommit(project, params.sha);
  if (sha === undefined) return notFound('Commit');

  const matching = store.firstMatchingPipeline(project.id, sha, params.ref, params.pipeline_id);
  const ref = params.ref ?? matching?.ref ?? branchesContaining(project, sha)[0];
  if (ref === undefined) return notFound('References for commit');
  if (params.pipeline_id !== undefined && matching === undefined) {
    return notFound('Pipeline for pipeline_id, sha and ref');
  }

  // find_or_create_pipeline runs (and saves a new external pipeline) before the ability check:
  // `return forbidden unless ::Ability.allowed?(current_user, :update_pipeline, pipeline)`, which
  // `Ci::PipelinePolicy` denies unless the user may push or merge to the pipeline's ref.
  const pipeline = matching ?? store.createPipeline(project.id, sha, ref, now);
  if (!mayUpdate(pipeline.ref)) return { ok: false, httpStatus: 403, body: { message: '403 Forbidden' } };
  const name = params.name ?? params.context ?? 'default';
  const existing = store.findOpen(pipeline.id, ref, name, user.id);

  const errors = validateAttributes({ ...params, ref, name });
  if (errors) return { ok: false, httpStatus: 400, body: { message: errors } };

  const from = existing?.status ?? 'created';
  const result = applyRequestedState(from, params.state);
  if (!result.ok) return { ok: false, httpStatus: 400, body: { message: result.message } };

  const status = existing ?? store.newStatus(pipeline, name, user.id, now);
  if (params.target_url !== undefined) status.targetUrl = params.target_url;
  if (params.description !== undefined) status.description = params.description;
  if (params.coverage !== undefined) status.coverage = params.coverage;
  for (const step of result.path) {
    if (step === 'pending') status.queuedAt = now;
    if (step === 'running') status.startedAt = now;
    if (TERMINAL_STATES.includes(step) && step !== 'skipped') status.finishedAt = now;
  }
  status.status = result.status;
  if (!existing) store.insert(status);
  store.record({
    projectId: project.id,
    sha,
    ref,
    name,
    statusId: status.id,
    pipelineId: pipeline.id,
    requested: params.state,
    from,
    to: result.status,
    targetUrl: status.targetUrl,
    description: status.description,
    at: now,
  });
  return { ok: true, status };
}

/** ActiveRecord validations of `CommitStatus` / `GenericCommitStatus` (message per attribute). */
function validateAttributes(attrs: {
  ref: string;
  name: string;
  target_url?: string;
  description?: string;
}): Record<string, string[]> | undefined {
  const errors: Record<string, string[]> = {};
  const add = (field: string, message: string) => {
    errors[field] = [...(errors[field] ?? []), message];
  };
  const tooLong = (field: string, value: string | undefined) => {
    if (value !== undefined && Array.from(value).length > 255)
      add(field, 'is too long (maximum is 255 characters)');
  };
  if (attrs.name.trim() === '') add('name', "can't be blank");
  tooLong('ref', attrs.ref);
  tooLong('target_url', attrs.target_url);
  tooLong('description', attrs.description);
  if (attrs.target_url !== undefined && !isHttpUrl(attrs.target_url)) {
    add('target_url', 'is blocked: Only allowed schemes are http, https');
  }
  return Object.keys(errors).length === 0 ? undefined : errors;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Statuses `GET .../commits/:sha/statuses` shows: latest only unless `all`. */
export function visibleStatuses(statuses: StoredStatus[], all: boolean): StoredStatus[] {
  return all ? statuses : statuses.filter((s) => !s.retried);
}
