import { Link } from 'wouter-preact';
import { isTerminal, type Pipeline } from '../../api/types';
import { BranchChip } from '../../components/commit';
import { StatusBadge } from '../../components/status-icon';
import { TimeAgo } from '../../components/time-ago';
import { commitUrl, safeUrl, shortSha, titleOf } from '../../format/git';
import { elapsed } from '../../format/time';
import { useI18n } from '../../i18n/i18n';
import { triggerKeys } from '../../i18n/trigger-label';

/** What the pipeline is: project, environment, commit, who, and how it stands. */
export function PipelineHeader({ pipeline: p, now }: { pipeline: Pipeline; now: number }) {
  const { t } = useI18n();
  const duration = elapsed(p.startedAt, p.finishedAt, now, t);
  const project = safeUrl(p.project.webUrl);
  return (
    <div class="pl-header">
      <nav class="crumbs" aria-label={t('header.crumbs')}>
        <Link href="/pipelines">{t('nav.pipelines')}</Link>
        <span aria-hidden="true">/</span>
        <Link href={`/pipelines?project=${encodeURIComponent(p.project.path)}`}>{p.project.path}</Link>
        <span aria-hidden="true">/</span>
        <Link href={`/pipelines?environment=${encodeURIComponent(p.environment)}`}>{p.environment}</Link>
      </nav>
      <div class="title-row">
        <StatusBadge status={p.status} />
        <h1 class="pl-title" title={titleOf(p)}>
          {titleOf(p)}
        </h1>
      </div>
      <div class="meta">
        <a class="sha" href={commitUrl(p)} target="_blank" rel="noopener noreferrer" title={p.sha}>
          {shortSha(p.sha)}
        </a>
        <BranchChip pipeline={p} />
        <span class="env-chip">{p.environment}</span>
        <span>
          {t('env.by')} <strong>{p.user.name || p.user.username}</strong> · {t(triggerKeys[p.trigger])}
        </span>
        <span>
          {t('header.queued')} <TimeAgo iso={p.queuedAt} now={now} />
        </span>
        {duration !== undefined && (
          <span>
            {isTerminal(p.status) ? t('header.took') : t('header.runningFor')} <strong>{duration}</strong>
          </span>
        )}
        {project !== undefined && (
          <a href={project} target="_blank" rel="noopener noreferrer" class="muted">
            GitLab ↗
          </a>
        )}
      </div>
      {p.reason !== undefined && p.status !== 'success' && (
        <div class={`reason st-${p.status}`} role="status">
          {p.reason}
        </div>
      )}
    </div>
  );
}
