import type { Pipeline, StageName } from '../../api/types';
import { StatusIcon, useStatusLabel } from '../../components/status-icon';
import { elapsed } from '../../format/time';

const stageTitle: Record<StageName, string> = { test: 'Test', build: 'Build & push', deploy: 'Change pod' };

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
  return (
    <ol class="steps" aria-label="Stages">
      {pipeline.stages.map((s, i) => {
        const d = elapsed(s.startedAt, s.finishedAt, now);
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
                <span class="step-name">{stageTitle[s.name]}</span>
                <span class="step-meta">
                  {statusLabel(waiting ? 'waiting_approval' : s.status)}
                  {d !== undefined && <> · {d}</>}
                  {s.attempts > 1 && <> · attempt {s.attempts}</>}
                </span>
              </span>
            </button>
          </li>
        );
      })}
    </ol>
  );
}

export { stageTitle };
