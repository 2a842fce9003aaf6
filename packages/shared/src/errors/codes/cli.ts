import { defineError } from '../define-error.js';

// The `ferry` command line as an API client: what goes wrong before an answer from the API. Errors
// the API answers with keep the API's own code (docs/cli.md, "Exit codes").
export const CLI_NOT_LOGGED_IN = defineError(
  'FERRY_ERR_CLI_NOT_LOGGED_IN',
  401,
  'No Ferry server to talk to: run `ferry login URL` (or set FERRY_URL, or pass --server).',
);
export const CLI_CONTEXT_UNKNOWN = defineError(
  'FERRY_ERR_CLI_CONTEXT_UNKNOWN',
  404,
  'No context {name} (contexts: {known}); `ferry login URL --name {name}` creates it.',
);
export const CLI_UNREACHABLE = defineError(
  'FERRY_ERR_CLI_UNREACHABLE',
  503,
  'Ferry at {url} cannot be reached ({reason}); check the URL (`ferry context`) and that the server runs.',
);
export const CLI_INVALID_ARGUMENT = defineError(
  'FERRY_ERR_CLI_INVALID_ARGUMENT',
  400,
  'Invalid {what} "{value}": {reason}.',
);
export const CLI_CONFIG_UNREADABLE = defineError(
  'FERRY_ERR_CLI_CONFIG_UNREADABLE',
  500,
  'The CLI configuration {file} cannot be read ({reason}); fix or remove it, then `ferry login` again.',
);
