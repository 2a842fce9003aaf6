/**
 * The test stage end to end (issue 17), for one executor: a merge into `test` (the webhooks GitLab
 * sends) → Ferry runs the cart service's test jobs, `unit` beside a real Redis service with a
 * dependency cache, a JUnit report and coverage, and `lint` → the first run misses the cache and
 * saves it, the second restores it (its log says so) and has a failing test, which is named in the
 * pipeline's API record, the GitLab commit status of `ferry/test:unit` and the WeCom message.
 * With several lanes, the lanes' pipelines run at the same time, each with its own Redis at
 * 127.0.0.1:6379. Then a unit job whose script never ends is canceled through the API while it runs
 * beside its Redis: when the pipeline says canceled, no Redis service container runs, and soon none
 * exists (docker: by Ferry's labels; kubernetes: the double's container of the pod's sidecar).
 */
import type { PipelineRecord, TestJobRecord } from '@ferry/shared';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../support/ferry.js';
import { BLOCKED_MARKER, cartBlockedInstall, cartWithFailingTest } from './cart-service.js';
import { mergeIntoTest } from './merge-into-test.js';
import {
  DEPLOYER_TOKEN,
  type ExecutorKind,
  type Lane,
  PUBLIC_URL,
  startTestStageWorld,
  type TestStageWorld,
} from './test-stage-world.js';

const terminal = new Set(['success', 'failed', 'canceled', 'skipped']);
const FAILED_TEST = 'totals the cart with tax';

export function testStageSuite(kind: ExecutorKind, laneCount: number): void {
  describe(`the test stage with services, cache and reports on the ${kind} executor`, () => {
    let w: TestStageWorld;
    let iid = 0;

    beforeAll(async () => {
      w = await startTestStageWorld(kind, laneCount);
    });

    afterAll(async () => {
      if (w === undefined) return;
      await w.close();
      if (w.double !== undefined) expect(await w.double.leftovers()).toEqual([]);
    });

    async function api<T>(path: string): Promise<T> {
      const res = await fetch(`${w.ferry.url}/api/v1${path}`, { signal: AbortSignal.timeout(10_000) });
      expect(res.status, path).toBe(200);
      return (await res.json()) as T;
    }

    async function jobLog(pipelineId: string, job: string): Promise<string> {
      const res = await fetch(
        `${w.ferry.url}/api/v1/pipelines/${pipelineId}/stages/test/log?job=${job}&format=text`,
        {
          signal: AbortSignal.timeout(10_000),
        },
      );
      expect(res.status).toBe(200);
      return res.text();
    }

    /** Merges `files` into the lane's `test` and sends the hooks: the pipeline they queued. */
    async function merge(lane: Lane, title: string, files: Record<string, string | null>) {
      iid += 1;
      const { sha, answers } = await mergeIntoTest(
        { ...lane, gitlab: w.gitlab, ferry: w.ferry },
        iid,
        title,
        files,
        ['Merge Request Hook', 'Push Hook'],
      );
      const pipelineId = answers.find((a) => a.pipelineId !== undefined)?.pipelineId;
      expect(pipelineId, JSON.stringify(answers)).toBeDefined();
      return { sha, pipelineId: pipelineId as string };
    }

    /** Merges `files` into the lane's `test`, sends the hooks and waits for the pipeline to end. */
    async function release(lane: Lane, title: string, files: Record<string, string | null>) {
      const { sha, pipelineId } = await merge(lane, title, files);
      const record = await eventually(async () => {
        const p = await api<PipelineRecord>(`/pipelines/${pipelineId}`);
        return terminal.has(p.status) ? p : undefined;
      }, 240_000);
      const test = record.stages.find((s) => s.name === 'test');
      const jobs = new Map((test?.jobs ?? []).map((j) => [j.name, j] as const));
      return { sha, record, jobs, pipelineId };
    }

    /**
     * Records how many lanes' Redis services ran at the same moment, and every container each one
     * ran in: docker by Ferry's labels (a lane is a project), kubernetes by the double's labels (a
     * lane's runner is a pod; the lanes share the runner namespace).
     */
    function watchServices(): { stop(): Promise<{ most: number; containers: Map<string, Set<string>> }> } {
      let most = 0;
      let stopped = false;
      const containers = new Map<string, Set<string>>();
      const paths = new Set(w.lanes.map((l) => l.project.path));
      const filters =
        w.double === undefined
          ? { label: ['ferry.role=service', 'ferry.service=redis'] }
          : {
              label: [
                `ferry.k8s-double.namespace=${w.runnerNamespace}`,
                'ferry.k8s-double.container=service-redis',
              ],
            };
      const owner = (c: Docker.ContainerInfo): string | undefined =>
        w.double === undefined
          ? paths.has(c.Labels['ferry.project'] ?? '')
            ? c.Labels['ferry.project']
            : undefined
          : c.Labels['ferry.k8s-double.uid'];
      const loop = (async () => {
        while (!stopped) {
          const running = await w.docker.listContainers({ filters }).catch(() => []);
          const owners = new Set<string>();
          for (const c of running) {
            const o = owner(c);
            if (o === undefined) continue;
            owners.add(o);
            containers.set(o, (containers.get(o) ?? new Set()).add(c.Id));
          }
          most = Math.max(most, owners.size);
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      return {
        async stop() {
          stopped = true;
          await loop;
          return { most, containers };
        },
      };
    }

    it('runs unit beside its Redis and lint, saves the cache, then restores it and names the failing test', async () => {
      const watcher = laneCount > 1 ? watchServices() : undefined;
      // First run of every lane, at the same time: passing tests, a cold cache.
      const cold = await Promise.all(
        w.lanes.map((lane) => release(lane, 'Add a plum price', { 'README.md': '# cart\n' })),
      );
      for (const run of cold) {
        const unitLog = await jobLog(run.pipelineId, 'unit');
        expect(run.record.status, unitLog).toBe('success');
        expect(run.jobs.get('unit')).toMatchObject({
          status: 'success',
          report: { passed: 2, failed: 0, errors: 0, skipped: 0, failures: [] },
          coverage: 93.94,
        } satisfies Partial<TestJobRecord>);
        expect(run.jobs.get('lint')).toMatchObject({ status: 'success' });
        expect(unitLog).toContain('ferry: service redis ready on 127.0.0.1:6379');
        expect(unitLog).toContain('ferry: cache miss');
        expect(unitLog).toContain('install: kv-client installed into node_modules');
        expect(unitLog).toMatch(/ferry: cache saved: key unit-[0-9a-f]+, node_modules/);
        expect(unitLog).toContain('✔ redis answers PING');
        // The service's own log is kept with the job's.
        expect(unitLog).toMatch(/Ready to accept connections/);
        expect(await jobLog(run.pipelineId, 'lint')).toContain('lint passed');
      }

      // Second run of every lane, at the same time: the cache is restored, one test fails.
      const warm = await Promise.all(
        w.lanes.map((lane) => release(lane, 'Tax on the cart', cartWithFailingTest())),
      );
      if (watcher !== undefined) {
        // The lanes' Redis listened on 127.0.0.1:6379 at one moment, each in its own namespace: none
        // of them ever had to be started again (one sharing a network would fail to bind and restart).
        const seen = await watcher.stop();
        expect(seen.most).toBe(w.lanes.length);
        if (w.double !== undefined)
          for (const [pod, ids] of seen.containers) expect(ids.size, `pod ${pod}'s Redis containers`).toBe(1);
      }
      for (const [i, run] of warm.entries()) {
        const lane = w.lanes[i] as Lane;
        const unitLog = await jobLog(run.pipelineId, 'unit');
        expect(run.record.status, unitLog).toBe('failed');
        expect(unitLog).toMatch(/ferry: cache hit: key unit-[0-9a-f]+/);
        expect(unitLog).toContain('install: kv-client already in node_modules');
        expect(unitLog).not.toContain('install: kv-client installed');
        // A failing job never saves the cache.
        expect(unitLog).not.toContain('ferry: cache saved');

        // The API record (what the dashboard shows): counts, the failed test and its message.
        const unit = run.jobs.get('unit');
        expect(unit).toMatchObject({
          status: 'failed',
          report: { passed: 1, failed: 1, skipped: 0 },
          coverage: 93.94,
        });
        expect(unit?.report?.failures).toHaveLength(1);
        expect(unit?.report?.failures[0]?.name).toContain(FAILED_TEST);
        expect(unit?.report?.failures[0]?.message).toContain('3.3 !== 3.4');
        expect(run.jobs.get('lint')).toMatchObject({ status: 'success' });

        // GitLab: the job's commit status names the failed test, and carries the coverage.
        const status = await eventually(async () =>
          w.gitlab
            .statuses(lane.project.id, run.sha)
            .find((s) => s.name === 'ferry/test:unit' && s.status === 'failed'),
        );
        expect(status.description).toContain(FAILED_TEST);
        expect(status.coverage).toBe(93.94);
        // Its link opens that job's log and report on the dashboard.
        expect(status.targetUrl).toBe(`${PUBLIC_URL}/pipelines/${run.pipelineId}#test:unit`);
        expect(
          w.gitlab.statuses(lane.project.id, run.sha).find((s) => s.name === 'ferry/test:lint')?.status,
        ).toBe('success');

        // WeCom: the failure message of this project names the failed test.
        const message = await eventually(async () =>
          w.wecom
            .messages()
            .map((m) => JSON.stringify(m))
            .find((m) => m.includes(lane.project.path) && m.includes(FAILED_TEST)),
        );
        expect(message).toContain(FAILED_TEST);
      }

      // Every runner is gone: no job or service container (docker), no pod (kubernetes).
      await eventually(async () => ((await leftovers()).length === 0 ? true : undefined), 30_000).catch(
        async () => expect(await leftovers()).toEqual([]),
      );
    });

    it('cancels a running unit job through the API: its Redis service container is gone', async () => {
      const lane = w.lanes[0] as Lane;
      const { pipelineId } = await merge(lane, 'Install that hangs', cartBlockedInstall());
      // The job's script runs (it starts only once Redis is ready) and its service container with it.
      await eventually(
        async () => ((await jobLog(pipelineId, 'unit')).includes(BLOCKED_MARKER) ? true : undefined),
        240_000,
      );
      expect((await serviceContainers(lane, true)).length).toBeGreaterThan(0);

      const res = await fetch(`${w.ferry.url}/api/v1/pipelines/${pipelineId}/cancel`, {
        method: 'POST',
        headers: { authorization: `Bearer ${DEPLOYER_TOKEN}` },
        signal: AbortSignal.timeout(10_000),
      });
      expect(res.status, await res.text()).toBe(202);
      const record = await eventually(async () => {
        const p = await api<PipelineRecord>(`/pipelines/${pipelineId}`);
        return terminal.has(p.status) ? p : undefined;
      }, 120_000);
      expect(record.status).toBe('canceled');
      const unit = record.stages.find((s) => s.name === 'test')?.jobs?.find((j) => j.name === 'unit');
      expect(unit?.status).toBe('canceled');
      // When the pipeline says canceled, the service no longer runs; then its container is removed.
      expect(await serviceContainers(lane, true)).toEqual([]);
      await eventually(
        async () => ((await serviceContainers(lane, false)).length === 0 ? true : undefined),
        60_000,
      ).catch(async () => expect(await serviceContainers(lane, false)).toEqual([]));
      const log = await jobLog(pipelineId, 'unit');
      expect(log).toContain(BLOCKED_MARKER);
      expect(log).not.toContain('ferry: cache saved');
    });

    /**
     * The lane's Redis service containers (only running ones with `running`): by Ferry's labels on
     * docker, by the double's pod labels and the service's image on kubernetes.
     */
    async function serviceContainers(lane: Lane, running: boolean): Promise<string[]> {
      const label =
        w.double === undefined
          ? ['ferry.role=service', 'ferry.service=redis', `ferry.project=${lane.project.path}`]
          : [`ferry.k8s-double.namespace=${w.runnerNamespace}`, 'ferry.k8s-double.container=service-redis'];
      const found = await w.docker.listContainers({ all: !running, filters: { label } });
      return found.map((c) => `${c.Names.join(',')} (${c.State})`);
    }

    async function leftovers(): Promise<string[]> {
      if (w.double !== undefined) {
        await w.double.nodeSettled();
        return w.double.leftovers();
      }
      const left: string[] = [];
      for (const lane of w.lanes) {
        const filters = { label: ['ferry.managed=1', `ferry.project=${lane.project.path}`] };
        for (const c of await w.docker.listContainers({ all: true, filters }))
          if (c.Labels['ferry.role'] !== 'cache') left.push(`container ${c.Names.join(',')}`);
      }
      return left;
    }
  });
}
