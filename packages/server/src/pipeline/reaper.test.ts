import type { PipelineRecord } from '@ferry/shared';
import { describe, expect, it } from 'vitest';
import { reapReason } from './reaper.js';

const now = new Date('2026-11-22T10:00:00Z');
const old = new Date('2026-11-22T09:50:00Z');
const fresh = new Date('2026-11-22T09:59:50Z');

function pipeline(
  status: PipelineRecord['status'],
  stage: Partial<PipelineRecord['stages'][number]>,
): PipelineRecord {
  return {
    status,
    stages: [{ name: 'test', status: 'pending', attempts: 0, ...stage }],
  } as unknown as PipelineRecord;
}

describe('reapReason', () => {
  const runner = (createdAt: Date) => ({ id: 'r1', pipelineId: 'p', stage: 'test', createdAt });
  const opts = { graceMs: 120_000, now };
  it.each([
    ['unknown pipeline, old runner', runner(old), undefined, 'its pipeline is unknown'],
    ['unknown pipeline, fresh runner', runner(fresh), undefined, null],
    [
      'finished pipeline',
      runner(fresh),
      pipeline('success', { status: 'success', runnerId: 'r1' }),
      'its pipeline is success',
    ],
    [
      'canceled pipeline',
      runner(fresh),
      pipeline('canceled', { status: 'canceled' }),
      'its pipeline is canceled',
    ],
    [
      'the running stage runs it',
      runner(old),
      pipeline('running', { status: 'running', runnerId: 'r1' }),
      null,
    ],
    ['running, not yet recorded', runner(fresh), pipeline('running', { status: 'running' }), null],
    [
      'a crashed attempt',
      runner(old),
      pipeline('running', { status: 'running', runnerId: 'r2' }),
      'its stage is running without it',
    ],
    [
      'crashed attempt, fresh',
      runner(fresh),
      pipeline('running', { status: 'running', runnerId: 'r2' }),
      null,
    ],
    [
      'stage already failed',
      runner(old),
      pipeline('running', { status: 'failed', runnerId: 'r1' }),
      'its stage is failed without it',
    ],
  ] as const)('%s', (_name, r, p, expected) => {
    expect(reapReason(r, p, opts)).toBe(expected);
  });
});
