export type { FaultSpec, OutageSetting } from '../shared/fault-injector.js';
export type { RecordedRequest } from '../shared/recorded-request.js';
export {
  MARKDOWN_MAX_BYTES,
  MSG_TYPES,
  NEWS_MAX_ARTICLES,
  TEXT_MAX_BYTES,
  type Validation,
  validateMessage,
  validateRawMessage,
  type WeComMessage,
  type WeComMsgType,
} from './message-validation.js';
export { ManualClock, SlidingWindowLimiter } from './rate-limiter.js';
export {
  type DeliveredMessage,
  startWeComDouble,
  type WeComDouble,
  type WeComDoubleOptions,
} from './wecom-double.js';
export * from './wecom-errors.js';
