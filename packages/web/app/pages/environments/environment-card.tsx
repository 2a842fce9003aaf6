import { Link } from 'wouter-preact';
import { type EnvironmentSummary, isTerminal, type Pipeline } from '../../api/types';
import { CommitLink } from '../../components/commit';
import { StatusIcon, useStatusLabel } from '../../components/status-icon';
import { TimeAgo } from '../../components/time-ago';
import { safeUrl, shortSha, splitPath } from '../../format/git';
import { useI18n } from '../../i18n/i18n';

function imageText(p: Pipeline): { tag?: string; digest?: string } | undefined {
  const image = p.image;
  if (image === undefined) return undefined;
  if (typeof image === 'string') return { tag: image };
  const out: { tag?: string; digest?: string } = {};
  const tag = image.tag ?? image.tags?.[0] ?? image.reference ?? image.ref;
  if (tag !== undefined) out.tag = tag;
  if (image.digest !== undefined) out.digest = image.digest;
  return out.tag === undefined && out.digest === undefined ? undefined : out;
}

/** One project in one environment: what runs there now, what is on its way, and the last pipelines. */
export function EnvironmentCard({ item, now }: { item: EnvironmentSummary; now: number }) {
  const { group, name } = splitPath(item.project.path);
  const d = item.deployed;
  const moving = item.recent.find((p) => !isTerminal(p.status));
  const image = d === undefined ? undefined : imageText(d);
  const projectUrl = safeUrl(item.project.webUrl);
  const statusLabel = useStatusLabel();
  const { t } = useI18n();
  return (
    <article class="env-card" data-project={item.project.path} data-environment={item.environment}>
      <header class="env-card-head">
        <a href={projectUrl} target="_blank" rel="noopener noreferrer" class="project-link">
          <span class="project-group">{group}</span>
          <span class="project-name">{name}</span>
        </a>
        {d !== undefined && (
          <span class="deployed-ago">
            {t('env.deployed')} <TimeAgo iso={d.finishedAt ?? d.createdAt} now={now} />
          </span>
        )}
      </header>
      {d === undefined ? (
        <p class="muted env-none">{t('env.nothingDeployed')}</p>
      ) : (
        <div class="deployed" data-testid="deployed">
          <CommitLink pipeline={d} />
          <div class="deployed-meta">
            <span>
              {t('env.by')} <strong>{d.user.name || d.user.username}</strong>
            </span>
            <Link href={`/pipelines/${encodeURIComponent(d.id)}`} class="muted">
              {t('env.pipeline', { id: d.id.slice(-6) })}
            </Link>
          </div>
          {image !== undefined && (
            <div class="image-line" title={[image.tag, image.digest].filter(Boolean).join(' ')}>
              {image.tag !== undefined && <span class="chip mono">{image.tag}</span>}
              {image.digest !== undefined && (
                <span class="chip mono digest">{image.digest.replace(/^sha256:/, '').slice(0, 12)}</span>
              )}
            </div>
          )}
        </div>
      )}
      {moving !== undefined && (
        <Link href={`/pipelines/${encodeURIComponent(moving.id)}`} class={`moving st-${moving.status}`}>
          <StatusIcon status={moving.status} size={14} />
          <span>
            {statusLabel(moving.status)}: {shortSha(moving.sha)}
          </span>
        </Link>
      )}
      <footer class="recent">
        {item.recent.map((p) => (
          <Link
            key={p.id}
            href={`/pipelines/${encodeURIComponent(p.id)}`}
            class={`recent-dot st-${p.status}`}
            title={`${statusLabel(p.status)} · ${shortSha(p.sha)} · ${p.user.name || p.user.username}`}
          >
            <StatusIcon status={p.status} size={16} />
          </Link>
        ))}
        <span class="recent-label muted">{t('env.latest')}</span>
      </footer>
    </article>
  );
}
