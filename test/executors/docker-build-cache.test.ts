// biome-ignore-all lint/suspicious/noTemplateCurlyInString: shell parameter expansions, not templates
/**
 * The docker executor's build cache (`executor.docker.buildCache`) on the real engine: a buildah
 * build step gets its project's named volume at the build cache directory and the slots in its
 * environment, the volume outlives the runner, another project gets its own, and without the
 * option nothing is mounted. The runner's use of the directory (slots, locks, caps) is checked by
 * test/release/buildah-build.test.ts and storage-slots.test.ts.
 */
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerExecutor } from '../../packages/server/src/executors/docker/index.js';
import { buildCacheVolumeName } from '../../packages/server/src/executors/docker/project-volumes.js';
import type { StageJob } from '../../packages/server/src/executors/executor.js';
import { connectTestDocker } from '../support/services.js';
import { dockerLeftovers } from './docker-support.js';
import { runStageToEnd } from './run-stage.js';
import { ensureRunnerImage } from './runner-build.js';

/** Says what the build step finds in its build cache directory, and leaves its own mark there. */
const PROBE = [
  'echo "cache dir=${FERRY_BUILD_CACHE_DIR:-none} slots=${FERRY_BUILD_CACHE_SLOTS:-none} max=${FERRY_BUILD_CACHE_MAX_BYTES:-none}"',
  'if [ -n "${FERRY_BUILD_CACHE_DIR:-}" ]; then if [ -f "$FERRY_BUILD_CACHE_DIR/mark" ]; then echo "found mark $(cat "$FERRY_BUILD_CACHE_DIR/mark")"; else echo "no mark"; fi; echo "$MARK" > "$FERRY_BUILD_CACHE_DIR/mark"; fi',
];

describe('docker executor: buildah build cache volume', () => {
  const prefix = `dbc${randomBytes(3).toString('hex')}`;
  const projectId = 300_000 + Math.floor(Math.random() * 100_000);
  let docker: Docker;
  let runnerImage: string;
  let counter = 0;
  const jobs: StageJob[] = [];

  beforeAll(async () => {
    docker = await connectTestDocker();
    runnerImage = await ensureRunnerImage();
  });

  afterAll(async () => {
    if (docker === undefined) return;
    expect(await dockerLeftovers(docker, prefix)).toEqual([]);
    for (const name of new Set(jobs.map(buildCacheVolumeName)))
      await docker
        .getVolume(name)
        .remove()
        .catch(() => {});
  });

  function buildJob(id: number, mark: string): StageJob {
    counter += 1;
    const job: StageJob = {
      pipelineId: `${prefix}${counter}`,
      stage: 'build',
      attempt: 1,
      project: { id, path: `group/p${id}`, cloneUrl: 'http://127.0.0.1:1/none.git' },
      ref: 'main',
      sha: 'd'.repeat(40),
      image: runnerImage,
      script: PROBE,
      env: { MARK: mark },
      secretEnv: {},
      timeoutMs: 60_000,
      checkout: false,
      owner: prefix,
      buildah: {},
    };
    jobs.push(job);
    return job;
  }

  it("keeps a project's build storage directory between its build steps, apart from other projects'", async () => {
    const executor = new DockerExecutor({
      docker,
      runnerImage,
      pull: 'never',
      owner: prefix,
      buildCache: { slots: 3, maxBytes: 5 * 1024 ** 3 },
    });
    const first = await runStageToEnd(executor, buildJob(projectId, 'first'));
    expect(first.result.status, first.log).toBe('success');
    expect(first.log).toContain(`cache dir=/var/lib/ferry-build-cache slots=3 max=${5 * 1024 ** 3}`);
    expect(first.log).toContain('no mark');

    const second = await runStageToEnd(executor, buildJob(projectId, 'second'));
    expect(second.result.status, second.log).toBe('success');
    expect(second.log).toContain('found mark first');

    const other = await runStageToEnd(executor, buildJob(projectId + 1, 'other'));
    expect(other.log).toContain('no mark');

    const volume = await docker.getVolume(buildCacheVolumeName(jobs[0] as StageJob)).inspect();
    expect(volume.Labels).toMatchObject({
      'ferry.managed': '1',
      'ferry.role': 'build-cache',
      'ferry.project': `group/p${projectId}`,
      'ferry.owner': prefix,
    });
    // The runner's volumes and containers are gone; only the project's build cache stays.
    expect(volume.Labels).not.toHaveProperty('ferry.runner');
  });

  it('mounts nothing without executor.docker.buildCache', async () => {
    const executor = new DockerExecutor({ docker, runnerImage, pull: 'never', owner: prefix });
    const plain = await runStageToEnd(executor, buildJob(projectId + 2, 'plain'));
    expect(plain.result.status, plain.log).toBe('success');
    expect(plain.log).toContain('cache dir=none slots=none max=none');
    jobs.pop();
  });
});
