import { defineError } from '../define-error.js';

// Pipeline actions (API and worker).
export const PIPELINE_NOT_FOUND = defineError('FERRY_ERR_PIPELINE_NOT_FOUND', 404, 'No pipeline {id}.');
export const PIPELINE_NOT_CANCELABLE = defineError(
  'FERRY_ERR_PIPELINE_NOT_CANCELABLE',
  409,
  'Pipeline {id} is {status} and can no longer be canceled.',
);
export const PIPELINE_NOT_WAITING_APPROVAL = defineError(
  'FERRY_ERR_PIPELINE_NOT_WAITING_APPROVAL',
  409,
  'Pipeline {id} is {status}, not waiting for approval.',
);
export const PIPELINE_NOT_RETRYABLE = defineError(
  'FERRY_ERR_PIPELINE_NOT_RETRYABLE',
  409,
  'Pipeline {id} is {status}; only a finished pipeline can be retried.',
);
export const PROJECT_UNKNOWN = defineError(
  'FERRY_ERR_PROJECT_UNKNOWN',
  404,
  'Ferry does not know project {project} yet: it learns projects from their first webhook.',
);
export const REF_NOT_ENVIRONMENT = defineError(
  'FERRY_ERR_REF_NOT_ENVIRONMENT',
  422,
  'Branch {ref} is not an environment branch (environments: {environments}).',
);
export const SHA_UNKNOWN = defineError(
  'FERRY_ERR_SHA_UNKNOWN',
  422,
  'Ferry has not seen a commit for {ref} of {project}; give the sha explicitly.',
);
export const STAGE_TIMED_OUT = defineError(
  'FERRY_ERR_STAGE_TIMED_OUT',
  504,
  'Stage {stage} timed out after {timeout}.',
);
export const APPROVAL_TIMED_OUT = defineError(
  'FERRY_ERR_APPROVAL_TIMED_OUT',
  504,
  'Nobody approved the deploy to {environment} within {timeout}.',
);
export const PIPELINE_NOT_ROLLBACKABLE = defineError(
  'FERRY_ERR_PIPELINE_NOT_ROLLBACKABLE',
  409,
  'Pipeline {id} cannot be rolled back to: {reason}. Pick a successful pipeline that built an image.',
);
export const PIPELINE_RECORD_FORMAT_UNSUPPORTED = defineError(
  'FERRY_ERR_PIPELINE_RECORD_FORMAT_UNSUPPORTED',
  500,
  'Pipeline {id} is stored in record format {format}, and this Ferry reads formats 1 to {supported}: a newer Ferry wrote it. Run that Ferry version (or a newer one) again; a downgrade cannot read it (docs/install.md#upgrade).',
);
export const PIPELINE_NO_CANARY_STEP = defineError(
  'FERRY_ERR_PIPELINE_NO_CANARY_STEP',
  409,
  'Pipeline {id} has no canary step to {decision}: {reason}.',
);
export const STAGE_END_PENDING = defineError(
  'FERRY_ERR_STAGE_END_PENDING',
  503,
  'The end of stage {stage} of pipeline {id} could not be stored (Redis unreachable); it waits in the journal {file}, and the next Ferry started with the same redis.journalDir stores it before it runs anything.',
);
export const STAGE_END_JOURNAL_UNREADABLE = defineError(
  'FERRY_ERR_STAGE_END_JOURNAL_UNREADABLE',
  500,
  'The stage-end journal entry {file} cannot be read ({reason}); it was moved aside to {file}.bad. Check which stage of which pipeline it held, and retry that pipeline if its stage shows running.',
);
