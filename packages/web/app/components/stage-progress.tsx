import type { Pipeline } from '../api/types';
import { elapsed, type Translate } from '../format/time';
import { useI18n } from '../i18n/i18n';
import { type AnyStatus, useStatusLabel } from './status-icon';

type Label = (status: AnyStatus) => string;

/** Three segments, one per stage, coloured by status: the list's at-a-glance progress. */
export function StageProgress({ pipeline, now }: { pipeline: Pipeline; now: number }) {
  const { t } = useI18n();
  const label = useStatusLabel();
  return (
    <span class="stage-progress" role="img" aria-label={describe(pipeline, now, t, label)}>
      {pipeline.stages.map((s) => (
        <span
          key={s.name}
          class={`seg st-${s.status}`}
          title={`${s.name}: ${label(s.status)}${duration(s, now, t)}`}
        >
          <span class="seg-name">{s.name}</span>
        </span>
      ))}
    </span>
  );
}

function duration(s: Pipeline['stages'][number], now: number, t: Translate): string {
  const d = elapsed(s.startedAt, s.finishedAt, now, t);
  return d === undefined ? '' : ` (${d})`;
}

function describe(p: Pipeline, now: number, t: Translate, label: Label): string {
  return p.stages.map((s) => `${s.name} ${label(s.status).toLowerCase()}${duration(s, now, t)}`).join(', ');
}
