import type { TestReportSummary } from '@ferry/shared';

/** "2 of 10 tests failed, 1 skipped" / "10 tests passed": a report's counts for people. Pure. */
export function reportText(report: TestReportSummary): string {
  const total = report.passed + report.failed + report.skipped;
  if (total === 0) return report.notes?.length ? 'no test results read' : 'no tests in the reports';
  const skipped = report.skipped > 0 ? `, ${report.skipped} skipped` : '';
  if (report.failed > 0) return `${report.failed} of ${total} tests failed${skipped}`;
  return `${report.passed} tests passed${skipped}`;
}
