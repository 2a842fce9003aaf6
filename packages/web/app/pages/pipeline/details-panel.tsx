import { Link } from 'wouter-preact';
import type { Pipeline } from '../../api/types';
import { TimeAgo } from '../../components/time-ago';
import { elapsed } from '../../format/time';
import { useI18n } from '../../i18n/i18n';

/** The facts of a pipeline: ids, times, how it came to be. */
export function DetailsPanel({ pipeline: p, now }: { pipeline: Pipeline; now: number }) {
  const { t } = useI18n();
  const wait = elapsed(p.queuedAt, p.startedAt, now, t);
  const rows: Array<[string, preact.ComponentChildren]> = [
    [t('details.pipeline'), <span class="mono">{p.id}</span>],
    [t('details.queued'), <TimeAgo iso={p.queuedAt} now={now} />],
    [t('details.waited'), wait],
    [t('details.started'), p.startedAt !== undefined ? <TimeAgo iso={p.startedAt} now={now} /> : undefined],
    [
      t('details.finished'),
      p.finishedAt !== undefined ? <TimeAgo iso={p.finishedAt} now={now} /> : undefined,
    ],
    [
      t('details.retryOf'),
      p.retryOf !== undefined ? (
        <Link href={`/pipelines/${encodeURIComponent(p.retryOf)}`} class="mono">
          {p.retryOf}
        </Link>
      ) : undefined,
    ],
  ];
  return (
    <section class="side-card" aria-label={t('details.title')}>
      <h3>{t('details.title')}</h3>
      <dl class="kv">
        {rows
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
      </dl>
    </section>
  );
}
