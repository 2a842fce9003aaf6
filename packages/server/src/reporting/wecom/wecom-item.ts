import type { Alert } from '../../alerts/alert.js';
import type { Notice } from './notice.js';

/** What waits in a bot's queue: a pipeline notice or an operational alert. */
export type WeComItem = { type: 'notice'; notice: Notice } | { type: 'alert'; alert: Alert };

export function isWeComItem(value: unknown): value is WeComItem {
  const item = value as Partial<WeComItem> | null | undefined;
  if (typeof item !== 'object' || item === null) return false;
  if (item.type === 'notice') return typeof (item as { notice?: unknown }).notice === 'object';
  if (item.type === 'alert') return typeof (item as { alert?: unknown }).alert === 'object';
  return false;
}
