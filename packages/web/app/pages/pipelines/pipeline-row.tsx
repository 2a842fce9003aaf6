import { Link, useLocation } from 'wouter-preact';
import type { Pipeline } from '../../api/types';
import { isTerminal } from '../../api/types';
import { BranchChip, CommitLink } from '../../components/commit';
import { StageProgress } from '../../components/stage-progress';
import { StatusBadge } from '../../components/status-icon';
import { TimeAgo } from '../../components/time-ago';
import { splitPath } from '../../format/git';
import { elapsed } from '../../format/time';
import { useI18n } from '../../i18n/i18n';
import { triggerKeys } from '../../i18n/trigger-label';

/** One pipeline in the list; the whole row opens it (links inside keep their own targets). */
export function PipelineRow({
  pipeline: p,
  now,
  fresh,
}: {
  pipeline: Pipeline;
  now: number;
  fresh: boolean;
}) {
  const [, navigate] = useLocation();
  const { t } = useI18n();
  const href = `/pipelines/${encodeURIComponent(p.id)}`;
  const { group, name } = splitPath(p.project.path);
  const duration = elapsed(p.startedAt, p.finishedAt, now, t);
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the row is a larger target for the mouse; keyboards use the links in it.
    <li
      class={`pl-row${fresh ? ' fresh' : ''}`}
      data-pipeline={p.id}
      onClick={(e) => {
        if ((e.target as HTMLElement).closest('a,button') === null) navigate(href);
      }}
    >
      <div class="c-status">
        <Link href={href} class="status-link" aria-label={`Pipeline ${p.id}`}>
          <StatusBadge status={p.status} />
        </Link>
      </div>
      <div class="c-project">
        <Link href={href} class="project-link">
          <span class="project-group">{group}</span>
          <span class="project-name">{name}</span>
        </Link>
        <span class="env-chip">{p.environment}</span>
      </div>
      <div class="c-commit">
        <CommitLink pipeline={p} />
        <BranchChip pipeline={p} />
      </div>
      <div class="c-who">
        <span class="who-user" title={p.user.username}>
          {p.user.name || p.user.username}
        </span>
        <span class="trigger">{t(triggerKeys[p.trigger])}</span>
      </div>
      <div class="c-stages">
        <StageProgress pipeline={p} now={now} />
      </div>
      <div class="c-time">
        <span class="queued">
          <TimeAgo iso={p.queuedAt} now={now} />
        </span>
        {duration !== undefined && (
          <span class={`duration${isTerminal(p.status) ? '' : ' ticking'}`} title={t('list.duration')}>
            {duration}
          </span>
        )}
      </div>
    </li>
  );
}
