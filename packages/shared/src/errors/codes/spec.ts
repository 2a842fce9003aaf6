import { defineError } from '../define-error.js';

// Pipeline spec errors (owned by packages/shared/src/spec).
export const SPEC_INVALID = defineError(
  'FERRY_ERR_SPEC_INVALID',
  422,
  'The pipeline file {file} is invalid ({count} problem(s)); see details for file, line, column and what is allowed.',
);
export const SPEC_UNRESOLVABLE = defineError(
  'FERRY_ERR_SPEC_UNRESOLVABLE',
  422,
  'The pipeline spec cannot be resolved for environment {env} ({count} problem(s)); see details, and set service:, group: or the named keys in .ferry.yml.',
);
export const SPEC_ENVIRONMENT_UNKNOWN = defineError(
  'FERRY_ERR_SPEC_ENVIRONMENT_UNKNOWN',
  422,
  'The pipeline spec has no environment {env}; it has: {known}.',
);
