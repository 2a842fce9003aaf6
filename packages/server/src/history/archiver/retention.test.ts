import { describe, expect, it } from 'vitest';
import { retentionCuts } from './retention.js';

const day = 86_400_000;

describe('retentionCuts', () => {
  it('cuts each listed environment by its own times and every other by the default', () => {
    const now = Date.parse('2026-06-01T00:00:00.000Z');
    const cuts = retentionCuts(
      {
        default: { records: 365 * day, logs: 90 * day },
        environments: { prod: { records: 1095 * day, logs: 365 * day } },
        intervalMs: 3_600_000,
      },
      now,
    );
    expect(cuts).toEqual([
      {
        environment: 'prod',
        recordsBefore: '2023-06-02T00:00:00.000Z',
        logsBefore: '2025-06-01T00:00:00.000Z',
      },
      { except: ['prod'], recordsBefore: '2025-06-01T00:00:00.000Z', logsBefore: '2026-03-03T00:00:00.000Z' },
    ]);
  });

  it('with no environment listed, one cut for all', () => {
    const cuts = retentionCuts(
      { default: { records: day, logs: day }, environments: {}, intervalMs: 1 },
      day * 10,
    );
    expect(cuts).toEqual([
      {
        except: [],
        recordsBefore: new Date(day * 9).toISOString(),
        logsBefore: new Date(day * 9).toISOString(),
      },
    ]);
  });
});
