/**
 * Ferry's rendered manifests applied by an operator's own tool, the same checks against the
 * Kubernetes double (test/release/rendered-apply.test.ts) and a real cluster (npm run
 * test:cluster): `kubectl apply --server-side` with validation on (kubectl's default, strict, from
 * the server's /openapi/v3) into a namespace that enforces the restricted Pod Security Standard
 * with a compute quota, `ferry render`'s redacted output as a server-side dry run, a misspelt field
 * refused, then `kubectl rollout status`, and a second apply that changes nothing.
 */
import {
  type ResolvedPlan,
  redactSecretsForApply,
  releaseMetadata,
  renderManifests,
  toYaml,
} from '@ferry/shared';
import type { CoreV1Api } from '@kubernetes/client-node';
import { expect } from 'vitest';
import { kubectl } from '../k8s-double/kubectl.js';
import { createPolicedNamespace } from '../support/cluster-policy.js';
import { planFor } from './release-support.js';

/** The service's plan the checks render (its `namespace` is the one they create). */
export function renderedApplyPlan(service: string, sha: string): ResolvedPlan {
  return planFor(
    `service: ${service}\nstages:\n  deploy:\n    port: 8080\n    resources: { cpu: 100m, memory: 128Mi }\n    probes:\n      readiness: { http: /, period: 1s }\n`,
    { project: `ferry-release/${service}`, sha },
  );
}

export interface RenderedApplyTarget {
  /** An operator's kubeconfig (admin of the application namespace). */
  kubeconfigPath: string;
  core: CoreV1Api;
  plan: ResolvedPlan;
  /** The image the Deployment runs: it serves HTTP on $PORT as a numeric non-root user. */
  image: string;
  /** What the rendered imagePullSecret holds. */
  registry: { endpoint: string; username: string; password: string };
}

/** Runs the checks, creating the plan's namespace (the caller deletes it where it must). */
export async function checkRenderedApply(t: RenderedApplyTarget): Promise<void> {
  const { plan } = t;
  const service = plan.service;
  await createPolicedNamespace(t.core, plan.namespace);
  const objects = renderManifests(plan, {
    image: t.image,
    registry: t.registry,
    meta: releaseMetadata(plan, { pipelineId: 'kubectl', mergedBy: 'operator' }),
  });
  const apply = (extra: string[], input: string) =>
    kubectl(t.kubeconfigPath, ['apply', '--server-side', ...extra, '--field-manager=ferry', '-f', '-'], {
      input,
    });

  const redacted = await apply(['--dry-run=server'], toYaml(redactSecretsForApply(objects)));
  expect(redacted, redacted.stderr).toMatchObject({ code: 0 });

  // Validation is really on: the same Deployment with a misspelt field is refused by kubectl.
  const deployment = objects.find((o) => o.kind === 'Deployment');
  if (deployment === undefined) throw new Error('renderManifests gave no Deployment');
  const misspelt = { ...deployment, spec: { ...(deployment as { spec: object }).spec, replicaz: 2 } };
  const refused = await apply(['--dry-run=server'], toYaml([misspelt]));
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toMatch(/unknown field "spec\.replicaz"/);

  const applied = await apply([], toYaml(objects));
  expect(applied, applied.stderr).toMatchObject({ code: 0 });
  expect(applied.stderr).not.toContain('would violate PodSecurity');
  expect(applied.stdout).toContain(`deployment.apps/${service} serverside-applied`);

  const rollout = await kubectl(
    t.kubeconfigPath,
    ['-n', plan.namespace, 'rollout', 'status', `deployment/${service}`, '--timeout=120s'],
    { timeoutMs: 150_000 },
  );
  expect(rollout, rollout.stderr).toMatchObject({ code: 0 });
  expect(rollout.stdout).toContain(`deployment "${service}" successfully rolled out`);

  // Applying the same manifests again changes nothing: no new ReplicaSet.
  const again = await apply([], toYaml(objects));
  expect(again.stdout).toContain(`deployment.apps/${service} serverside-applied`);
  const rs = await kubectl(t.kubeconfigPath, ['-n', plan.namespace, 'get', 'rs', '-o', 'name']);
  expect(rs.stdout.trim().split('\n')).toHaveLength(1);
}
