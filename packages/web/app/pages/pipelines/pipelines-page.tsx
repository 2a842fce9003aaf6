import { useMemo } from 'preact/hooks';
import { useLocation, useSearch } from 'wouter-preact';
import { isTerminal } from '../../api/types';
import { LiveDot } from '../../components/live-dot';
import { useI18n } from '../../i18n/i18n';
import { useNow } from '../../live/use-now';
import { Filters } from './filters';
import { filterFromSearch, type ListFilter, searchOf } from './list-filter';
import { PipelineRow } from './pipeline-row';
import { usePipelineList } from './use-pipeline-list';

export function PipelinesPage() {
  const { t } = useI18n();
  const search = useSearch();
  const [location, navigate] = useLocation();
  const filter = useMemo(() => filterFromSearch(search), [search]);
  const list = usePipelineList(filter);
  // Running durations tick every second; "5 min ago" needs less.
  const now = useNow(true, list.items.some((p) => !isTerminal(p.status)) ? 1000 : 15_000);
  const setFilter = (f: ListFilter) => {
    const q = searchOf(f);
    navigate(`${location === '/' ? '/pipelines' : location}${q === '' ? '' : `?${q}`}`, { replace: true });
  };
  // Merge request checks (test stage only, on an MR's source commit) are shown apart from the
  // environment pipelines that deploy.
  const environmentItems = useMemo(() => list.items.filter((p) => p.kind !== 'merge_request'), [list.items]);
  const checks = useMemo(() => list.items.filter((p) => p.kind === 'merge_request'), [list.items]);
  const projects = useMemo(() => [...new Set(list.items.map((p) => p.project.path))].sort(), [list.items]);
  const environments = useMemo(() => [...new Set(list.items.map((p) => p.environment))].sort(), [list.items]);

  return (
    <div class="page">
      <div class="page-head">
        <h1>{t('list.title')}</h1>
        <LiveDot state={list.live} />
      </div>
      <Filters filter={filter} onChange={setFilter} projects={projects} environments={environments} />
      {list.error !== undefined && (
        <div class="alert" role="alert">
          {list.error.message}
        </div>
      )}
      <div class="panel pl-panel">
        <div class="pl-head" aria-hidden="true">
          <span>{t('list.colStatus')}</span>
          <span>{t('list.colProject')}</span>
          <span>{t('list.colCommit')}</span>
          <span>{t('list.colWho')}</span>
          <span>{t('list.colStages')}</span>
          <span>{t('list.colWhen')}</span>
        </div>
        {list.loading ? (
          <div class="pl-empty muted">{t('list.loading')}</div>
        ) : environmentItems.length === 0 ? (
          <div class="pl-empty">
            {Object.keys(filter).length > 0 ? (
              <p>{t('list.noMatch')}</p>
            ) : (
              <>
                <p>
                  <strong>{t('list.none')}</strong>
                </p>
                <p class="muted">{t('list.noneHint')}</p>
              </>
            )}
          </div>
        ) : (
          <ul class="pl-list">
            {environmentItems.map((p) => (
              <PipelineRow key={p.id} pipeline={p} now={now} fresh={list.fresh.has(p.id)} />
            ))}
          </ul>
        )}
      </div>
      {checks.length > 0 && (
        <section class="panel pl-panel pl-checks" aria-label={t('list.checks')}>
          <div class="page-head">
            <h2>{t('list.checks')}</h2>
            <span class="muted">{t('list.checksHint')}</span>
          </div>
          <ul class="pl-list">
            {checks.map((p) => (
              <PipelineRow key={p.id} pipeline={p} now={now} fresh={list.fresh.has(p.id)} />
            ))}
          </ul>
        </section>
      )}
      {list.hasMore && (
        <div class="more">
          <button type="button" class="btn" onClick={list.loadMore} disabled={list.loadingMore}>
            {list.loadingMore ? t('list.loadingMore') : t('list.older')}
          </button>
        </div>
      )}
    </div>
  );
}
