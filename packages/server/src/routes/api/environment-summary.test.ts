import type { PipelineRecord, PipelineStatus } from '@ferry/shared';
import { describe, expect, it } from 'vitest';
import { summariseEnvironments } from './environment-summary.js';

let seq = 0;
function pipeline(projectId: number, environment: string, status: PipelineStatus): PipelineRecord {
  seq += 1;
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString();
  return {
    id: `p${String(seq).padStart(6, '0')}`,
    project: { id: projectId, path: `g/p${projectId}`, webUrl: `https://gl/g/p${projectId}`, cloneUrl: '' },
    environment,
    ref: environment,
    sha: 'a'.repeat(40),
    trigger: 'push',
    user: { username: 'u', name: 'U' },
    commitTitle: 't',
    status,
    stages: [],
    priority: 10,
    lane: `${projectId}:${environment}`,
    createdAt: at,
    queuedAt: at,
  };
}

describe('summariseEnvironments', () => {
  it('keeps the newest success as deployed and the latest pipelines, per project and environment', () => {
    const failed = pipeline(1, 'prod', 'failed');
    const good = pipeline(1, 'prod', 'success');
    const older = pipeline(1, 'prod', 'success');
    const test = pipeline(1, 'test', 'running');
    const groups = summariseEnvironments([failed, good, older, test], ['test', 'prod'], 2);
    expect(groups.map((g) => g.environment)).toEqual(['test', 'prod']);
    expect(groups[1]?.deployed?.id).toBe(good.id);
    expect(groups[1]?.recent.map((p) => p.id)).toEqual([failed.id, good.id]);
    expect(groups[0]?.deployed).toBeUndefined();
  });

  it('orders configured environments first, then others by name, projects by path', () => {
    const groups = summariseEnvironments(
      [
        pipeline(2, 'zeta', 'success'),
        pipeline(2, 'prod', 'success'),
        pipeline(1, 'prod', 'success'),
        pipeline(1, 'alpha', 'success'),
      ],
      ['prod'],
      5,
    );
    expect(groups.map((g) => `${g.environment}:${g.project.path}`)).toEqual([
      'prod:g/p1',
      'prod:g/p2',
      'alpha:g/p1',
      'zeta:g/p2',
    ]);
  });
});
