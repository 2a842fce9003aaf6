import { defineError } from '../define-error.js';

// HTTP and infrastructure errors of the server.

export const REDIS_EMBEDDED_FAILED = defineError(
  'FERRY_ERR_REDIS_EMBEDDED_FAILED',
  500,
  'The embedded Redis could not start: {reason}. Install redis-server or set FERRY_REDIS_URL.',
);
export const REDIS_UNAVAILABLE = defineError(
  'FERRY_ERR_REDIS_UNAVAILABLE',
  503,
  'Redis is unavailable ({reason}); the request was not accepted. Retry later.',
);
export const NOT_FOUND = defineError('FERRY_ERR_HTTP_NOT_FOUND', 404, 'No route {method} {url}.');
export const BAD_REQUEST = defineError(
  'FERRY_ERR_HTTP_BAD_REQUEST',
  400,
  'The request is malformed: {reason}',
);
export const BODY_TOO_LARGE = defineError(
  'FERRY_ERR_HTTP_BODY_TOO_LARGE',
  413,
  'The request body is too large: {reason}.',
);
export const UNSUPPORTED_MEDIA_TYPE = defineError(
  'FERRY_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE',
  415,
  'The request has an unsupported content type: {reason}.',
);
