/**
 * Ferry's rendered manifests applied by an operator's own tool against the Kubernetes double:
 * `kubectl apply --server-side` with validation on, restricted + quota, `kubectl rollout status`
 * (rendered-apply-checks.ts; `npm run test:cluster` runs the same checks on a real cluster).
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type K8sDouble, startK8sDouble } from '../k8s-double/index.js';
import { requireKubectl } from '../k8s-double/kubectl.js';
import { registry, uniqueSuffix } from './release-support.js';
import { checkRenderedApply, renderedApplyPlan } from './rendered-apply-checks.js';
import { buildSampleApp } from './sample-app.js';

let double: K8sDouble;

beforeAll(async () => {
  requireKubectl();
  double = await startK8sDouble();
});
afterAll(async () => {
  await double?.close();
});

describe('rendered manifests through kubectl', () => {
  it('apply --server-side into a restricted, quota-bound namespace and roll out', async () => {
    const service = `kubectl-${uniqueSuffix()}`;
    const image = await buildSampleApp(service, 'k1');
    const kc = new KubeConfig();
    kc.loadFromFile(double.kubeconfigPath);
    await checkRenderedApply({
      kubeconfigPath: double.kubeconfigPath,
      core: kc.makeApiClient(CoreV1Api),
      plan: renderedApplyPlan(service, image.sha),
      image: image.reference,
      registry: { endpoint: registry.address, username: registry.username, password: registry.password },
    });
  }, 300_000);
});
