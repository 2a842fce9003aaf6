import type { FerryConfig, Logger } from '@ferry/shared';
import { NoopStageRunner } from '../stages/noop-stage-runner.js';
import type { StageRunner } from '../stages/stage-runner.js';

/** The stage runner for the configured executor. */
export function stageRunnerFor(config: FerryConfig, logger: Logger): StageRunner {
  switch (config.executor.kind) {
    case 'noop':
      return new NoopStageRunner({ durationMs: config.executor.noop.stageDuration });
    default:
      // The process, Docker and Kubernetes executors arrive with issue 4; until then stages run as no-ops.
      logger.warn({ executor: config.executor.kind }, 'executor not implemented yet: stages run as no-ops');
      return new NoopStageRunner({ durationMs: config.executor.noop.stageDuration });
  }
}
