import {
  CoverageScanner,
  emptySummary,
  ReportCapture,
  readJUnit,
  type TestReportSummary,
} from '@ferry/shared';
import type { StageJob } from '../executors/executor.js';
import type { LogStream } from '../logs/log-sink.js';
import type { MaskingSink } from '../logs/masking-sink.js';

/**
 * What a test job's log gives besides the log: its report files (taken out of stdout, see the
 * runner contract's report-lines.ts) and its coverage (the job's pattern over every log line).
 * Wraps the sink the log goes to.
 */
export class JobCapture {
  readonly #reports: ReportCapture | undefined;
  readonly #coverage: CoverageScanner | undefined;
  readonly #partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };

  constructor(job: StageJob) {
    const reports = job.testJob?.reports.junit;
    this.#reports = reports === null || reports === undefined ? undefined : new ReportCapture();
    const coverage = job.testJob?.coverage;
    this.#coverage = coverage === null || coverage === undefined ? undefined : new CoverageScanner(coverage);
  }

  /** The sink to give the executor: report lines go here, the rest on to `sink`. */
  wrap(sink: MaskingSink): MaskingSink {
    return {
      write: (stream: LogStream, chunk: string) => {
        const text = stream === 'stdout' && this.#reports !== undefined ? this.#reports.feed(chunk) : chunk;
        if (text === '') return;
        if (stream !== 'system') this.#scan(stream, text);
        sink.write(stream, text);
      },
      flush: () => {
        const rest = this.#reports?.end() ?? '';
        if (rest !== '') {
          this.#scan('stdout', rest);
          sink.write('stdout', rest);
        }
        for (const stream of ['stdout', 'stderr'] as const) {
          if (this.#partial[stream] !== '') this.#coverage?.line(this.#partial[stream]);
          this.#partial[stream] = '';
        }
        sink.flush();
      },
    };
  }

  #scan(stream: 'stdout' | 'stderr', text: string): void {
    if (this.#coverage === undefined) return;
    const lines = (this.#partial[stream] + text).split('\n');
    this.#partial[stream] = (lines.pop() ?? '').slice(-4096);
    for (const line of lines) this.#coverage.line(line);
  }

  /** The coverage found, once the log is flushed. */
  get coverage(): number | undefined {
    return this.#coverage?.value;
  }

  /** The reports read (after flush); undefined when the job has none configured. */
  report(): TestReportSummary | undefined {
    if (this.#reports === undefined) return undefined;
    const summary = emptySummary();
    for (const file of this.#reports.files) {
      if (file.cut) {
        summary.notes = [
          ...(summary.notes ?? []),
          `${file.path}: over the size limit for all reports, not read`,
        ];
        continue;
      }
      readJUnit(file.path, file.content, summary);
    }
    if (this.#reports.notes.length > 0) summary.notes = [...(summary.notes ?? []), ...this.#reports.notes];
    return summary;
  }
}
