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
  '{who} has role {role}; this action needs {needed}.',
);
// Sign-in by a reverse-proxy header (auth.proxy); only from a trusted proxy.
export const API_PROXY_USER_INVALID = defineError(
  'FERRY_ERR_API_PROXY_USER_INVALID',
  400,
  'The sign-in proxy sent a {header} header that is not a user name ({reason}); it must be 1–128 letters, digits or . _ @ + -, starting with a letter or digit.',
);
export const API_PROXY_USER_NO_ROLE = defineError(
  'FERRY_ERR_API_PROXY_USER_NO_ROLE',
  403,
  'User {name} is signed in by the proxy but has no role in Ferry; add them to auth.proxy.users or set auth.proxy.defaultRole.',
);
export const API_INVALID_INPUT = defineError(
  'FERRY_ERR_API_INVALID_INPUT',
  400,
  'Invalid request: {reason}.',
);
// Live stage-log followers past a cap (limits.logFollowers); Retry-After says when to try again.
export const API_LOG_FOLLOWERS_LIMIT = defineError(
  'FERRY_ERR_API_LOG_FOLLOWERS_LIMIT',
  429,
  'Too many live log followers ({scope} limit {limit}); close one or retry after {retryAfter} s. Operators raise limits.logFollowers.',
);
