export type { FaultSpec, OutageSetting } from '../shared/fault-injector.js';
export type { RecordedRequest } from '../shared/recorded-request.js';
export {
  applyRequestedState,
  type JobStatus,
  REQUESTED_STATES,
  type RequestedState,
  transitionMessage,
} from './commit-status-machine.js';
export type { StatusTransition, StoredPipeline, StoredStatus } from './commit-status-store.js';
export { gitlabCommitTitle } from './commit-title.js';
export { type GitLabFixtureName, loadGitLabFixture, loadGitLabHeaderFixture } from './fixtures.js';
export { type GitLabDouble, type GitLabDoubleOptions, startGitLabDouble } from './gitlab-double.js';
export type { GitLabRole, GitLabUser } from './gitlab-users.js';
export { type HostProjectInput, hostProject } from './host-project.js';
export {
  MERGE_METHODS_AND_SQUASH,
  type MergeEventsInput,
  type MergeMethod,
  mergeEvents,
} from './merge-events.js';
export { type MergedIntoBranch, type MergeIntoBranchInput, mergeIntoBranch } from './merge-into-branch.js';
export { MergeRequestStore, type StoredMergeRequest } from './merge-request-store.js';
export { type AddProjectInput, ProjectStore, type StoredProject } from './project-store.js';
export * from './webhook-sender.js';
export type * from './webhook-types.js';
