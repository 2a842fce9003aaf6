/** What reporting counts (implemented on FerryMetrics; a no-op for tests that do not look). */
export interface ReportingMetrics {
  /** One send attempt's outcome: `sent`, `skipped`, `duplicate`, `retry`, `rejected`, `bad_key`, `dropped`, `rate_limited`. */
  send(reporter: string, result: string): void;
  /** A WeCom bot was disabled (93000) or enabled again. */
  botDisabled(bot: string, disabled: boolean): void;
  /** A reporter started or stopped failing. */
  reporterFailing(reporter: string, failing: boolean): void;
}

export const nullReportingMetrics: ReportingMetrics = {
  send() {},
  botDisabled() {},
  reporterFailing() {},
};
