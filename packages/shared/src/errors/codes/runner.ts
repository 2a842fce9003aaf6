import { defineError } from '../define-error.js';

// The contract between server and runner (packages/shared/src/runner-contract): a runner image and
// a server that do not speak the same version, or a result line the server cannot read.
export const RUNNER_CONTRACT_MISMATCH = defineError(
  'FERRY_ERR_RUNNER_CONTRACT_MISMATCH',
  502,
  'The runner image speaks runner contract version {runner}, this Ferry server speaks {server}; run the runner image built from the same Ferry version as the server (executor.docker.runnerImage or executor.kubernetes.runnerImage; scripts/lib/runner-image.sh builds it).',
);
export const RUNNER_RESULT_INVALID = defineError(
  'FERRY_ERR_RUNNER_RESULT_INVALID',
  502,
  'The {stage} runner printed a result line this server cannot read ({reason}); the runner image and the server must come from the same Ferry version.',
);
