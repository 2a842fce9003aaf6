/**
 * `npm run test:cluster`: the Kubernetes executor against a real cluster (kind, k3s, a managed
 * one) reached through KUBECONFIG — the conformance suite every executor passes, with a token
 * bound to exactly deploy/rbac/runner-executor.yaml in a namespace that enforces `restricted` with
 * a compute quota, plus the failures only a cluster has. Images come from the environment (a cluster cannot see this
 * machine's images); see README → Real cluster.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogSink, LogStream, StageJob } from '../../packages/server/src/executors/executor.js';
import {
  KubernetesExecutor,
  type KubernetesExecutorConfig,
  RUNNER_SELECTOR,
  RunnerKeys,
} from '../../packages/server/src/executors/kubernetes/index.js';
import { executorConformance } from '../executors/conformance.js';
import { createPolicedNamespace, restrictedLabels } from '../support/cluster-policy.js';
import { executorIdentity, type Identity } from '../support/least-privilege.js';
import { readClusterEnv } from './cluster-env.js';
import { LoopbackRelay } from './loopback-relay.js';
import { RelayedExecutor } from './relayed-executor.js';

const env = readClusterEnv();
const identityDir = mkdtempSync(join(tmpdir(), 'ferry-cluster-identity-'));

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  if (env.context !== undefined) kc.setCurrentContext(env.context);
  return kc;
}

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const config: KubernetesExecutorConfig = {
  namespace: env.namespace,
  runnerImage: env.runnerImage,
  nodeSelector: {},
  tolerations: [],
  imagePullSecrets: env.imagePullSecrets,
  pendingTimeout: 180_000,
  buildSandbox: 'restricted',
  runAsUser: 10001,
  cloneResources: { cpu: '200m', memory: '256Mi' },
  stepResources: { cpu: '200m', memory: '256Mi' },
  serviceResources: { cpu: '200m', memory: '256Mi' },
};

async function leftovers(prefix: string): Promise<string[]> {
  const selector = { namespace: env.namespace, labelSelector: RUNNER_SELECTOR };
  const [pods, secrets] = await Promise.all([
    core.listNamespacedPod(selector),
    core.listNamespacedSecret(selector),
  ]);
  return [...pods.items, ...secrets.items]
    .filter((o) => (o.metadata?.annotations?.[RunnerKeys.pipeline] ?? '').startsWith(prefix))
    .map((o) => `${o.kind ?? 'object'} ${o.metadata?.name}`);
}

// A namespace of the suite's own enforces what managed clusters do (the restricted Pod Security
// Standard, a compute quota with its LimitRange), as the double's runs do: the runner pods must be
// admitted there unchanged. A namespace given by FERRY_CLUSTER_NAMESPACE is used as it is.
beforeAll(async () => {
  if (env.ownNamespace) await createPolicedNamespace(core, env.namespace, restrictedLabels);
});

afterAll(async () => {
  if (env.ownNamespace) await core.deleteNamespace({ name: env.namespace }).catch(() => undefined);
});

describe(`kubernetes executor on ${kc.getCurrentCluster()?.server} (namespace ${env.namespace})`, () => {
  const relay = env.hostAddress === undefined ? undefined : new LoopbackRelay(env.hostAddress);
  afterAll(async () => {
    await relay?.close();
    await rm(identityDir, { recursive: true, force: true });
  });

  // Ferry with a token bound to deploy/rbac/runner-executor.yaml only, as the double's run does: a
  // verb missing from the YAML fails with the cluster's own 403.
  let identity: Promise<Identity> | undefined;

  executorConformance('kubernetes (real cluster)', async ({ pipelinePrefix }) => {
    identity ??= executorIdentity(kc.exportConfig(), [env.namespace], identityDir);
    const { kc: leastPrivilege } = await identity;
    const make = () => {
      const executor = new KubernetesExecutor({ config, kubeConfig: leastPrivilege });
      return relay === undefined ? executor : new RelayedExecutor(executor, relay);
    };
    return {
      executor: make(),
      restarted: make,
      separateStderr: false,
      stageImage: env.stageImage,
      leftovers: () => leftovers(pipelinePrefix),
    };
  });
});

class RecordingSink implements LogSink {
  readonly chunks: Array<{ stream: LogStream; text: string }> = [];
  write(stream: LogStream, text: string): void {
    this.chunks.push({ stream, text });
  }
  text(stream: LogStream): string {
    return this.chunks
      .filter((c) => c.stream === stream)
      .map((c) => c.text)
      .join('');
  }
}

describe('kubernetes executor on a real cluster: failures only a cluster has', () => {
  const prefix = `clx${Date.now().toString(36)}`;
  let counter = 0;
  let executor: KubernetesExecutor;

  beforeAll(() => {
    executor = new KubernetesExecutor({ config, kubeConfig: kc });
  });

  const job = (overrides: Partial<StageJob>): StageJob => ({
    pipelineId: `${prefix}${++counter}`,
    stage: 'test',
    attempt: 1,
    project: { id: 1, path: 'cluster/app', cloneUrl: 'http://127.0.0.1:9/app.git' },
    ref: 'main',
    sha: 'a'.repeat(40),
    image: env.stageImage,
    script: ['true'],
    env: {},
    secretEnv: {},
    timeoutMs: 120_000,
    checkout: false,
    ...overrides,
  });

  async function run(stageJob: StageJob, ex = executor) {
    const sink = new RecordingSink();
    const signal = AbortSignal.timeout(280_000);
    const handle = await ex.prepare(stageJob, signal);
    try {
      await ex.start(handle, signal);
      const [, result] = await Promise.all([ex.tail(handle, sink, signal), ex.wait(handle, signal)]);
      return { result, sink };
    } finally {
      await ex.destroy(handle, AbortSignal.timeout(60_000));
      expect(await leftovers(stageJob.pipelineId)).toEqual([]);
    }
  }

  it('ends the stage on an image that cannot be pulled, with the reason in the log', async () => {
    const { result, sink } = await run(job({ image: 'registry.invalid/ferry/does-not-exist:1' }));
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/^(ErrImagePull|ImagePullBackOff)/);
    expect(sink.text('system')).toMatch(/container step is waiting: (ErrImagePull|ImagePullBackOff)/);
  });

  it('fails an unschedulable stage after pendingTimeout with FailedScheduling in the log', async () => {
    const pending = new KubernetesExecutor({
      config: { ...config, nodeSelector: { 'ferry.dev/pool': 'nowhere' }, pendingTimeout: 15_000 },
      kubeConfig: kc,
    });
    const { result, sink } = await run(job({}), pending);
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/^Unschedulable/);
    expect(sink.text('system')).toContain('FailedScheduling');
  });

  it('reports the deadline', async () => {
    const { result } = await run(job({ timeoutMs: 5_000, script: ['sleep 120'] }));
    expect(result).toMatchObject({ status: 'failed', reason: 'timed out after 5s (DeadlineExceeded)' });
  });
});
