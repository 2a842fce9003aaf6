/**
 * Ferry's rendered manifests applied by an operator's own tool: `kubectl apply --server-side` of
 * what renderManifests produces (as `ferry render --show-secrets` prints it), into a namespace
 * that enforces the restricted Pod Security Standard with a compute quota, then `kubectl rollout
 * status`. The redacted output of `ferry render` must apply too (server-side dry run). kubectl
 * validates as it does by default (--validate=strict: the schemas from the double's /openapi/v3),
 * so a field Kubernetes does not know would fail the apply; the test shows that it does.
 */

import { redactSecretsForApply, releaseMetadata, renderManifests, toYaml } from '@ferry/shared';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type K8sDouble, startK8sDouble } from '../k8s-double/index.js';
import { kubectl, requireKubectl } from '../k8s-double/kubectl.js';
import { createPolicedNamespace } from '../support/cluster-policy.js';
import { planFor, registry, uniqueSuffix } from './release-support.js';
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
    const plan = planFor(
      `service: ${service}\nstages:\n  deploy:\n    port: 8080\n    resources: { cpu: 100m, memory: 128Mi }\n    probes:\n      readiness: { http: /, period: 1s }\n`,
      { project: `ferry-release/${service}`, sha: image.sha },
    );
    const kc = new KubeConfig();
    kc.loadFromFile(double.kubeconfigPath);
    await createPolicedNamespace(kc.makeApiClient(CoreV1Api), plan.namespace);
    const objects = renderManifests(plan, {
      image: image.reference,
      registry: { endpoint: registry.address, username: registry.username, password: registry.password },
      meta: releaseMetadata(plan, { pipelineId: 'kubectl', mergedBy: 'operator' }),
    });

    const redacted = await kubectl(
      double.kubeconfigPath,
      ['apply', '--server-side', '--dry-run=server', '--field-manager=ferry', '-f', '-'],
      { input: toYaml(redactSecretsForApply(objects)) },
    );
    expect(redacted, redacted.stderr).toMatchObject({ code: 0 });

    // Validation is really on: the same Deployment with a misspelt field is refused by kubectl.
    const deployment = objects.find((o) => o.kind === 'Deployment')!;
    const misspelt = { ...deployment, spec: { ...(deployment as { spec: object }).spec, replicaz: 2 } };
    const refused = await kubectl(
      double.kubeconfigPath,
      ['apply', '--server-side', '--dry-run=server', '--field-manager=ferry', '-f', '-'],
      { input: toYaml([misspelt]) },
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/unknown field "spec\.replicaz"/);

    const applied = await kubectl(
      double.kubeconfigPath,
      ['apply', '--server-side', '--field-manager=ferry', '-f', '-'],
      { input: toYaml(objects) },
    );
    expect(applied, applied.stderr).toMatchObject({ code: 0 });
    expect(applied.stderr).not.toContain('would violate PodSecurity');
    expect(applied.stdout).toContain(`deployment.apps/${service} serverside-applied`);

    const rollout = await kubectl(
      double.kubeconfigPath,
      ['-n', plan.namespace, 'rollout', 'status', `deployment/${service}`, '--timeout=120s'],
      { timeoutMs: 150_000 },
    );
    expect(rollout, rollout.stderr).toMatchObject({ code: 0 });
    expect(rollout.stdout).toContain(`deployment "${service}" successfully rolled out`);

    // Applying the same manifests again changes nothing: no new ReplicaSet, no new generation.
    const again = await kubectl(
      double.kubeconfigPath,
      ['apply', '--server-side', '--field-manager=ferry', '-f', '-'],
      { input: toYaml(objects) },
    );
    expect(again.stdout).toContain(`deployment.apps/${service} serverside-applied`);
    const rs = await kubectl(double.kubeconfigPath, ['-n', plan.namespace, 'get', 'rs', '-o', 'name']);
    expect(rs.stdout.trim().split('\n')).toHaveLength(1);
  }, 300_000);
});
