import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HistoryMetrics } from '../history-metrics.js';
import { applyMetricUpdate, type MetricUpdate, relayedMetrics, toThreadError } from './thread-protocol.js';

/** The same calls made on metrics directly and through the thread's relay. */
function exercise(metrics: ReturnType<typeof relayedMetrics>): void {
  metrics.archived.inc(16);
  metrics.archived.inc();
  metrics.failures.inc();
  metrics.eventsTrimmed.inc(250);
  metrics.backlog.set(42);
  metrics.lagSeconds.set(1.5);
  metrics.sizeBytes.set(4096);
  metrics.deleted.inc({ what: 'logs', environment: 'prod' }, 3);
  metrics.backlog.set(7);
}

describe('the archiver thread’s metric relay', () => {
  it('leaves the host registry as if the archiver had counted on it directly', async () => {
    const direct = new Registry();
    exercise(new HistoryMetrics(direct));
    const relayed = new Registry();
    const host = new HistoryMetrics(relayed);
    const updates: MetricUpdate[] = [];
    exercise(relayedMetrics((update) => updates.push(structuredClone(update))));
    for (const update of updates) applyMetricUpdate(host, update);
    expect(await relayed.metrics()).toBe(await direct.metrics());
    expect(await relayed.metrics()).toMatch(/ferry_history_archived_total 17/);
    expect(await relayed.metrics()).toMatch(/ferry_history_archive_backlog 7/);
  });

  it('keeps an error’s registry code and status across the thread boundary', () => {
    const err = Object.assign(new Error('the archive database is unavailable'), {
      code: 'FERRY_ERR_HISTORY_UNAVAILABLE',
      status: 503,
    });
    expect(structuredClone(toThreadError(err))).toEqual({
      name: 'Error',
      message: 'the archive database is unavailable',
      code: 'FERRY_ERR_HISTORY_UNAVAILABLE',
      status: 503,
    });
    expect(toThreadError('plain')).toEqual({ name: 'Error', message: 'plain' });
  });
});
