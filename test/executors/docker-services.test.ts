import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheVolumeName } from '../../packages/server/src/executors/docker/cache-specs.js';
import { DockerExecutor } from '../../packages/server/src/executors/docker/index.js';
import type { StageJob } from '../../packages/server/src/executors/executor.js';
import { connectTestDocker, testImages } from '../support/services.js';
import { dockerLeftovers, TextSink } from './docker-support.js';
import { runStageToEnd } from './run-stage.js';
import { ensureRunnerImage } from './runner-build.js';

/** A redis PING over the job's loopback with busybox nc: `+PONG` when the service answers. */
const PING = "printf 'PING\\r\\n' | nc -w 2 127.0.0.1 6379";

describe('docker executor: services and cache', () => {
  const prefix = `dsvc${randomBytes(3).toString('hex')}`;
  let docker: Docker;
  let executor: DockerExecutor;
  let counter = 0;
  const projects = new Set<StageJob>();

  beforeAll(async () => {
    docker = await connectTestDocker();
    executor = new DockerExecutor({ docker, runnerImage: await ensureRunnerImage(), pull: 'never' });
  });

  afterAll(async () => {
    if (docker === undefined) return;
    expect(await dockerLeftovers(docker, prefix)).toEqual([]);
    for (const stageJob of projects)
      await docker
        .getVolume(cacheVolumeName(stageJob))
        .remove()
        .catch(() => {});
  });

  function job(overrides: Partial<StageJob> = {}): StageJob {
    counter += 1;
    return {
      pipelineId: `${prefix}${counter}`,
      stage: 'test',
      attempt: 1,
      project: { id: 17, path: 'group/app', cloneUrl: 'http://127.0.0.1:1/none.git' },
      ref: 'main',
      sha: 'c'.repeat(40),
      image: testImages.busybox,
      script: [PING],
      env: {},
      secretEnv: {},
      timeoutMs: 60_000,
      checkout: false,
      owner: prefix,
      ...overrides,
    };
  }

  const redis = { name: 'redis', image: testImages.redis, env: {}, readyTcp: 6379, readyTimeoutMs: 30_000 };

  const run = (stageJob: StageJob) => runStageToEnd(executor, stageJob);

  it('two jobs each reach their own redis at 127.0.0.1:6379 at the same time, with no host port', async () => {
    const [a, b] = await Promise.all([run(job({ services: [redis] })), run(job({ services: [redis] }))]);
    for (const { result, log } of [a, b]) {
      expect(result, log).toMatchObject({ status: 'success' });
      expect(log).toContain('ferry: service redis ready on 127.0.0.1:6379');
      expect(log).toContain('+PONG');
      // The service's own log is kept with the job's.
      expect(log).toContain('ferry: --- log of service redis ---');
      expect(log).toMatch(/Ready to accept connections/);
    }
  });

  it('without services the job is on the host network: the runner namespace is only for services', async () => {
    const { result, log } = await run(job({ script: [PING] }));
    // Nothing listens on the host's 6379.
    expect(result, log).toMatchObject({ status: 'failed' });
  });

  it('fails before the script with the service named and its last log lines when it never gets ready', async () => {
    const broken = {
      name: 'db',
      image: testImages.busybox,
      env: {},
      readyTcp: 5432,
      readyTimeoutMs: 30_000,
    };
    const { result, log } = await run(job({ services: [broken, redis], script: ['echo script ran'] }));
    expect(result.status).toBe('failed');
    expect(result.reason).toBe(
      'service not ready before it ended: db (exited with code 0) (last log lines above)',
    );
    expect(log).toContain('ferry: service db (exited with code 0), its last log lines:');
    expect(log).not.toContain('script ran');
  });

  it('names the service that does not accept in time', async () => {
    const silent = { name: 'db', image: testImages.busybox, env: {}, readyTcp: 5432, readyTimeoutMs: 1_500 };
    const { result, log } = await run(job({ services: [{ ...silent, image: testImages.redis }] }));
    expect(result.reason).toBe('service not ready within 2 s: db (last log lines above)');
    expect(log).toContain('ferry: service db not ready: nothing accepted on 127.0.0.1:5432 within 2 s');
    expect(log).toMatch(/ferry: service db, its last log lines:\n[\s\S]*Ready to accept connections/);
  });

  it('a failed clone ends the job at once, not after the wait for a service that never gets ready', async () => {
    // The readiness wait runs beside the clone; nothing listens on 5432, and its timeout is 10 minutes.
    const never = { name: 'db', image: testImages.redis, env: {}, readyTcp: 5432, readyTimeoutMs: 600_000 };
    const stageJob = job({ checkout: true, services: [never], timeoutMs: 900_000 });
    const { result, log } = await runStageToEnd(executor, stageJob, 110_000);
    expect(result.status, log).toBe('failed');
    expect(result.reason).toMatch(/clone/);
    expect(log).not.toContain('its last log lines');
    expect(log).not.toContain('not ready');
    expect(await dockerLeftovers(docker, prefix)).toEqual([]);
  }, 120_000);

  it('a canceled job leaves no service container', async () => {
    const signal = AbortSignal.timeout(60_000);
    const stageJob = job({ services: [redis], script: ['echo waiting', 'sleep 60'] });
    const handle = await executor.prepare(stageJob, signal);
    const sink = new TextSink();
    try {
      await executor.start(handle, signal);
      const tail = executor.tail(handle, sink, signal);
      while (!sink.text.includes('waiting\n')) await new Promise((r) => setTimeout(r, 50));
      const running = await docker.listContainers({ filters: { label: [`ferry.runner=${handle.id}`] } });
      expect(running.map((c) => c.Labels['ferry.role']).sort()).toEqual(['net', 'service', 'step']);
      const service = running.find((c) => c.Labels['ferry.role'] === 'service');
      const net = await docker.getContainer(`${handle.id}-net`).inspect();
      expect(net.HostConfig.NetworkMode).toBe('none');
      expect(service?.HostConfig.NetworkMode).toBe(`container:${net.Id}`);
      expect(service?.Ports).toEqual([]);
      await executor.cancel(handle, signal);
      expect(await executor.wait(handle, signal)).toMatchObject({ status: 'canceled' });
      await tail;
      const stillRunning = await docker.listContainers({ filters: { label: [`ferry.runner=${handle.id}`] } });
      expect(stillRunning).toEqual([]);
    } finally {
      await executor.destroy(handle, signal);
    }
    expect(await dockerLeftovers(docker, prefix)).toEqual([]);
  });

  it('restores the cache a passing job saved, per project, and a fork pipeline never writes it', async () => {
    const projectId = 100_000 + Math.floor(Math.random() * 100_000);
    const cached = (id: number, save = true) =>
      job({
        project: { id, path: `group/p${id}`, cloneUrl: 'http://127.0.0.1:1/none.git' },
        cache: { name: 'unit', keyFiles: ['package-lock.json'], paths: ['deps'], save },
        script: ['if [ -f deps/x ]; then echo reused; else mkdir -p deps && echo built > deps/x; fi'],
      });
    for (const id of [projectId, projectId + 1]) projects.add(cached(id));

    const fork = await run(cached(projectId, false));
    expect(fork.log).toMatch(/ferry: cache miss: key unit-[0-9a-f]+/);
    expect(fork.log).toContain('ferry: cache not saved: this pipeline may not write the cache');

    const cold = await run(cached(projectId));
    expect(cold.log).toContain('ferry: cache miss');
    expect(cold.log).toContain('built');
    expect(cold.log).toMatch(/ferry: cache saved: key unit-[0-9a-f]+, deps/);

    const warm = await run(cached(projectId));
    expect(warm.result.status).toBe('success');
    expect(warm.log).toMatch(/ferry: cache hit: key unit-[0-9a-f]+/);
    expect(warm.log).toContain('reused');
    expect(warm.log).toContain('is saved already');

    const other = await run(cached(projectId + 1));
    expect(other.log).toContain('ferry: cache miss');
    expect(other.log).toContain('built');
  });

  it('a failing job does not save its cache', async () => {
    const projectId = 200_000 + Math.floor(Math.random() * 100_000);
    const failing = job({
      project: { id: projectId, path: 'group/fail', cloneUrl: 'http://127.0.0.1:1/none.git' },
      cache: { name: 'unit', keyFiles: [], paths: ['deps'], save: true },
      script: ['mkdir deps', 'exit 3'],
    });
    projects.add(failing);
    const { result, log } = await run(failing);
    expect(result).toMatchObject({ status: 'failed', exitCode: 3 });
    expect(log).not.toContain('ferry: cache saved');
  });
});
