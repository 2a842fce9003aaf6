/** What alerts count (implemented on FerryMetrics). */
export interface AlertMetrics {
  /** `sent` (queued for the channel), `suppressed` (rate limit), `failed` (could not queue). */
  alert(kind: string, result: 'sent' | 'suppressed' | 'failed'): void;
}

export const nullAlertMetrics: AlertMetrics = { alert() {} };
