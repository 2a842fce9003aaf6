import { Link } from 'wouter-preact';
import type { Pipeline } from '../../api/types';
import { TimeAgo } from '../../components/time-ago';
import { elapsed } from '../../format/time';

/** The facts of a pipeline: ids, times, how it came to be. */
export function DetailsPanel({ pipeline: p, now }: { pipeline: Pipeline; now: number }) {
  const wait = elapsed(p.queuedAt, p.startedAt, now);
  const rows: Array<[string, preact.ComponentChildren]> = [
    ['Pipeline', <span class="mono">{p.id}</span>],
    ['Queued', <TimeAgo iso={p.queuedAt} now={now} />],
    ['Waited', wait],
    ['Started', p.startedAt !== undefined ? <TimeAgo iso={p.startedAt} now={now} /> : undefined],
    ['Finished', p.finishedAt !== undefined ? <TimeAgo iso={p.finishedAt} now={now} /> : undefined],
    [
      'Retry of',
      p.retryOf !== undefined ? (
        <Link href={`/pipelines/${encodeURIComponent(p.retryOf)}`} class="mono">
          {p.retryOf}
        </Link>
      ) : undefined,
    ],
  ];
  return (
    <section class="side-card" aria-label="Details">
      <h3>Details</h3>
      <dl class="kv">
        {rows
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
      </dl>
    </section>
  );
}
