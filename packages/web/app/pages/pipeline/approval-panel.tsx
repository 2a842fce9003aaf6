import type { Pipeline } from '../../api/types';
import { exactTime, relativeTime } from '../../format/time';
import { localeOf, useI18n } from '../../i18n/i18n';

/** The approval state: not needed, waiting (with its deadline), given (by whom, when), or missed. */
export function ApprovalPanel({ pipeline: p, now }: { pipeline: Pipeline; now: number }) {
  const { t, language } = useI18n();
  const locale = localeOf(language);
  const when = (iso: string) => relativeTime(iso, now, t, locale);
  const a = p.approval;
  let body: preact.ComponentChildren;
  let tone = 'neutral';
  if (a === undefined || !a.required) {
    body = <p class="muted">{t('approval.notNeeded', { env: p.environment })}</p>;
  } else if (a.approvedAt !== undefined) {
    tone = 'ok';
    body = (
      <p title={exactTime(a.approvedAt, locale)}>
        {t('approval.approved', { who: a.approvedBy ?? t('approval.someone'), when: when(a.approvedAt) })}
      </p>
    );
  } else if (p.status === 'waiting_approval') {
    tone = 'wait';
    body = (
      <>
        <p>{t('approval.waits', { env: p.environment })}</p>
        {a.deadline !== undefined && (
          <p class="muted" title={exactTime(a.deadline, locale)}>
            {t('approval.deadline', { when: when(a.deadline) })}
          </p>
        )}
      </>
    );
  } else if (p.status === 'queued' || p.status === 'running') {
    body = <p>{t('approval.later', { env: p.environment })}</p>;
  } else {
    tone = 'bad';
    body = <p>{t('approval.missed')}</p>;
  }
  return (
    <section
      class={`side-card approval approval-${tone}`}
      aria-label={t('approval.title')}
      data-testid="approval"
    >
      <h3>{t('approval.title')}</h3>
      {body}
    </section>
  );
}
