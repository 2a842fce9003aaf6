import { defineError } from '../define-error.js';

// GitLab webhook intake (POST /webhooks/gitlab).
export const WEBHOOK_UNAUTHORIZED = defineError(
  'FERRY_ERR_WEBHOOK_UNAUTHORIZED',
  401,
  'The X-Gitlab-Token header is missing or wrong. Set the webhook secret token in GitLab to the one Ferry is configured with.',
);
export const WEBHOOK_NOT_CONFIGURED = defineError(
  'FERRY_ERR_WEBHOOK_NOT_CONFIGURED',
  401,
  'Ferry has no webhook secret for this project: set FERRY_WEBHOOK_SECRET or gitlab.projects.<id>.webhookSecret.',
);
export const WEBHOOK_INVALID_PAYLOAD = defineError(
  'FERRY_ERR_WEBHOOK_INVALID_PAYLOAD',
  400,
  'The webhook payload is invalid at {field}: {reason}.',
);
export const WEBHOOK_NOT_JSON = defineError(
  'FERRY_ERR_WEBHOOK_NOT_JSON',
  415,
  'Webhooks must be sent as application/json (got {contentType}).',
);
export const WEBHOOK_MALFORMED_JSON = defineError(
  'FERRY_ERR_WEBHOOK_MALFORMED_JSON',
  400,
  'The webhook body is not valid JSON: {reason}.',
);
export const WEBHOOK_CLONE_HOST_REFUSED = defineError(
  'FERRY_ERR_WEBHOOK_CLONE_HOST_REFUSED',
  422,
  'The webhook names a clone URL on {origin}, which is not the configured GitLab: Ferry clones only from gitlab.url and gitlab.cloneHosts. Add the origin to gitlab.cloneHosts if it is yours.',
);
export const WEBHOOK_PROJECT_MISMATCH = defineError(
  'FERRY_ERR_WEBHOOK_PROJECT_MISMATCH',
  403,
  'The webhook names project id {id} with path {path}, which do not belong together in gitlab.projects ({reason}). Check that each configured project has GitLab’s id and path.',
);
