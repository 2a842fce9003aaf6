import { defineError } from '../define-error.js';

export const INTERNAL = defineError(
  'FERRY_ERR_INTERNAL',
  500,
  'Ferry hit an unexpected error ({reason}). It is logged with the request id; report it if it repeats.',
);
export const ABORTED = defineError('FERRY_ERR_ABORTED', 499, 'The operation was aborted: {reason}.');
