import type { Alert } from './alert.js';

/** Where alerts go (the WeCom group bots). Delivery is queued: it may happen later. */
export interface AlertChannel {
  post(alert: Alert, signal: AbortSignal): Promise<void>;
}
