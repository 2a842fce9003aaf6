import { defineError } from '../define-error.js';

// Engine configuration errors (owned by packages/shared/src/config).
export const CONFIG_INVALID = defineError(
  'FERRY_ERR_CONFIG_INVALID',
  500,
  'The Ferry configuration is invalid: {reason}',
);
export const CONFIG_UNREADABLE = defineError(
  'FERRY_ERR_CONFIG_UNREADABLE',
  500,
  'The Ferry configuration file {path} cannot be read ({reason}); check FERRY_CONFIG.',
);
