import type { StageStatus } from './pipeline.js';

/** What a job's JUnit reports say, as the pipeline record keeps it (bounded; docs/api.md). */
export interface TestReportSummary {
  passed: number;
  failed: number;
  /** Tests with an `<error>`: counted with failed in `failed`, kept apart here for people. */
  errors: number;
  skipped: number;
  /** The failed tests, at most `MAX_REPORTED_FAILURES`, each message clipped. */
  failures: TestFailure[];
  /** Why the reports were cut or refused (too large, not XML, too many files); absent when whole. */
  notes?: string[];
}

export interface TestFailure {
  /** `<classname> › <name>` or the name alone. */
  name: string;
  /** The failure's message (its `message` attribute or the text's first lines). */
  message: string;
}

/** One job of the test stage (its own runner), kept on the stage record. */
export interface TestJobRecord {
  name: string;
  status: StageStatus;
  reason?: string;
  /** The executor's handle of this job's runner, so a crash can destroy it. */
  runnerId?: string;
  startedAt?: string;
  finishedAt?: string;
  /** From the JUnit files the job's `reports.junit` matched; absent when it has none. */
  report?: TestReportSummary;
  /** The coverage percentage its `coverage` pattern found in the log. */
  coverage?: number;
}

/** Most failed tests a report summary keeps. */
export const MAX_REPORTED_FAILURES = 50;
/** Longest failure message (and test name) kept. */
export const MAX_FAILURE_TEXT = 1000;

/** The log key of a test job: `test` for the simple form, `test:<job>` for a named job. */
export function testJobLogKey(job: string, form: 'single' | 'jobs'): string {
  return form === 'single' ? 'test' : `test:${job}`;
}
