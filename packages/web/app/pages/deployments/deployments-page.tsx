import { Link, useSearch } from 'wouter-preact';
import { type AnyStatus, statusLabel as statusWords, useStatusLabel } from '../../components/status-icon';
import { shortSha } from '../../format/git';
import { localeOf, useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/messages-en';
import { type DeploymentEntry, useDeployments } from './use-deployments';

const columns = [
  'deployments.colWhen',
  'deployments.colEnvironment',
  'deployments.colProject',
  'deployments.colKind',
  'deployments.colWho',
  'deployments.colCommit',
  'deployments.colImage',
  'deployments.colOutcome',
] as const satisfies readonly MessageKey[];

/** Outcomes of the audit trail that are no stage status. */
const ownOutcomes = new Set(['rolled_back', 'promoted', 'aborted']);
const isStatus = (outcome: string): outcome is AnyStatus => Object.hasOwn(statusWords, outcome);

/** `/deployments?environment=&project=`: who deployed what where, and when, from the audit trail. */
export function DeploymentsPage() {
  const search = useSearch();
  const { t, language } = useI18n();
  const statusLabel = useStatusLabel();
  const { items, archive, error } = useDeployments(search);
  const environment = new URLSearchParams(search).get('environment') ?? undefined;
  const outcome = (e: DeploymentEntry): string =>
    ownOutcomes.has(e.outcome)
      ? t(`deployments.outcome.${e.outcome}` as MessageKey)
      : isStatus(e.outcome)
        ? statusLabel(e.outcome)
        : e.outcome;

  return (
    <div class="page">
      <div class="page-head">
        <h1>
          {environment === undefined
            ? t('deployments.title')
            : t('deployments.titleEnv', { env: environment })}
        </h1>
      </div>
      {error !== undefined && (
        <div class="alert" role="alert">
          {error.message}
        </div>
      )}
      {archive === 'unavailable' && (
        <div class="alert" role="status">
          {t('deployments.archiveUnavailable')}
        </div>
      )}
      {items === undefined && error === undefined && (
        <div class="panel empty muted">{t('deployments.loading')}</div>
      )}
      {items !== undefined && items.length === 0 && <div class="panel empty">{t('deployments.none')}</div>}
      {items !== undefined && items.length > 0 && (
        <table class="panel deployments-table">
          <thead>
            <tr>
              {columns.map((key) => (
                <th key={key}>{t(key)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              // A pipeline's canary decisions share its id: the time and kind tell them apart.
              <tr key={`${e.pipelineId} ${e.kind} ${e.at}`} data-pipeline={e.pipelineId} data-kind={e.kind}>
                <td>
                  <Link href={`/pipelines/${e.pipelineId}`}>
                    {new Date(e.at).toLocaleString(localeOf(language))}
                  </Link>
                </td>
                <td>{e.environment}</td>
                <td>{e.project.path}</td>
                <td>{t(`deployments.kind.${e.kind}`)}</td>
                <td>{e.user}</td>
                <td class="mono">{shortSha(e.sha)}</td>
                <td class="mono">{e.imageDigest === undefined ? '—' : e.imageDigest.slice(7, 19)}</td>
                <td data-outcome={e.outcome}>
                  {outcome(e)}
                  {e.rolledBackTo === undefined ? '' : ` → ${shortSha(e.rolledBackTo)}`}
                  {e.canaryStep === undefined ? '' : ` · ${e.canaryStep}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
