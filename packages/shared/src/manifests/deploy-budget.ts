import type { ResolvedPlan } from '../pipeline-spec/plan.js';

/** Ferry's own slack over each rollout's progress deadline (the runner's no-progress deadline). */
const ROLLOUT_SLACK_MS = 15_000;
/** Applying objects, reading diagnostics, deleting the canary. */
const OVERHEAD_MS = 60_000;

/**
 * How long change pod may take at most with automatic canary promotion: a rollout and a rollback,
 * each up to the progress deadline, plus for each canary step below 100% its rollout and pause.
 * The runner stops itself after this; an executor's stage timeout should not be shorter. Pure.
 */
export function deployTimeBudgetMs(plan: Pick<ResolvedPlan, 'deploy' | 'canary'>): number {
  const rollout = plan.deploy.rollout.progressDeadlineMs + ROLLOUT_SLACK_MS;
  const steps = plan.canary === null ? 0 : plan.canary.steps.filter((p) => p < 100).length;
  const canary = plan.canary === null ? 0 : steps * (rollout + plan.canary.pauseMs);
  return 2 * rollout + canary + OVERHEAD_MS;
}
