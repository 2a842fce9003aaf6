import { defineError } from '../define-error.js';

// Executors (local, docker): what stops a runner from being created or reached. How a stage
// ended (exit code, timeout, image missing) is its result, not an error; a result that needs a
// stable code (the runner image missing) gives it at the start of its reason.
export const EXECUTOR_RUNNER_UNKNOWN = defineError(
  'FERRY_ERR_EXECUTOR_RUNNER_UNKNOWN',
  404,
  'The {kind} executor has no runner {id} to {action}: it was never prepared here, or Ferry restarted since (destroy it and run the stage again).',
);
export const EXECUTOR_IMAGE_NOT_ALLOWED = defineError(
  'FERRY_ERR_EXECUTOR_IMAGE_NOT_ALLOWED',
  422,
  'The {what} image {image} is not allowed here (executor.allowedImages: {patterns}); run it from an allowed image, or ask the operators to allow this one.',
);
export const EXECUTOR_INVALID_JOB = defineError(
  'FERRY_ERR_EXECUTOR_INVALID_JOB',
  422,
  'The {kind} executor cannot run stage {stage} of pipeline {pipelineId}: {reason}.',
);
export const EXECUTOR_ENGINE_UNREACHABLE = defineError(
  'FERRY_ERR_EXECUTOR_ENGINE_UNREACHABLE',
  503,
  'The Docker engine is unreachable at {socketPath} ({reason}); check executor.docker.socketPath and that dockerd runs.',
);
export const EXECUTOR_RUNNER_PROGRAM_MISSING = defineError(
  'FERRY_ERR_EXECUTOR_RUNNER_PROGRAM_MISSING',
  500,
  'The runner program is missing at {path}; build it with npm run build (packages/runner/dist).',
);
export const EXECUTOR_RUNNER_IMAGE_MISSING = defineError(
  'FERRY_ERR_EXECUTOR_RUNNER_IMAGE_MISSING',
  500,
  'The runner image {image} cannot be had: {problem}. Build it on the Docker host from a Ferry checkout with `npx tsc -b && RUNNER_TAG={image} bash scripts/lib/runner-image.sh --production`, or push it to a registry the host pulls from (executor.docker.runnerImage names it).',
);
export const EXECUTOR_ALREADY_STARTED = defineError(
  'FERRY_ERR_EXECUTOR_ALREADY_STARTED',
  409,
  'Runner {id} was already started; prepare a new runner to run the stage again.',
);
export const EXECUTOR_STAGE_USER_MISSING = defineError(
  'FERRY_ERR_EXECUTOR_STAGE_USER_MISSING',
  500,
  'Ferry runs as root, so the local executor runs stages as the unprivileged user {user}, which does not exist: create it (useradd --system --user-group --no-create-home --shell /usr/sbin/nologin {user}; `npm run serve` does this) or set executor.local.user.',
);
