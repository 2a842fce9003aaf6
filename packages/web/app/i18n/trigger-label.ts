import type { Pipeline } from '../api/types';
import type { MessageKey } from './messages-en';

/** The words for how a pipeline came to be (its `trigger`), as message keys. */
export const triggerKeys: Readonly<Record<Pipeline['trigger'], MessageKey>> = {
  push: 'trigger.push',
  merge: 'trigger.merge',
  manual: 'trigger.manual',
  retry: 'trigger.retry',
  rollback: 'trigger.rollback',
  merge_request: 'trigger.merge_request',
};
