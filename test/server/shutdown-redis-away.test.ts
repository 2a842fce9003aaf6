import { buildPushHook, sendWebhook } from '@ferry/doubles/gitlab';
import { afterEach, describe, expect, it } from 'vitest';
import { testWebhookSecret } from '../support/ferry.js';
import { spawnFerry } from '../support/ferry-process.js';
import { startRedisProcess } from '../support/redis-process.js';

/**
 * Issue 12: SIGTERM while Redis was unreachable never ended the process (still alive 40 s later).
 * A real `ferry serve` on a Redis of its own runs a pipeline; Redis is then paused (SIGSTOP: it
 * holds every connection and answers nothing) or stopped, and Ferry gets SIGTERM. It must exit
 * within limits.drainTimeout (plus the process' own start of shutdown), naming what it left.
 */
describe('SIGTERM with Redis unreachable', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  });

  it.each(['paused', 'stopped'] as const)(
    'ends within limits.drainTimeout when Redis is %s, naming the pipeline left for recovery',
    async (how) => {
      const redis = await startRedisProcess(['--maxmemory-policy', 'noeviction']);
      cleanups.push(async () => {
        redis.child.kill('SIGCONT');
        await redis.stop();
      });
      const drainMs = 3000;
      const token = 'viewer-token-shutdown-1';
      const ferry = await spawnFerry(
        {
          redis: { url: redis.url },
          executor: { kind: 'noop', noop: { stageDuration: '60s' } },
          limits: { drainTimeout: `${drainMs}ms`, lockDuration: '5s' },
          auth: { tokens: [{ name: 'viewer', token: { env: 'T_VIEWER' }, role: 'viewer' }] },
        },
        { T_VIEWER: token },
      );
      cleanups.push(async () => {
        if (ferry.child.exitCode === null) ferry.child.kill('SIGKILL');
      });
      const res = await sendWebhook(
        `${ferry.url}/webhooks/gitlab`,
        'Push Hook',
        buildPushHook({ branch: 'test', project: { id: 91, pathWithNamespace: 'g/shutdown' } }),
        { token: testWebhookSecret },
      );
      expect(res.status).toBe(201);
      const id = (res.json as { pipelineId: string }).pipelineId;
      for (let i = 0; ; i++) {
        const got = await fetch(`${ferry.url}/api/v1/pipelines/${id}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const body = (await got.json()) as { status?: string };
        if (body.status === 'running') break;
        if (i > 200) throw new Error(`pipeline never ran: ${JSON.stringify(body)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      if (how === 'paused') redis.child.kill('SIGSTOP');
      else await redis.stop();
      const sent = Date.now();
      ferry.child.kill('SIGTERM');
      const code = await ferry.exited;
      const took = Date.now() - sent;
      expect(took, ferry.output().slice(-2000)).toBeLessThan(drainMs + 1500);
      expect(code).toBe(1);
      expect(ferry.output()).toContain('left for recovery');
      expect(ferry.output()).toContain(id);
    },
    60_000,
  );
});
