/**
 * One deploy, rollback or canary step, as the audit trail lists it: who, which commit and image,
 * when, outcome.
 */
export interface DeploymentEntry {
  pipelineId: string;
  project: { id: number; path: string };
  environment: string;
  /**
   * `deploy` (a merge, push, retry or manual run), `rollback` (a rollback pipeline), or `canary` (a
   * promote or abort of a canary step of the pipeline's deploy, decided through Ferry).
   */
  kind: 'deploy' | 'rollback' | 'canary';
  user: string;
  sha: string;
  imageDigest?: string;
  imageReference?: string;
  /** When the deploy stage ended (or started, while it runs). */
  at: string;
  /**
   * The deploy stage's status (`success`, `failed`, `canceled`, `running`); `rolled_back` when the
   * rollout failed and the environment went back to `rolledBackTo`. A canary step: `promoted` or
   * `aborted`.
   */
  outcome: string;
  rolledBackTo?: string;
  /** A canary step: which (`1/3 10%`), as the canary Deployment said when the decision was written. */
  canaryStep?: string;
}
