/** Server-side apply: create on apply, field managers, removal of fields no longer applied, conflicts. */
import {
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
  type V1Service,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError, type Harness, startHarness, uniqueName } from './test-helpers.js';

let h: Harness;
let ns: string;
const ssa = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

beforeAll(async () => {
  h = await startHarness();
  ns = uniqueName('apply');
  await h.core.createNamespace({ body: { metadata: { name: ns } } });
});

afterAll(async () => {
  await h?.double.close();
});

function ferryManifest(
  commit: string,
  image: string,
  env: Record<string, string>,
  historyLimit = 5,
): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: ns,
      labels: { app: 'web' },
      annotations: { 'ferry.dev/commit': commit },
    },
    spec: {
      replicas: 0,
      revisionHistoryLimit: historyLimit,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            { name: 'app', image, env: Object.entries(env).map(([name, value]) => ({ name, value })) },
          ],
        },
      },
    },
  };
}

const apply = (body: object, fieldManager: string, force?: boolean) =>
  h.apps.patchNamespacedDeployment(
    { namespace: ns, name: 'web', body, fieldManager, ...(force !== undefined ? { force } : {}) },
    ssa,
  );

describe('server-side apply', () => {
  it('creates on the first apply and records the manager', async () => {
    const created = await apply(ferryManifest('a1', 'registry.local/web:a1', { A: '1', B: '2' }), 'ferry');
    expect(created.metadata?.uid).toBeDefined();
    expect(created.metadata?.generation).toBe(1);
    expect(created.spec?.strategy?.type).toBe('RollingUpdate');
    const managers = created.metadata?.managedFields?.map((m) => `${m.manager}/${m.operation}`);
    expect(managers).toEqual(['ferry/Apply']);
    const fields = created.metadata?.managedFields?.[0]?.fieldsV1 as Record<string, Record<string, unknown>>;
    expect(Object.keys(fields['f:spec'] ?? {})).toEqual(
      expect.arrayContaining(['f:replicas', 'f:selector', 'f:template']),
    );
    expect(JSON.stringify(fields)).toContain('k:{\\"name\\":\\"app\\"}');
  });

  it('a later apply changes only its own fields; fields set by other managers survive', async () => {
    await apply(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', annotations: { 'ops/owner': 'team-a' } },
        spec: {
          template: { spec: { containers: [{ name: 'app', resources: { limits: { cpu: '500m' } } }] } },
        },
      },
      'ops',
    );
    await h.apps.patchNamespacedDeployment(
      {
        namespace: ns,
        name: 'web',
        fieldManager: 'kubectl-edit',
        body: { metadata: { labels: { 'ops/hand': 'yes' } } },
      },
      merge,
    );

    const updated = await apply(ferryManifest('b2', 'registry.local/web:b2', { A: '1' }), 'ferry');
    expect(updated.metadata?.annotations).toEqual({
      'ferry.dev/commit': 'b2',
      'ops/owner': 'team-a',
      'deployment.kubernetes.io/revision': expect.any(String),
    });
    expect(updated.metadata?.labels).toEqual({ app: 'web', 'ops/hand': 'yes' });
    const app = updated.spec?.template.spec?.containers[0];
    expect(app?.image).toBe('registry.local/web:b2');
    expect(app?.env).toEqual([{ name: 'A', value: '1' }]);
    expect(app?.resources?.limits).toEqual({ cpu: '500m' });
    expect(updated.metadata?.generation).toBe(3);
    const managers = (updated.metadata?.managedFields ?? []).map((m) => `${m.manager}/${m.operation}`).sort();
    expect(managers).toEqual(['ferry/Apply', 'kubectl-edit/Update', 'ops/Apply']);
  });

  it('a field another manager owns with a different value is a 409 conflict unless forced', async () => {
    const conflict = await apiError(
      apply(
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'web' },
          spec: { revisionHistoryLimit: 2 },
        },
        'ops',
      ),
    );
    expect(conflict.code).toBe(409);
    expect(conflict.status).toMatchObject({
      reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "ferry": .spec.revisionHistoryLimit',
      details: {
        causes: [
          {
            reason: 'FieldManagerConflict',
            message: 'conflict with "ferry"',
            field: '.spec.revisionHistoryLimit',
          },
        ],
      },
    });
    const same = await apply(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web' },
        spec: { revisionHistoryLimit: 5 },
      },
      'ops',
    );
    expect(same.spec?.revisionHistoryLimit).toBe(5);
    const forced = await apply(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web' },
        spec: { revisionHistoryLimit: 2 },
      },
      'ops',
      true,
    );
    expect(forced.spec?.revisionHistoryLimit).toBe(2);
    const back = await apiError(apply(ferryManifest('c3', 'registry.local/web:c3', { A: '1' }), 'ferry'));
    expect(back.status.message).toBe(
      'Apply failed with 1 conflict: conflict with "ops": .spec.revisionHistoryLimit',
    );
  });

  it('requires fieldManager for apply, and a namespace that exists', async () => {
    const noManager = await apiError(
      h.apps.patchNamespacedDeployment(
        { namespace: ns, name: 'web', body: ferryManifest('x', 'x:1', {}) },
        ssa,
      ),
    );
    expect(noManager.code).toBe(400);
    expect(String(noManager.status.message)).toContain('fieldManager is required for apply requests');
    const noNs = await apiError(
      h.apps.patchNamespacedDeployment(
        { namespace: 'missing-ns', name: 'web', body: ferryManifest('x', 'x:1', {}), fieldManager: 'ferry' },
        ssa,
      ),
    );
    expect(noNs.code).toBe(404);
  });

  it('keeps server-assigned fields (clusterIP) across applies of a Service', async () => {
    const svc = (port: number): V1Service => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port, targetPort: 8080 }] },
    });
    const first = await h.core.patchNamespacedService(
      { namespace: ns, name: 'web', body: svc(80), fieldManager: 'ferry' },
      ssa,
    );
    expect(first.spec?.clusterIP).toMatch(/^127\.96\.\d+\.\d+$/);
    const second = await h.core.patchNamespacedService(
      { namespace: ns, name: 'web', body: svc(8080), fieldManager: 'ferry' },
      ssa,
    );
    expect(second.spec?.clusterIP).toBe(first.spec?.clusterIP);
    expect(second.spec?.ports).toEqual([{ name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' }]);
  });

  it('applies a whole environment generically; re-applying the same objects changes nothing', async () => {
    const env = uniqueName('env');
    const objects: KubernetesObject[] = [
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: env, labels: { 'ferry.dev/environment': 'test' } },
      },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'registry', namespace: env },
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': Buffer.from('{"auths":{}}').toString('base64') },
      } as KubernetesObject,
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'data', namespace: env },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      } as KubernetesObject,
      {
        ...ferryManifest('a1', 'registry.local/web:a1', {}),
        metadata: { name: 'web', namespace: env, labels: { app: 'web' } },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: env },
        spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
      } as KubernetesObject,
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'web', namespace: env },
        spec: {
          rules: [
            {
              host: 'web.test',
              http: {
                paths: [
                  {
                    path: '/',
                    pathType: 'Prefix',
                    backend: { service: { name: 'web', port: { number: 80 } } },
                  },
                ],
              },
            },
          ],
        },
      } as KubernetesObject,
    ];
    const client = KubernetesObjectApi.makeApiClient(h.kc);
    for (const o of objects)
      await client.patch(o, undefined, undefined, 'ferry', true, PatchStrategy.ServerSideApply);
    await new Promise((r) => setTimeout(r, 1100));
    const before: string[] = [];
    for (const o of objects) {
      const header = {
        apiVersion: o.apiVersion ?? '',
        kind: o.kind ?? '',
        metadata: { name: o.metadata?.name ?? '', namespace: o.metadata?.namespace ?? '' },
      };
      before.push((await client.read(header)).metadata?.resourceVersion ?? '');
    }
    const after: string[] = [];
    for (const o of objects)
      after.push(
        (await client.patch(o, undefined, undefined, 'ferry', true, PatchStrategy.ServerSideApply)).metadata
          ?.resourceVersion ?? '',
      );
    expect(after).toEqual(before);
    const ingress = await h.net.readNamespacedIngress({ namespace: env, name: 'web' });
    expect(ingress.status?.loadBalancer?.ingress?.[0]?.ip).toBe('127.0.0.1');
    await h.core.deleteNamespace({ name: env });
  });
});
