// The domain values alone (no imports of their own): the dashboard does not bundle zod and yaml.
import { pipelineStatuses } from '@ferry/shared/domain';
import { useEffect, useState } from 'preact/hooks';
import type { PipelineStatus } from '../../api/types';
import { useStatusLabel } from '../../components/status-icon';
import { useI18n } from '../../i18n/i18n';
import type { ListFilter } from './list-filter';

interface Props {
  filter: ListFilter;
  onChange(filter: ListFilter): void;
  /** Values seen in the list, offered as suggestions. */
  projects: string[];
  environments: string[];
}

/** Filters that live in the URL, so a filtered list is a link to share. Text applies as you pause typing. */
export function Filters({ filter, onChange, projects, environments }: Props) {
  const [draft, setDraft] = useState(filter);
  const statusLabel = useStatusLabel();
  const { t } = useI18n();
  useEffect(() => setDraft(filter), [filter.project, filter.environment, filter.status, filter.ref]);

  useEffect(() => {
    if (
      draft.project === filter.project &&
      draft.ref === filter.ref &&
      draft.environment === filter.environment
    )
      return;
    const timer = setTimeout(() => onChange(draft), 350);
    return () => clearTimeout(timer);
  }, [draft.project, draft.ref, draft.environment]);

  const text = (key: 'project' | 'ref' | 'environment') => (e: Event) => {
    const value = (e.target as HTMLInputElement).value;
    setDraft((d) => ({ ...d, [key]: value === '' ? undefined : value }));
  };
  const active = Object.values(filter).some((v) => v !== undefined);

  return (
    <form
      class="filters"
      onSubmit={(e) => {
        e.preventDefault();
        onChange(draft);
      }}
    >
      <label class="field">
        <span>{t('filter.project')}</span>
        <input
          type="search"
          list="ferry-projects"
          placeholder={t('filter.projectHint')}
          value={draft.project ?? ''}
          onInput={text('project')}
        />
      </label>
      <label class="field">
        <span>{t('filter.environment')}</span>
        <input
          type="search"
          list="ferry-environments"
          placeholder={t('filter.any')}
          value={draft.environment ?? ''}
          onInput={text('environment')}
        />
      </label>
      <label class="field">
        <span>{t('filter.status')}</span>
        <select
          value={filter.status ?? ''}
          onChange={(e) => {
            const value = (e.target as HTMLSelectElement).value as PipelineStatus | '';
            onChange({ ...draft, status: value === '' ? undefined : value });
          }}
        >
          <option value="">{t('filter.anyStatus')}</option>
          {pipelineStatuses.map((s) => (
            <option key={s} value={s}>
              {statusLabel(s)}
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        <span>{t('filter.branch')}</span>
        <input type="search" placeholder={t('filter.any')} value={draft.ref ?? ''} onInput={text('ref')} />
      </label>
      {active && (
        <button type="button" class="btn btn-ghost clear" onClick={() => onChange({})}>
          {t('filter.clear')}
        </button>
      )}
      <datalist id="ferry-projects">
        {projects.map((p) => (
          <option key={p} value={p} />
        ))}
      </datalist>
      <datalist id="ferry-environments">
        {environments.map((e) => (
          <option key={e} value={e} />
        ))}
      </datalist>
    </form>
  );
}
