import type { Pipeline } from '../../api/types';
import { TimeAgo } from '../../components/time-ago';
import { exactTime, relativeTime } from '../../format/time';

/** The approval state: not needed, waiting (with its deadline), given (by whom, when), or missed. */
export function ApprovalPanel({ pipeline: p, now }: { pipeline: Pipeline; now: number }) {
  const a = p.approval;
  let body: preact.ComponentChildren;
  let tone = 'neutral';
  if (a === undefined || !a.required) {
    body = <p class="muted">Deploys to {p.environment} need no approval.</p>;
  } else if (a.approvedAt !== undefined) {
    tone = 'ok';
    body = (
      <p>
        Approved by <strong>{a.approvedBy ?? 'someone'}</strong> <TimeAgo iso={a.approvedAt} now={now} />.
      </p>
    );
  } else if (p.status === 'waiting_approval') {
    tone = 'wait';
    body = (
      <>
        <p>
          The deploy to <strong>{p.environment}</strong> waits for a deployer's approval.
        </p>
        {a.deadline !== undefined && (
          <p class="muted">
            Fails unapproved <time title={exactTime(a.deadline)}>{relativeTime(a.deadline, now)}</time>.
          </p>
        )}
      </>
    );
  } else if (p.status === 'queued' || p.status === 'running') {
    body = <p>The deploy to {p.environment} will wait for approval after the build.</p>;
  } else {
    tone = 'bad';
    body = <p>Not approved: the pipeline ended before anyone approved the deploy.</p>;
  }
  return (
    <section class={`side-card approval approval-${tone}`} aria-label="Approval" data-testid="approval">
      <h3>Approval</h3>
      {body}
    </section>
  );
}
