import { defineError } from '../define-error.js';

// Build and push, and change pod: what the runner's `build` and `deploy` subcommands fail with.
// Each message names what to change; none carries a secret.
export const RELEASE_INVALID_JOB = defineError(
  'FERRY_ERR_RELEASE_INVALID_JOB',
  422,
  'ferry-runner {command} cannot start: {reason}.',
);
export const RELEASE_PATH_OUTSIDE_WORKSPACE = defineError(
  'FERRY_ERR_RELEASE_PATH_OUTSIDE_WORKSPACE',
  422,
  'The build {what} "{path}" is not inside the repository ({reason}); set stages.build.{what} to a relative path inside it.',
);
export const RELEASE_DOCKERFILE_INVALID = defineError(
  'FERRY_ERR_RELEASE_DOCKERFILE_INVALID',
  422,
  'The Dockerfile {file} cannot be built: {reason}.',
);
export const RELEASE_BASE_IMAGE_NOT_ALLOWED = defineError(
  'FERRY_ERR_RELEASE_BASE_IMAGE_NOT_ALLOWED',
  422,
  '{file}:{line}: {instruction} uses {image}, which is not an allowed base image (allowed: {patterns}); build from an allowed image, or ask the operators to allow it.',
);
export const RELEASE_DOCKER_UNREACHABLE = defineError(
  'FERRY_ERR_RELEASE_DOCKER_UNREACHABLE',
  503,
  'The Docker engine that builds images is unreachable at {endpoint} ({reason}); check DOCKER_HOST or the build daemon the executor gives the runner.',
);
export const RELEASE_BUILD_FAILED = defineError(
  'FERRY_ERR_RELEASE_BUILD_FAILED',
  422,
  'The image build failed: {reason}.',
);
export const RELEASE_REGISTRY_UNAUTHORIZED = defineError(
  'FERRY_ERR_RELEASE_REGISTRY_UNAUTHORIZED',
  502,
  "The registry {registry} refused the credentials of user {user} ({reason}); check registry.username and registry.password in Ferry's configuration.",
);
export const RELEASE_PUSH_FAILED = defineError(
  'FERRY_ERR_RELEASE_PUSH_FAILED',
  502,
  'Pushing {image} failed: {reason}.',
);
export const RELEASE_MANIFEST_UNREADABLE = defineError(
  'FERRY_ERR_RELEASE_MANIFEST_UNREADABLE',
  502,
  'The pushed image {image} cannot be read back from the registry ({reason}).',
);
export const RELEASE_IMAGE_NOT_PINNED = defineError(
  'FERRY_ERR_RELEASE_IMAGE_NOT_PINNED',
  422,
  'The image {image} does not name one build ({reason}); deploy by digest (repo@sha256:…) or by the commit tag.',
);
export const RELEASE_CLUSTER_UNREACHABLE = defineError(
  'FERRY_ERR_RELEASE_CLUSTER_UNREACHABLE',
  503,
  "The Kubernetes API {server} is unreachable or refuses Ferry ({reason}); check the environment's kubeconfig and the runner's permissions.",
);
export const RELEASE_APPLY_FAILED = defineError(
  'FERRY_ERR_RELEASE_APPLY_FAILED',
  502,
  'Applying {kind} {name} in namespace {namespace} failed: {reason}.',
);
export const RELEASE_ROLLOUT_FAILED = defineError(
  'FERRY_ERR_RELEASE_ROLLOUT_FAILED',
  422,
  "The rollout of {deployment} in {namespace} failed ({reason}); rolled back to {rolledBackTo}. The pods' reasons and last log lines are in the stage log.",
);
export const RELEASE_ROLLOUT_FAILED_NO_PREVIOUS = defineError(
  'FERRY_ERR_RELEASE_ROLLOUT_FAILED_NO_PREVIOUS',
  422,
  "The rollout of {deployment} in {namespace} failed ({reason}); this was its first version, so there is nothing to roll back to and it is left as it is. The pods' reasons and last log lines are in the stage log.",
);
export const RELEASE_ROLLBACK_FAILED = defineError(
  'FERRY_ERR_RELEASE_ROLLBACK_FAILED',
  500,
  'The rollout of {deployment} in {namespace} failed ({reason}), and rolling back to {target} failed too ({rollbackReason}); the operators must look at it.',
);
export const RELEASE_CANARY_ABORTED = defineError(
  'FERRY_ERR_RELEASE_CANARY_ABORTED',
  422,
  'The canary of {deployment} in {namespace} was aborted at step {step} ({reason}); the canary is removed and {deployment} still runs {current}.',
);
