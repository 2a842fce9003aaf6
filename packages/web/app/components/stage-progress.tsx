import type { Pipeline } from '../api/types';
import { elapsed } from '../format/time';
import { statusLabel } from './status-icon';

/** Three segments, one per stage, coloured by status: the list's at-a-glance progress. */
export function StageProgress({ pipeline, now }: { pipeline: Pipeline; now: number }) {
  return (
    <span class="stage-progress" role="img" aria-label={describe(pipeline, now)}>
      {pipeline.stages.map((s) => (
        <span
          key={s.name}
          class={`seg st-${s.status}`}
          title={`${s.name}: ${statusLabel[s.status]}${duration(s, now)}`}
        >
          <span class="seg-name">{s.name}</span>
        </span>
      ))}
    </span>
  );
}

function duration(s: Pipeline['stages'][number], now: number): string {
  const d = elapsed(s.startedAt, s.finishedAt, now);
  return d === undefined ? '' : ` (${d})`;
}

function describe(p: Pipeline, now: number): string {
  return p.stages
    .map((s) => `${s.name} ${statusLabel[s.status].toLowerCase()}${duration(s, now)}`)
    .join(', ');
}
