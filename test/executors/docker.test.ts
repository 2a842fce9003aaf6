import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerExecutor } from '../../packages/server/src/executors/docker/index.js';
import type { LogSink, StageJob } from '../../packages/server/src/executors/executor.js';
import { connectTestDocker, testImages, testRegistry } from '../support/services.js';
import { executorConformance } from './conformance.js';
import { dockerLeftovers, TextSink } from './docker-support.js';
import { ensureRunnerImage } from './runner-build.js';

executorConformance('docker', async ({ pipelinePrefix }) => {
  const docker = await connectTestDocker();
  const runnerImage = await ensureRunnerImage();
  return {
    // pull: never — nothing may be pulled here, and a missing image must fail, not wait.
    executor: new DockerExecutor({ docker, runnerImage, pull: 'never' }),
    restarted: () => new DockerExecutor({ docker, runnerImage, pull: 'never' }),
    leftovers: () => dockerLeftovers(docker, pipelinePrefix),
  };
});

describe('docker executor', () => {
  const prefix = `dock${randomBytes(3).toString('hex')}`;
  let docker: Docker;
  let runnerImage: string;
  let counter = 0;

  beforeAll(async () => {
    docker = await connectTestDocker();
    runnerImage = await ensureRunnerImage();
  });

  afterAll(async () => {
    if (docker !== undefined) expect(await dockerLeftovers(docker, prefix)).toEqual([]);
  });

  function job(overrides: Partial<StageJob> = {}): StageJob {
    counter += 1;
    return {
      pipelineId: `${prefix}${counter}`,
      stage: 'test',
      attempt: 2,
      project: { id: 9, path: 'group/app', cloneUrl: 'http://127.0.0.1:1/none.git' },
      ref: 'main',
      sha: 'c'.repeat(40),
      image: testImages.busybox,
      script: ['true'],
      env: {},
      secretEnv: {},
      timeoutMs: 60_000,
      checkout: false,
      ...overrides,
    };
  }

  async function run(executor: DockerExecutor, stageJob: StageJob, sink: LogSink = new TextSink()) {
    const signal = AbortSignal.timeout(120_000);
    const handle = await executor.prepare(stageJob, signal);
    try {
      await executor.start(handle, signal);
      const [, result] = await Promise.all([
        executor.tail(handle, sink, signal),
        executor.wait(handle, signal),
      ]);
      return result;
    } finally {
      await executor.destroy(handle, AbortSignal.timeout(30_000));
    }
  }

  it('labels its containers and volume, uses host networking, and sets resource limits', async () => {
    const executor = new DockerExecutor({ docker, runnerImage, pull: 'never' });
    const stageJob = job({
      resources: { cpu: '500m', memory: '64Mi' },
      script: ['echo started', 'sleep 30'],
    });
    const signal = AbortSignal.timeout(60_000);
    const handle = await executor.prepare(stageJob, signal);
    try {
      await executor.start(handle, signal);
      const sink = new TextSink();
      const tail = executor.tail(handle, sink, signal);
      while (!sink.text.includes('started\n')) await new Promise((r) => setTimeout(r, 20));
      const info = await docker.getContainer(`${handle.id}-step`).inspect();
      expect(info.Config.Labels).toMatchObject({
        'ferry.managed': '1',
        'ferry.runner': handle.id,
        'ferry.pipeline': stageJob.pipelineId,
        'ferry.stage': 'test',
        'ferry.project': 'group/app',
        'ferry.sha': stageJob.sha,
        'ferry.attempt': '2',
        'ferry.role': 'step',
      });
      expect(info.HostConfig.NetworkMode).toBe('host');
      expect(info.HostConfig.Memory).toBe(64 * 1024 * 1024);
      expect(info.HostConfig.NanoCpus).toBe(500_000_000);
      expect(info.Mounts).toContainEqual(
        expect.objectContaining({ Type: 'volume', Name: handle.id, Destination: '/workspace' }),
      );
      const volume = await docker.getVolume(handle.id).inspect();
      expect(volume.Labels).toMatchObject({ 'ferry.managed': '1', 'ferry.pipeline': stageJob.pipelineId });
      await executor.cancel(handle, signal);
      expect(await executor.wait(handle, signal)).toMatchObject({ status: 'canceled' });
      await tail;
    } finally {
      await executor.destroy(handle, signal);
    }
    expect(await dockerLeftovers(docker, prefix)).toEqual([]);
  });

  it('fails at once with a clear reason when the image is not on the host and pulling is off', async () => {
    const executor = new DockerExecutor({ docker, runnerImage, pull: 'never' });
    const sink = new TextSink();
    const started = Date.now();
    const result = await run(executor, job({ image: 'ferry-test/does-not-exist:1' }), sink);
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/ferry-test\/does-not-exist:1 is not on the Docker host/);
    expect(sink.text).toContain('is not on the Docker host');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await dockerLeftovers(docker, prefix)).toEqual([]);
  });

  it('reports OOMKilled from the container state', async () => {
    const executor = new DockerExecutor({ docker, runnerImage, pull: 'never' });
    const result = await run(
      executor,
      job({
        resources: { memory: '16Mi' },
        script: ['x=$(head -c 100000000 /dev/zero | tr "\\0" a); echo survived'],
      }),
    );
    expect(result).toMatchObject({ status: 'failed', exitCode: 137 });
    expect(result.reason).toMatch(/OOMKilled.*16Mi/);
  });

  it('fails the stage when the runner image is missing, before anything runs', async () => {
    const executor = new DockerExecutor({ docker, runnerImage: 'ferry/runner:absent', pull: 'never' });
    const result = await run(executor, job({ checkout: true, script: ['echo never'] }));
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/ferry\/runner:absent is not on the Docker host/);
    // The project's own image: the reason has a stable code and says how to build it.
    expect(result.reason).toMatch(/^FERRY_ERR_EXECUTOR_RUNNER_IMAGE_MISSING: /);
    expect(result.reason).toContain(
      'npx tsc -b && RUNNER_TAG=ferry/runner:absent bash scripts/lib/runner-image.sh --production',
    );
  });

  describe('pulls a missing image from the private registry', () => {
    const registry = testRegistry();
    const image = `${registry.address}/ferry-test/pull-${randomBytes(4).toString('hex')}:1`;
    const auth = {
      serveraddress: registry.address,
      username: registry.username,
      password: registry.password,
    };

    beforeAll(async () => {
      const [repo, tag] = image.split(/:(?=[^:]+$)/) as [string, string];
      await docker.getImage(testImages.busybox).tag({ repo, tag });
      const stream = await docker.getImage(image).push({ authconfig: auth });
      const events: string[] = [];
      for await (const chunk of stream) events.push(String(chunk));
      expect(events.join('')).not.toContain('"error"');
      await docker.getImage(image).remove();
    });

    afterAll(async () => {
      await docker
        .getImage(image)
        .remove({ force: true })
        .catch(() => {});
    });

    it('with the registry credentials', async () => {
      const executor = new DockerExecutor({ docker, runnerImage, pull: 'if-missing', registryAuth: auth });
      const sink = new TextSink();
      const result = await run(executor, job({ image, script: ['echo pulled-and-ran'] }), sink);
      expect(result.status).toBe('success');
      expect(sink.text).toContain('pulled-and-ran\n');
      await docker.getImage(image).remove();
    });

    it('and fails clearly with wrong credentials', async () => {
      const executor = new DockerExecutor({
        docker,
        runnerImage,
        pull: 'if-missing',
        registryAuth: { ...auth, password: 'wrong-password' },
      });
      const result = await run(executor, job({ image }));
      expect(result.status).toBe('failed');
      expect(result.reason).toMatch(
        new RegExp(`image ${image.replaceAll('.', '\\.')} cannot be pulled \\(as ferry\\)`),
      );
      expect(result.reason).not.toContain('wrong-password');
    });
  });

  it('finds and destroys a runner another executor instance started (a Ferry restart)', async () => {
    const before = new DockerExecutor({ docker, runnerImage, pull: 'never' });
    const stageJob = job({ script: ['echo started', 'sleep 300'] });
    const signal = AbortSignal.timeout(60_000);
    const handle = await before.prepare(stageJob, signal);
    await before.start(handle, signal);
    const sink = new TextSink();
    const tail = before.tail(handle, sink, signal);
    while (!sink.text.includes('started\n')) await new Promise((r) => setTimeout(r, 20));

    const after = new DockerExecutor({ docker, runnerImage, pull: 'never' });
    expect(await after.list(signal)).toContainEqual(
      expect.objectContaining({ id: handle.id, pipelineId: stageJob.pipelineId, stage: 'test' }),
    );
    await expect(after.wait(handle, signal)).rejects.toMatchObject({
      code: 'FERRY_ERR_EXECUTOR_RUNNER_UNKNOWN',
    });
    const destroyedAt = Date.now();
    await after.destroy(handle, signal);
    expect(Date.now() - destroyedAt).toBeLessThan(5_000);
    expect(await dockerLeftovers(docker, prefix)).toEqual([]);
    expect((await after.list(signal)).map((r) => r.id)).not.toContain(handle.id);
    await tail;
    await before.destroy(handle, signal);
  });

  it('says the engine is unreachable with a stable code', async () => {
    const executor = new DockerExecutor({ socketPath: '/nonexistent/docker.sock', runnerImage });
    await expect(executor.prepare(job(), AbortSignal.timeout(10_000))).rejects.toMatchObject({
      code: 'FERRY_ERR_EXECUTOR_ENGINE_UNREACHABLE',
    });
  });
});
