/**
 * `npm run test:cluster`: Ferry's rendered manifests through `kubectl apply --server-side` with
 * validation on into a restricted, quota-bound namespace of a real cluster, then `kubectl rollout
 * status` — the checks test/release/rendered-apply.test.ts runs against the double.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, describe, it } from 'vitest';
import { requireKubectl } from '../k8s-double/kubectl.js';
import { uniqueSuffix } from '../release/release-support.js';
import { checkRenderedApply, renderedApplyPlan } from '../release/rendered-apply-checks.js';
import { readClusterEnv } from './cluster-env.js';

const env = readClusterEnv();
const kc = new KubeConfig();
kc.loadFromDefault();
if (env.context !== undefined) kc.setCurrentContext(env.context);
const core = kc.makeApiClient(CoreV1Api);
const cleanups: Array<() => Promise<unknown>> = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

describe(`rendered manifests through kubectl on ${kc.getCurrentCluster()?.server}`, () => {
  it('apply --server-side into a restricted, quota-bound namespace and roll out', async () => {
    requireKubectl();
    // kubectl gets the suite's context as the current one, in a file of its own.
    const dir = await mkdtemp(join(tmpdir(), 'ferry-cluster-kubectl-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const kubeconfigPath = join(dir, 'kubeconfig');
    await writeFile(kubeconfigPath, kc.exportConfig(), { mode: 0o600 });
    const plan = renderedApplyPlan(`kubectl-${uniqueSuffix()}`, 'c'.repeat(40));
    cleanups.push(() => core.deleteNamespace({ name: plan.namespace }));
    await checkRenderedApply({
      kubeconfigPath,
      core,
      plan,
      image: env.appImage,
      // The image is pulled as the cluster pulls it; the rendered pull Secret only has to be valid.
      registry: { endpoint: 'registry.invalid', username: 'ferry', password: 'unused' },
    });
  }, 300_000);
});
