import type { StageRecord, TestJobRecord } from '../../api/types';
import { StatusIcon, useStatusLabel } from '../../components/status-icon';
import { elapsed } from '../../format/time';
import { useI18n } from '../../i18n/i18n';

/**
 * The test stage's named jobs (each its own runner, `ferry/test:<job>` in GitLab): status, time,
 * test counts and coverage per job; a job opens its own log and report.
 */
export function TestJobsPanel({
  stage,
  selected,
  onSelect,
  now,
}: {
  stage: StageRecord;
  selected: string | undefined;
  onSelect(job: string): void;
  now: number;
}) {
  const { t } = useI18n();
  const statusLabel = useStatusLabel();
  const jobs = stage.jobs ?? [];
  if (stage.jobsForm !== 'jobs' || jobs.length === 0) return null;
  return (
    <section class="panel jobs-panel" aria-label={t('jobs.title')}>
      <h3>{t('jobs.title')}</h3>
      <ul class="job-list">
        {jobs.map((job) => {
          const d = elapsed(job.startedAt, job.finishedAt, now, t);
          return (
            <li key={job.name}>
              <button
                type="button"
                class={`job-btn st-${job.status}${selected === job.name ? ' selected' : ''}`}
                aria-pressed={selected === job.name}
                data-job={job.name}
                onClick={() => onSelect(job.name)}
              >
                <StatusIcon status={job.status} size={16} />
                <span class="job-name">{job.name}</span>
                <span class="job-meta">
                  {statusLabel(job.status)}
                  {d !== undefined && <> · {d}</>}
                  {job.report !== undefined && (
                    <>
                      {' · '}
                      {t('jobs.counts', {
                        passed: job.report.passed,
                        failed: job.report.failed,
                        skipped: job.report.skipped,
                      })}
                    </>
                  )}
                  {job.coverage !== undefined && (
                    <>
                      {' · '}
                      {t('jobs.coverage', { value: job.coverage })}
                    </>
                  )}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** One job's JUnit summary: counts, the failed tests with their messages, notes, coverage. */
export function TestReportPanel({ job, showName }: { job: TestJobRecord | undefined; showName: boolean }) {
  const { t } = useI18n();
  if (job === undefined || (job.report === undefined && job.coverage === undefined)) return null;
  const report = job.report;
  return (
    <section
      class="panel report-panel"
      aria-label={t('report.title', { job: job.name })}
      data-report={job.name}
    >
      <h3>{showName ? t('report.title', { job: job.name }) : t('report.titleSingle')}</h3>
      <div class="report-counts">
        {report !== undefined && (
          <>
            <span class="count st-success" data-count="passed">
              {t('report.passed', { n: report.passed })}
            </span>
            <span class="count st-failed" data-count="failed">
              {t('report.failed', { n: report.failed })}
            </span>
            <span class="count st-skipped" data-count="skipped">
              {t('report.skipped', { n: report.skipped })}
            </span>
          </>
        )}
        {job.coverage !== undefined && (
          <span class="count" data-count="coverage">
            {t('jobs.coverage', { value: job.coverage })}
          </span>
        )}
      </div>
      {report !== undefined && report.failures.length > 0 && (
        <ol class="failures" aria-label={t('report.failures')}>
          {report.failures.map((f, i) => (
            // Names may repeat (parametrized tests): the position keeps keys unique.
            <li key={i} class="failure st-failed">
              <div class="failure-name">{f.name}</div>
              <pre class="failure-message">{f.message}</pre>
            </li>
          ))}
        </ol>
      )}
      {report?.failed !== undefined && report.failed > report.failures.length && (
        <p class="muted">{t('report.more', { n: report.failed - report.failures.length })}</p>
      )}
      {(report?.notes ?? []).map((note) => (
        <p key={note} class="report-note">
          {note}
        </p>
      ))}
    </section>
  );
}
