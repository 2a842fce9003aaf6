import type { Logger } from '@ferry/shared';
import type { ArchiveMetrics } from '../history-metrics.js';
import type { HistoryStore, LogArchive, RetentionCut } from '../history-store.js';

/** How long records and logs stay, by environment (`history.retention`). */
export interface RetentionPolicy {
  default: { records: number; logs: number };
  environments: Readonly<Record<string, { records: number; logs: number }>>;
  intervalMs: number;
}

/** The cuts one retention run makes: one per listed environment, one for every other. Pure. */
export function retentionCuts(policy: RetentionPolicy, now: number): RetentionCut[] {
  const at = (ms: number) => new Date(now - ms).toISOString();
  const named = Object.keys(policy.environments);
  return [
    ...named.map((environment) => {
      const keep = policy.environments[environment]!;
      return { environment, recordsBefore: at(keep.records), logsBefore: at(keep.logs) };
    }),
    { except: named, recordsBefore: at(policy.default.records), logsBefore: at(policy.default.logs) },
  ];
}

/** Deletes what expired from the archive (records, audit entries, log lines) and counts it. */
export async function runRetention(
  policy: RetentionPolicy,
  history: HistoryStore,
  archives: readonly LogArchive[],
  metrics: ArchiveMetrics,
  logger: Logger,
): Promise<void> {
  for (const cut of retentionCuts(policy, Date.now())) {
    const result = await history.deleteExpired(cut);
    for (const archive of archives) await archive.deleteLogs(result.logPipelineIds);
    const environment = cut.environment ?? '*';
    if (result.pipelines > 0) metrics.deleted.inc({ what: 'pipelines', environment }, result.pipelines);
    if (result.logs > 0) metrics.deleted.inc({ what: 'logs', environment }, result.logs);
    if (result.pipelines + result.logs > 0) {
      logger.info(
        { environment, ...result, logPipelineIds: undefined },
        'archive: retention deleted expired history',
      );
    }
  }
}
