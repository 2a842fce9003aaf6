import { useState } from 'preact/hooks';
import { useLocation } from 'wouter-preact';
import { ApiError, api } from '../../api/client';
import { isTerminal, type Pipeline } from '../../api/types';
import { useSession } from '../../auth/session';
import { ConfirmButton } from '../../components/confirm-button';
import { shortSha } from '../../format/git';
import { useRollbackSupport } from './rollback-support';

interface Created {
  pipelineId: string;
}

/** Cancel, retry, approve and roll back, as the caller's role allows. */
export function ActionsBar({ pipeline: p, onChanged }: { pipeline: Pipeline; onChanged(p: Pipeline): void }) {
  const session = useSession();
  const [, navigate] = useLocation();
  const [error, setError] = useState<string | undefined>(undefined);
  const rollback = useRollbackSupport();
  const path = `/pipelines/${encodeURIComponent(p.id)}`;

  const denied = session.canDeploy
    ? undefined
    : session.caller?.authenticated
      ? `Your ${session.caller.via === 'proxy' ? 'role' : 'token'} (${session.caller.role}) can only read; a deployer token can act.`
      : 'Sign in with a deployer token to act on pipelines.';

  const act = (run: () => Promise<void>) => async () => {
    setError(undefined);
    try {
      await run();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  const waiting = p.status === 'waiting_approval' && p.approval?.approvedAt === undefined;
  const ended = isTerminal(p.status);

  return (
    <div class="actions">
      <div class="actions-row">
        {waiting && (
          <ConfirmButton
            label="Approve deploy"
            tone="btn-primary"
            testId="approve"
            disabled={denied !== undefined}
            reason={denied}
            confirm={{
              title: `Deploy to ${p.environment}?`,
              body: (
                <p>
                  {shortSha(p.sha)} of {p.project.path} goes to {p.environment}. You are recorded as the
                  approver.
                </p>
              ),
              action: 'Approve and deploy',
            }}
            onRun={act(async () => onChanged(await api<Pipeline>(`${path}/approve`, { method: 'POST' })))}
          />
        )}
        {!ended && (
          <ConfirmButton
            label={p.cancelRequested ? 'Stopping' : 'Cancel'}
            tone="btn-danger"
            testId="cancel"
            disabled={denied !== undefined || p.cancelRequested === true}
            reason={denied}
            confirm={{
              title: 'Cancel this pipeline?',
              body: <p>The running stage is stopped and its runner removed. Nothing after it runs.</p>,
              action: 'Cancel pipeline',
            }}
            onRun={act(async () => onChanged(await api<Pipeline>(`${path}/cancel`, { method: 'POST' })))}
          />
        )}
        {ended && (
          <ConfirmButton
            label="Retry"
            testId="retry"
            disabled={denied !== undefined}
            reason={denied}
            onRun={act(async () => {
              const created = await api<Created>(`${path}/retry`, { method: 'POST' });
              navigate(`/pipelines/${encodeURIComponent(created.pipelineId)}`);
            })}
          />
        )}
        <ConfirmButton
          label="Roll back to this"
          testId="rollback"
          disabled={!rollback || denied !== undefined || p.status !== 'success' || p.image === undefined}
          reason={
            !rollback
              ? 'This Ferry cannot roll back yet.'
              : (denied ??
                (p.status !== 'success' || p.image === undefined
                  ? 'Only a successful pipeline that built an image can be deployed again.'
                  : undefined))
          }
          confirm={{
            title: `Roll ${p.environment} back to this version?`,
            body: (
              <p>
                {p.environment} gets the image of this pipeline again ({p.sha.slice(0, 8)}), without testing
                or building anything.
              </p>
            ),
            action: 'Roll back',
          }}
          onRun={act(async () => {
            const created = await api<Partial<Created>>(`${path}/rollback`, { method: 'POST' });
            if (created.pipelineId !== undefined)
              navigate(`/pipelines/${encodeURIComponent(created.pipelineId)}`);
          })}
        />
      </div>
      {error !== undefined && (
        <div class="alert" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
