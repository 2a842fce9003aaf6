import { defineError } from '../define-error.js';

// REST API authentication and input.
export const API_UNAUTHENTICATED = defineError(
  'FERRY_ERR_API_UNAUTHENTICATED',
  401,
  'This request needs a bearer token (Authorization: Bearer <token>).',
);
export const API_FORBIDDEN = defineError(
  'FERRY_ERR_API_FORBIDDEN',
  403,
  'Token {name} has role {role}; this action needs {needed}.',
);
export const API_INVALID_INPUT = defineError(
  'FERRY_ERR_API_INVALID_INPUT',
  400,
  'Invalid request: {reason}.',
);
