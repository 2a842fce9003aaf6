import type { Pipeline, StageName } from '../../api/types';
import { StatusIcon, useStatusLabel } from '../../components/status-icon';
import { elapsed } from '../../format/time';
import { useI18n } from '../../i18n/i18n';

/** A stage's name for people, in the page's language (`Build & push`, `构建并推送`). */
export function useStageTitle(): (stage: StageName) => string {
  const { t } = useI18n();
  return (stage) => t(`stage.${stage}`);
}

/** The stages as a row of steps; each opens its log. */
export function StageSteps({
  pipeline,
  selected,
  onSelect,
  now,
}: {
  pipeline: Pipeline;
  selected: StageName;
  onSelect(stage: StageName): void;
  now: number;
}) {
  const statusLabel = useStatusLabel();
  const stageTitle = useStageTitle();
  const { t } = useI18n();
  return (
    <ol class="steps" aria-label={t('steps.label')}>
      {pipeline.stages.map((s, i) => {
        const d = elapsed(s.startedAt, s.finishedAt, now, t);
        const waiting =
          s.name === 'deploy' && pipeline.status === 'waiting_approval' && s.status === 'pending';
        return (
          <li key={s.name} class={`step st-${waiting ? 'waiting_approval' : s.status}`}>
            {i > 0 && <span class="step-line" aria-hidden="true" />}
            <button
              type="button"
              class={`step-btn${selected === s.name ? ' selected' : ''}`}
              aria-pressed={selected === s.name}
              data-stage={s.name}
              onClick={() => onSelect(s.name)}
            >
              <StatusIcon status={waiting ? 'waiting_approval' : s.status} size={22} />
              <span class="step-text">
                <span class="step-name">{stageTitle(s.name)}</span>
                <span class="step-meta">
                  {statusLabel(waiting ? 'waiting_approval' : s.status)}
                  {d !== undefined && <> · {d}</>}
                  {s.attempts > 1 && <> · {t('steps.attempt', { n: s.attempts })}</>}
                </span>
              </span>
            </button>
          </li>
        );
      })}
    </ol>
  );
}
