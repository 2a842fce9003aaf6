/**
 * The rendered manifests of change pod on the pipeline record: rendered by the server when the
 * deploy stage starts, with the builders and inputs the deploy runner uses; Secret values never
 * stored; returned by GET /pipelines/:id only.
 */
import { readFileSync } from 'node:fs';
import {
  defaultTemplatePath,
  dockerConfigJson,
  formatResultLine,
  loadSpec,
  type ManifestRecord,
  manifestRecords,
  type PipelineRecord,
  RunnerEnv,
  releaseMetadata,
  renderManifests,
  resolveSpec,
} from '@ferry/shared';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { readDeployJob } from '../../packages/runner/src/deploy/deploy-env.js';
import type {
  Executor,
  LogSink,
  RunnerEnd,
  RunnerHandle,
  StageJob,
  StageResult,
} from '../../packages/server/src/executors/executor.js';
import { StaticEnvironmentMap } from '../../packages/server/src/pipeline/environment-map.js';
import { deployManifests } from '../../packages/server/src/stages/deploy-manifests.js';
import { buildStageJob } from '../../packages/server/src/stages/stage-jobs.js';
import type { TestFerry } from '../support/ferry.js';
import { testRedisUrl } from '../support/services.js';
import { api, pushPipeline, rule, startApiFerry, until } from './api-support.js';

const PASSWORD = 'registry-password-4b9e1d7c';
const USER = 'ferry-ci';
const REGISTRY = '127.0.0.1:5000';
const DIGEST = `sha256:${'c4'.repeat(32)}`;
const PREVIOUS = { image: `${REGISTRY}/g/p7@sha256:${'0d'.repeat(32)}`, commit: 'f'.repeat(40) };
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
/** Every form the password could take in a pull Secret, down to the `.dockerconfigjson` the runner applies. */
const secretForms = [
  PASSWORD,
  b64(PASSWORD),
  b64(`${USER}:${PASSWORD}`),
  b64(dockerConfigJson({ endpoint: REGISTRY, username: USER, password: PASSWORD })),
];

type DeployEnding = 'rolled-out' | 'no-result';

/** An executor double: test and build succeed (build reports an image), deploy ends as scripted. */
class ScriptedExecutor implements Executor {
  readonly kind = 'scripted';
  readonly jobs = new Map<string, StageJob>();
  deploy: DeployEnding = 'rolled-out';
  /** The pipeline record as the deploy runner started (manifests already recorded?). */
  atDeployStart: (pipelineId: string) => Promise<void> = async () => {};

  async prepare(job: StageJob): Promise<RunnerHandle> {
    const id = `${job.pipelineId}-${job.stage}-${job.attempt}`;
    this.jobs.set(id, job);
    return { id };
  }
  async start(): Promise<void> {}
  async tail(handle: RunnerHandle, sink: LogSink): Promise<void> {
    const job = this.#job(handle);
    if (job.stage === 'build') {
      const plan = JSON.parse(job.env[RunnerEnv.plan] ?? '{}') as { image: { repository: string } };
      const result = {
        image: `${REGISTRY}/${plan.image.repository}:${job.sha}`,
        reference: `${REGISTRY}/${plan.image.repository}@${DIGEST}`,
        digest: DIGEST,
        tags: [job.sha],
      };
      sink.write('stdout', formatResultLine('build', result));
    }
    if (job.stage === 'deploy') {
      await this.atDeployStart(job.pipelineId);
      if (this.deploy === 'rolled-out') {
        const result = {
          deployed: job.env[RunnerEnv.image] ?? '',
          commit: job.sha,
          revision: 2,
          namespace: 'g-test',
          deployment: 'p7',
          previous: PREVIOUS,
        };
        sink.write('stdout', formatResultLine('deploy', result));
      }
    }
  }
  async wait(handle: RunnerHandle): Promise<StageResult> {
    const job = this.#job(handle);
    return job.stage === 'deploy' && this.deploy === 'no-result'
      ? { status: 'failed', exitCode: 137, reason: 'OOMKilled' }
      : { status: 'success', exitCode: 0 };
  }
  async cancel(): Promise<void> {}
  async destroy(): Promise<void> {}
  async adopt(): Promise<RunnerEnd> {
    return { finished: false, why: 'a scripted runner is never left behind' };
  }
  async list(): Promise<[]> {
    return [];
  }
  #job(handle: RunnerHandle): StageJob {
    const job = this.jobs.get(handle.id);
    if (job === undefined) throw new Error(`no job ${handle.id}`);
    return job;
  }
}

const yamlOf = (manifests: ManifestRecord[] | undefined, kind: string) =>
  parseYaml(manifests?.find((m) => m.kind === kind)?.yaml ?? 'null') as Record<string, unknown> | null;

describe('the rendered manifests of change pod on the pipeline record', () => {
  let t: TestFerry;
  let redis: Redis;
  const executor = new ScriptedExecutor();

  beforeAll(async () => {
    t = await startApiFerry({
      environments: new StaticEnvironmentMap([rule('test', 'test')]),
      executor,
      config: {
        registry: { endpoint: REGISTRY, username: USER, password: { env: 'FERRY_TEST_REGISTRY_PASSWORD' } },
      },
      env: { FERRY_TEST_REGISTRY_PASSWORD: PASSWORD },
    });
    redis = new Redis(testRedisUrl());
  });
  afterAll(async () => {
    redis.disconnect();
    await t.close();
  });

  async function deployed(ending: DeployEnding): Promise<PipelineRecord> {
    executor.deploy = ending;
    const id = await pushPipeline(t, { projectId: 7, path: 'g/p7' });
    return until(t, id, ['success', 'failed'], 20_000);
  }

  it('GET /pipelines/:id returns the objects deploy applies, with the previous release the runner read', async () => {
    const p = await deployed('rolled-out');
    expect(p.status).toBe('success');
    const res = await api(t, 'GET', `/pipelines/${p.id}`);
    expect(res.statusCode).toBe(200);
    const { manifests } = res.json() as PipelineRecord;
    expect(manifests?.map((m) => `${m.kind} ${m.namespace ?? ''}/${m.name}`)).toEqual([
      'Namespace /g-test',
      'Secret g-test/ferry-registry',
      'Service g-test/p7',
      'Deployment g-test/p7',
    ]);
    const deployment = yamlOf(manifests, 'Deployment') as {
      metadata: { annotations: Record<string, string> };
      spec: { template: { spec: { containers: { image: string }[] } } };
    };
    expect(deployment.spec.template.spec.containers[0]?.image).toBe(p.image?.reference);
    expect(deployment.metadata.annotations).toMatchObject({
      'ferry.dev/pipeline': p.id,
      'ferry.dev/previous-image': PREVIOUS.image,
      'ferry.dev/previous-commit': PREVIOUS.commit,
    });
    expect(yamlOf(manifests, 'Secret')).toMatchObject({ data: { '.dockerconfigjson': '<redacted>' } });
  });

  it('stores no registry password: not in the record, the API response or Redis', async () => {
    const p = await deployed('rolled-out');
    // The deploy job did carry it (so its absence below means something).
    const job = [...executor.jobs.values()].find((j) => j.pipelineId === p.id && j.stage === 'deploy');
    expect(job?.secretEnv.FERRY_REGISTRY_PASSWORD).toBe(PASSWORD);
    const body = (await api(t, 'GET', `/pipelines/${p.id}`)).body;
    const hash = JSON.stringify(await redis.hgetall(`${t.prefix}:pipeline:${p.id}`));
    expect(hash).toContain('"manifests"');
    for (const text of [body, hash, JSON.stringify(p)])
      for (const secret of secretForms) expect(text).not.toContain(secret);
  });

  it('records them when the deploy starts: a deploy that ends without a result still shows them', async () => {
    const seen: Array<ManifestRecord[] | undefined> = [];
    executor.atDeployStart = async (id) => {
      seen.push((await t.ferry.ctx.store.get(id))?.manifests);
    };
    try {
      const p = await deployed('no-result');
      expect(p.status).toBe('failed');
      expect(seen[0]?.map((m) => m.kind)).toContain('Deployment');
      const { manifests } = (await api(t, 'GET', `/pipelines/${p.id}`)).json() as PipelineRecord;
      expect(manifests).toEqual(seen[0]);
      // Without the runner's word, the previous release is not known: no annotation is guessed.
      const annotations = (yamlOf(manifests, 'Deployment') as { metadata: { annotations: object } }).metadata
        .annotations;
      expect(annotations).not.toHaveProperty(['ferry.dev/previous-image']);
    } finally {
      executor.atDeployStart = async () => {};
    }
  });

  it('lists leave them out', async () => {
    const p = await deployed('rolled-out');
    const res = await api(t, 'GET', '/pipelines?project=7');
    const item = (res.json() as { items: PipelineRecord[] }).items.find((i) => i.id === p.id);
    expect(item?.image?.digest).toBe(DIGEST);
    expect(item).not.toHaveProperty('manifests');
    expect(res.body).not.toContain('"manifests"');
  });
});

describe('deployManifests renders with the inputs the deploy runner reads from its job', () => {
  const template = { text: readFileSync(defaultTemplatePath(), 'utf8'), file: 'pipelines/default.yml' };
  const pipeline = {
    id: 'p0000042',
    project: { id: 7, path: 'shop/orders', webUrl: 'https://gitlab.test/shop/orders', cloneUrl: 'x' },
    environment: 'staging',
    ref: 'staging',
    sha: 'e'.repeat(40),
    user: { username: 'anna', name: 'Anna' },
    image: { reference: `  ${REGISTRY}/shop/orders@${DIGEST}`, digest: DIGEST, tags: [] },
  } as unknown as PipelineRecord;

  it.each([
    [
      'registry with user and password, no previous release',
      { endpoint: REGISTRY, username: USER, password: PASSWORD },
      null,
    ],
    ['registry with user, a previous release', { endpoint: ` ${REGISTRY} `, username: USER }, PREVIOUS],
    [
      'registry without user (no pull secret)',
      { endpoint: REGISTRY },
      { image: PREVIOUS.image, commit: null },
    ],
    ['no registry', undefined, null],
  ])('%s', (_name, registry, previous) => {
    const loaded = loadSpec(template, {
      text: 'stages:\n  deploy:\n    storage: { size: 1Gi, mountPath: /data }\n    ingress: { host: "{service}.{env}.example.com" }\n',
      file: '.ferry.yml',
    });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    const plan = resolveSpec(loaded.spec, { env: 'staging', sha: pipeline.sha, project: 'shop/orders' });
    const job = buildStageJob(pipeline, plan, 'deploy', 1, {
      runnerImage: 'ferry-runner:test',
      allowedBaseImages: [],
      ...(registry === undefined ? {} : { registry }),
    });
    expect(plan.deploy.ingress).not.toBeNull();
    const read = readDeployJob({ ...job.env, ...job.secretEnv });
    if ('problem' in read) throw new Error(read.problem);
    const asTheRunnerRenders = renderManifests(read.plan, {
      image: read.image,
      registry: read.registry,
      meta: releaseMetadata(read.plan, read.meta),
      previous,
    });
    expect(deployManifests(pipeline, plan, registry, previous)).toEqual(manifestRecords(asTheRunnerRenders));
  });
});
