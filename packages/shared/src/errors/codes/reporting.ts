import { defineError } from '../define-error.js';

// Reporting to GitLab (commit statuses, the project's override file) and to WeCom group bots.

export const GITLAB_NOT_CONFIGURED = defineError(
  'FERRY_ERR_REPORTING_GITLAB_NOT_CONFIGURED',
  500,
  'GitLab is not configured: set gitlab.url and gitlab.token to {purpose}.',
);
export const GITLAB_FILE_UNREADABLE = defineError(
  'FERRY_ERR_REPORTING_GITLAB_FILE_UNREADABLE',
  502,
  'Ferry could not read {file} of {project} at {sha} from GitLab: {reason}. Check gitlab.url and that the token can read the repository (Reporter role or higher).',
);
export const GITLAB_FILE_TOO_LARGE = defineError(
  'FERRY_ERR_REPORTING_GITLAB_FILE_TOO_LARGE',
  422,
  '{file} of {project} at {sha} is {size} bytes; a pipeline file may have at most {limit} bytes.',
);
export const GITLAB_STATUS_REFUSED = defineError(
  'FERRY_ERR_REPORTING_GITLAB_STATUS_REFUSED',
  502,
  'GitLab refused the commit status {name} for {project}@{sha} with {status} ({reason}); statuses for it are dropped until this is fixed. Check gitlab.url and that the user of gitlab.token may push or merge to the branch (Developer on unprotected branches; on a protected branch, a role its "Allowed to merge" or "Allowed to push" setting lets in).',
);
export const GITLAB_BRANCH_NOT_WRITABLE = defineError(
  'FERRY_ERR_REPORTING_GITLAB_BRANCH_NOT_WRITABLE',
  502,
  'GitLab will refuse commit statuses and deployments of {project} on branch {branch} ({reason}). GitLab only lets a user who may push or merge to a branch post statuses on it: give the user of gitlab.token a role that the branch\'s "Allowed to merge" setting lets in (Settings › Repository › Protected branches), or the Maintainer role.',
);
export const GITLAB_STATUS_INVALID = defineError(
  'FERRY_ERR_REPORTING_GITLAB_STATUS_INVALID',
  502,
  'GitLab rejected the commit status {name} for {project}@{sha} as invalid ({reason}); it is dropped.',
);
export const WECOM_BAD_KEY = defineError(
  'FERRY_ERR_REPORTING_WECOM_BAD_KEY',
  502,
  'WeCom answered 93000 (invalid webhook url) for bot {bot}: its key is wrong or the bot was removed from the group. Ferry stops sending to it until restarted; fix wecom.bots[{bot}].key.',
);
export const WECOM_REJECTED = defineError(
  'FERRY_ERR_REPORTING_WECOM_REJECTED',
  502,
  'WeCom rejected a message for bot {bot} with errcode {errcode} ({errmsg}); it is dropped.',
);
