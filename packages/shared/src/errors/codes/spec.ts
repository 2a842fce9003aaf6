import { defineError } from '../define-error.js';

// Pipeline spec errors (owned by packages/shared/src/spec).
export const SPEC_INVALID = defineError(
  'FERRY_ERR_SPEC_INVALID',
  422,
  'The pipeline file {file} is invalid ({count} problem(s)); see details for file, line, column and what is allowed.',
);
