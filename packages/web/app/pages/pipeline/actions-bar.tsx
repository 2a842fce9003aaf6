import { useState } from 'preact/hooks';
import { useLocation } from 'wouter-preact';
import { ApiError, api } from '../../api/client';
import { isTerminal, type Pipeline } from '../../api/types';
import { useSession } from '../../auth/session';
import { ConfirmButton } from '../../components/confirm-button';
import { shortSha } from '../../format/git';
import { useI18n } from '../../i18n/i18n';
import { canaryRunning } from './canary-state';
import { useRollbackSupport } from './rollback-support';

interface Created {
  pipelineId: string;
}

/** Cancel, retry, approve, canary promote/abort and roll back, as the caller's role allows. */
export function ActionsBar({ pipeline: p, onChanged }: { pipeline: Pipeline; onChanged(p: Pipeline): void }) {
  const session = useSession();
  const { t } = useI18n();
  const [, navigate] = useLocation();
  const [error, setError] = useState<string | undefined>(undefined);
  const rollback = useRollbackSupport();
  const path = `/pipelines/${encodeURIComponent(p.id)}`;

  const denied = session.canDeploy
    ? undefined
    : session.caller?.authenticated
      ? t('actions.readOnly', {
          via: t(session.caller.via === 'proxy' ? 'actions.viaRole' : 'actions.viaToken'),
          role: session.caller.role ?? '',
        })
      : t('actions.signInToAct');

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
  const canary = canaryRunning(p);
  const decide = (verdict: 'promote' | 'abort') =>
    act(async () => onChanged(await api<Pipeline>(`${path}/canary/${verdict}`, { method: 'POST' })));

  return (
    <div class="actions">
      <div class="actions-row">
        {waiting && (
          <ConfirmButton
            label={t('actions.approve')}
            tone="btn-primary"
            testId="approve"
            disabled={denied !== undefined}
            reason={denied}
            confirm={{
              title: t('actions.approveTitle', { env: p.environment }),
              body: (
                <p>
                  {t('actions.approveBody', {
                    sha: shortSha(p.sha),
                    project: p.project.path,
                    env: p.environment,
                  })}
                </p>
              ),
              action: t('actions.approveAction'),
            }}
            onRun={act(async () => onChanged(await api<Pipeline>(`${path}/approve`, { method: 'POST' })))}
          />
        )}
        {canary &&
          (['promote', 'abort'] as const).map((verdict) => (
            <ConfirmButton
              key={verdict}
              label={t(`actions.${verdict}`)}
              tone={verdict === 'promote' ? 'btn-primary' : 'btn-danger'}
              testId={`canary-${verdict}`}
              disabled={denied !== undefined}
              reason={denied}
              confirm={{
                title: t(`actions.${verdict}Title`, { env: p.environment }),
                body: <p>{t(`actions.${verdict}Body`, { env: p.environment })}</p>,
                action: t(`actions.${verdict}Action`),
              }}
              onRun={decide(verdict)}
            />
          ))}
        {!ended && (
          <ConfirmButton
            label={p.cancelRequested ? t('actions.stopping') : t('actions.cancel')}
            tone="btn-danger"
            testId="cancel"
            disabled={denied !== undefined || p.cancelRequested === true}
            reason={denied}
            confirm={{
              title: t('actions.cancelTitle'),
              body: <p>{t('actions.cancelBody')}</p>,
              action: t('actions.cancelAction'),
            }}
            onRun={act(async () => onChanged(await api<Pipeline>(`${path}/cancel`, { method: 'POST' })))}
          />
        )}
        {ended && (
          <ConfirmButton
            label={t('actions.retry')}
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
          label={t('actions.rollback')}
          testId="rollback"
          disabled={!rollback || denied !== undefined || p.status !== 'success' || p.image === undefined}
          reason={
            !rollback
              ? t('actions.rollbackUnsupported')
              : (denied ??
                (p.status !== 'success' || p.image === undefined
                  ? t('actions.rollbackOnlySuccess')
                  : undefined))
          }
          confirm={{
            title: t('actions.rollbackTitle', { env: p.environment }),
            body: <p>{t('actions.rollbackBody', { env: p.environment, sha: p.sha.slice(0, 8) })}</p>,
            action: t('actions.rollbackAction'),
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
