import { useMemo, useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import type { ConfiguredEnvironment, EnvironmentSummary } from '../../api/types';
import { LiveDot } from '../../components/live-dot';
import { useI18n } from '../../i18n/i18n';
import { useNow } from '../../live/use-now';
import { EnvironmentCard } from './environment-card';
import { useEnvironments } from './use-environments';

interface Section {
  environment: string;
  config: ConfiguredEnvironment | undefined;
  list: EnvironmentSummary[];
}

/**
 * Every configured environment in the configured order (also before its first pipeline), then
 * any other environment pipelines ran in, each with its projects. Pure.
 */
export function environmentSections(
  items: readonly EnvironmentSummary[],
  configured: readonly ConfiguredEnvironment[],
  project: string,
): Section[] {
  const out = new Map<string, Section>();
  for (const config of configured) out.set(config.name, { environment: config.name, config, list: [] });
  for (const item of items) {
    if (project !== '' && !item.project.path.toLowerCase().includes(project.toLowerCase())) continue;
    const section = out.get(item.environment) ?? {
      environment: item.environment,
      config: undefined,
      list: [],
    };
    section.list.push(item);
    out.set(item.environment, section);
  }
  return [...out.values()];
}

/** `/environments`: what is deployed where, so "what is in staging now?" has an answer. */
export function EnvironmentsPage() {
  const { items, configured, error, live } = useEnvironments();
  const [project, setProject] = useState('');
  const now = useNow(true, 15_000);
  const { t } = useI18n();

  const sections = useMemo(
    () => environmentSections(items ?? [], configured, project),
    [items, configured, project],
  );

  return (
    <div class="page">
      <div class="page-head">
        <h1>{t('env.title')}</h1>
        <LiveDot state={live} />
        <label class="field inline-field">
          <span class="sr-only">{t('env.project')}</span>
          <input
            type="search"
            placeholder={t('env.filter')}
            value={project}
            onInput={(e) => setProject((e.target as HTMLInputElement).value)}
          />
        </label>
      </div>
      {error !== undefined && (
        <div class="alert" role="alert">
          {error.message}
        </div>
      )}
      {items === undefined && error === undefined && <div class="panel empty muted">{t('env.loading')}</div>}
      {items !== undefined && sections.length === 0 && (
        <div class="panel empty">
          <p>
            <strong>{t('env.noneTitle')}</strong>
          </p>
          <p class="muted">{t('env.noneBody')}</p>
        </div>
      )}
      {sections.map(({ environment, config, list }) => (
        <section key={environment} class="env-section" data-environment={environment}>
          <h2 class="env-title">
            <span class="env-chip big">{environment}</span>
            {config !== undefined && (
              <span class="chip mono">{t('env.branch', { branch: config.branch })}</span>
            )}
            {config?.approval === true && <span class="chip">{t('env.approval')}</span>}
            <span class="muted">
              {list.length === 0
                ? t('env.noProjects')
                : list.length === 1
                  ? t('env.oneProject')
                  : t('env.projects', { n: list.length })}
            </span>
            <Link class="audit-link" href={`/deployments?environment=${encodeURIComponent(environment)}`}>
              {t('env.history')}
            </Link>
          </h2>
          {list.length === 0 ? (
            <p class="muted env-empty" data-testid="environment-empty">
              {t('env.waitingFirst', { branch: config?.branch ?? environment })}
            </p>
          ) : (
            <div class="env-grid">
              {list.map((item) => (
                <EnvironmentCard key={`${item.project.id}`} item={item} now={now} />
              ))}
            </div>
          )}
        </section>
      ))}
    </div>
  );
}
