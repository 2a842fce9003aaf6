/**
 * Decoding as a real apiserver does it, through @kubernetes/client-node, raw requests (for the
 * Warning headers) and kubectl: unknown fields (Warn by default, 400 with fieldValidation=Strict),
 * wrong types, canonical quantities (re-applying equal values changes nothing), semantic template
 * equality (kubectl rollout undo reuses the old ReplicaSet), field selectors limited to what the
 * kind supports, and a watch from a future resourceVersion (504). Deployments here select a node
 * label nobody has, so their pods stay Pending: the API is the subject, not the kubelet.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PatchStrategy, setHeaderOptions, type V1Deployment } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBECTL, kubectl, requireKubectl } from './kubectl.js';
import { rawRequest } from './raw-request.js';
import { apiError, type Harness, startHarness, uniqueName, waitFor } from './test-helpers.js';

const exec = promisify(execFile);
let h: Harness;
let ns: string;

beforeAll(async () => {
  requireKubectl();
  h = await startHarness();
  ns = uniqueName('dec');
  await h.core.createNamespace({ body: { metadata: { name: ns } } });
});
afterAll(async () => {
  await h?.double.close();
});

const kubectlIn = (...args: string[]) =>
  exec(KUBECTL, ['--kubeconfig', h.double.kubeconfigPath, '-n', ns, ...args]);

function deployment(name: string, resources: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          nodeSelector: { 'ferry.test/nowhere': 'true' },
          containers: [{ name: 'app', image: 'ferry-test/busybox:latest', resources, ...extra }],
        },
      },
    },
  };
}

const replicaSetsOf = async (name: string) =>
  (await h.apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: `app=${name}` })).items;

describe('unknown and mistyped fields', () => {
  it('drops an unknown field with a Warning by default, and refuses it with fieldValidation=Strict', async () => {
    const typo = deployment('typo', {}, { imagePullPolice: 'Always' });
    const warned = await rawRequest(h.kc, 'POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
      ...typo,
      spec: { ...typo.spec, replica: 2 },
    });
    expect(warned.status).toBe(201);
    // In document order: the template comes before the misspelt replica count in this body.
    expect(warned.warnings).toEqual([
      '299 - "unknown field \\"spec.template.spec.containers[0].imagePullPolice\\""',
      '299 - "unknown field \\"spec.replica\\""',
    ]);
    expect(warned.body.spec).not.toHaveProperty('replica');
    const stored = await h.apps.readNamespacedDeployment({ namespace: ns, name: 'typo' });
    expect(stored.spec?.template.spec?.containers[0]).not.toHaveProperty('imagePullPolice');

    const strict = await rawRequest(
      h.kc,
      'POST',
      `/apis/apps/v1/namespaces/${ns}/deployments?fieldValidation=Strict`,
      { ...deployment('strict', {}, { imagePullPolice: 'Always' }) },
    );
    expect(strict.status).toBe(400);
    expect(strict.body).toMatchObject({
      reason: 'BadRequest',
      message:
        'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].imagePullPolice"',
    });
    const bad = await rawRequest(h.kc, 'POST', `/api/v1/namespaces/${ns}/configmaps?fieldValidation=Loose`, {
      metadata: { name: 'x' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.message).toBe(
      'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Loose": supported values: "", "Ignore", "Strict", "Warn"',
    );
  });

  it('answers a value of the wrong type with 400, as the typed decoder does', async () => {
    const wrong = await apiError(
      h.apps.createNamespacedDeployment({
        namespace: ns,
        body: {
          ...deployment('wrong', {}),
          spec: { ...deployment('wrong', {}).spec, replicas: '2' },
        } as never,
      }),
    );
    expect(wrong.code).toBe(400);
    expect(wrong.status.message).toBe(
      'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
    );
  });

  it('kubectl shows the server warning for a typo in a manifest', async () => {
    const manifest = JSON.stringify(deployment('kubectl-typo', {}, { imagePullPolice: 'Always' }));
    // kubectl's own --validate needs /openapi/v3, which this double does not serve yet: a raw
    // POST goes through the same REST client, whose warning handler prints the server's warnings.
    const created = await kubectl(
      h.double.kubeconfigPath,
      ['create', '--validate=false', '--raw', `/apis/apps/v1/namespaces/${ns}/deployments`, '-f', '-'],
      { input: manifest },
    );
    expect(created, created.stderr).toMatchObject({ code: 0 });
    expect(created.stderr).toContain(
      'Warning: unknown field "spec.template.spec.containers[0].imagePullPolice"',
    );
  });
});

describe('quantities and template equality', () => {
  it('stores quantities canonically, so re-applying equal values makes no new ReplicaSet', async () => {
    const apply = (resources: Record<string, unknown>) =>
      h.apps.patchNamespacedDeployment(
        {
          namespace: ns,
          name: 'sized',
          fieldManager: 'ferry',
          body: deployment('sized', resources) as V1Deployment,
        },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      );
    const first = await apply({ requests: { cpu: 0.5, memory: '1024Mi' }, limits: { memory: '1.5Gi' } });
    expect(first.spec?.template.spec?.containers[0]?.resources).toEqual({
      requests: { cpu: '500m', memory: '1Gi' },
      limits: { memory: '1536Mi' },
    });
    await waitFor('the first ReplicaSet', async () => (await replicaSetsOf('sized')).length === 1);
    const again = await apply({ requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '1536Mi' } });
    expect(again.metadata?.generation).toBe(first.metadata?.generation);
    await new Promise((r) => setTimeout(r, 500));
    expect(await replicaSetsOf('sized')).toHaveLength(1);
  });

  it('kubectl rollout undo reuses the old ReplicaSet (null and absent are equal)', async () => {
    await h.apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment('undo', {}, { env: [{ name: 'V', value: '1' }] }) as V1Deployment,
    });
    await waitFor('revision 1', async () => (await replicaSetsOf('undo')).length === 1);
    await kubectlIn('set', 'env', 'deployment/undo', 'V=2');
    await waitFor('revision 2', async () => (await replicaSetsOf('undo')).length === 2);
    const before = (await replicaSetsOf('undo')).map((rs) => rs.metadata?.name).sort();
    const undone = await kubectlIn('rollout', 'undo', 'deployment/undo');
    expect(undone.stdout).toContain('rolled back');
    await waitFor('the rollback', async () => {
      const d = await h.apps.readNamespacedDeployment({ namespace: ns, name: 'undo' });
      return d.spec?.template.spec?.containers[0]?.env?.[0]?.value === '1';
    });
    await new Promise((r) => setTimeout(r, 500));
    expect((await replicaSetsOf('undo')).map((rs) => rs.metadata?.name).sort()).toEqual(before);
  });
});

describe('field selectors and watches', () => {
  it('accepts only the field labels the kind supports (400 otherwise, with the apiserver text)', async () => {
    await h.core.listNamespacedPod({ namespace: ns, fieldSelector: 'spec.nodeName=x,status.phase!=Running' });
    const pods = await apiError(
      h.core.listNamespacedPod({ namespace: ns, fieldSelector: 'spec.containers=x' }),
    );
    expect(pods.code).toBe(400);
    expect(pods.status.message).toBe('field label not supported: spec.containers');
    const rs = await apiError(
      h.apps.listNamespacedReplicaSet({ namespace: ns, fieldSelector: 'status.replicas=1' }),
    );
    expect(rs.code).toBe(400);
    expect(rs.status.message).toBe(
      '"status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"',
    );
    const byName = await h.apps.listNamespacedReplicaSet({
      namespace: ns,
      fieldSelector: 'metadata.name=nothing',
    });
    expect(byName.items).toEqual([]);
  });

  it('answers a watch from a resourceVersion the server has not reached with 504 Timeout', async () => {
    const list = await h.core.listNamespacedConfigMap({ namespace: ns });
    const future = Number(list.metadata?.resourceVersion) + 1_000_000;
    const res = await rawRequest(
      h.kc,
      'GET',
      `/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=${future}`,
    );
    expect(res.status).toBe(504);
    expect(res.body).toMatchObject({
      reason: 'Timeout',
      code: 504,
      message: expect.stringMatching(
        new RegExp(`^Timeout: Too large resource version: ${future}, current: \\d+$`),
      ),
      details: {
        causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
        retryAfterSeconds: 1,
      },
    });
  });
});
