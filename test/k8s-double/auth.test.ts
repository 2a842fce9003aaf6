/**
 * Authorization in the double, driven by @kubernetes/client-node and by kubectl: service account
 * tokens (TokenRequest, `kubectl create token`), RBAC with the apiserver's 403 texts, the self
 * reviews behind `kubectl auth can-i` / `whoami`, and apply-creates-need-`create`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuthorizationV1Api,
  CoreV1Api,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeconfigWithToken, serviceAccountCredentials } from './auth/service-account-kubeconfig.js';
import { kubectl, requireKubectl } from './kubectl.js';
import { apiError, type Harness, startHarness, uniqueName } from './test-helpers.js';

let h: Harness;
let ns: string;
let dir: string;
let rbac: RbacAuthorizationV1Api;

beforeAll(async () => {
  h = await startHarness();
  ns = uniqueName('auth');
  await h.core.createNamespace({ body: { metadata: { name: ns } } });
  dir = await mkdtemp(join(tmpdir(), 'k8s-double-auth-'));
  rbac = h.kc.makeApiClient(RbacAuthorizationV1Api);
});

afterAll(async () => {
  await h?.double.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const user = (name: string) => `system:serviceaccount:${ns}:${name}`;

async function grant(
  name: string,
  rules: { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }[],
) {
  await rbac.createNamespacedRole({ namespace: ns, body: { metadata: { name }, rules } });
  await rbac.createNamespacedRoleBinding({
    namespace: ns,
    body: {
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
    },
  });
}

describe('service account tokens and RBAC (client-node)', () => {
  it('denies what no binding allows, with the RBAC authorizer wording, and allows what a Role grants', async () => {
    const sa = await serviceAccountCredentials(h.double.kubeconfigYaml, ns, 'reader');
    const core = sa.kc.makeApiClient(CoreV1Api);
    const denied = await apiError(core.listNamespacedPod({ namespace: ns }));
    expect(denied.code).toBe(403);
    expect(denied.status).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Forbidden',
      code: 403,
      details: { kind: 'pods' },
      message: `pods is forbidden: User "${user('reader')}" cannot list resource "pods" in API group "" in the namespace "${ns}"`,
    });
    const named = await apiError(core.readNamespacedConfigMap({ namespace: ns, name: 'x' }));
    expect(named.status.message).toBe(
      `configmaps "x" is forbidden: User "${user('reader')}" cannot get resource "configmaps" in API group "" in the namespace "${ns}"`,
    );
    const cluster = await apiError(core.listNamespace());
    expect(cluster.status.message).toBe(
      `namespaces is forbidden: User "${user('reader')}" cannot list resource "namespaces" in API group "" at the cluster scope`,
    );
    const logs = await apiError(core.readNamespacedPodLog({ namespace: ns, name: 'p' }));
    expect(logs.status.message).toBe(
      `pods "p" is forbidden: User "${user('reader')}" cannot get resource "pods/log" in API group "" in the namespace "${ns}"`,
    );

    await grant('reader', [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }]);
    expect((await core.listNamespacedPod({ namespace: ns })).items).toEqual([]);
    // `pods` does not grant `pods/log`: subresources are separate RBAC targets.
    expect((await apiError(core.readNamespacedPodLog({ namespace: ns, name: 'p' }))).code).toBe(403);
    // Nothing outside the Role's namespace.
    expect((await apiError(core.listNamespacedPod({ namespace: 'default' }))).code).toBe(403);
  });

  it('names a binding whose Role is missing in the reason', async () => {
    const sa = await serviceAccountCredentials(h.double.kubeconfigYaml, ns, 'orphan');
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'orphan' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'not-there' },
        subjects: [{ kind: 'ServiceAccount', name: 'orphan' }],
      },
    });
    const denied = await apiError(sa.kc.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: ns }));
    expect(denied.status.message).toBe(
      `secrets is forbidden: User "${user('orphan')}" cannot list resource "secrets" in API group "" in the namespace "${ns}": RBAC: role.rbac.authorization.k8s.io "not-there" not found`,
    );
  });

  it('authorises a server-side apply that creates an object as create, and one that changes it as patch', async () => {
    const sa = await serviceAccountCredentials(h.double.kubeconfigYaml, ns, 'applier');
    await grant('applier', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'patch'] }]);
    const core = sa.kc.makeApiClient(CoreV1Api);
    const apply = (name: string) =>
      core.patchNamespacedConfigMap(
        {
          namespace: ns,
          name,
          fieldManager: 'ferry',
          body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { b: '2' } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      );
    const denied = await apiError(apply('fresh'));
    expect(denied.code).toBe(403);
    // pkg/endpoints/handlers/patch.go `withAuthorization`: NewForbidden with the authorizer's (empty) reason.
    expect(denied.status.message).toBe('configmaps "fresh" is forbidden: ');
    await h.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'existing' }, data: { a: '1' } },
    });
    expect((await apply('existing')).data).toEqual({ a: '1', b: '2' });
  });

  it('allows one object by resourceNames, also for a watch narrowed to it by a metadata.name field selector', async () => {
    const sa = await serviceAccountCredentials(h.double.kubeconfigYaml, ns, 'one');
    await grant('one', [
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'], resourceNames: ['mine'] },
    ]);
    await h.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'mine' } } });
    const core = sa.kc.makeApiClient(CoreV1Api);
    expect((await core.readNamespacedConfigMap({ namespace: ns, name: 'mine' })).metadata?.name).toBe('mine');
    expect((await apiError(core.readNamespacedConfigMap({ namespace: ns, name: 'other' }))).code).toBe(403);
    expect((await apiError(core.listNamespacedConfigMap({ namespace: ns }))).code).toBe(403);
    const listed = await core.listNamespacedConfigMap({ namespace: ns, fieldSelector: 'metadata.name=mine' });
    expect(listed.items.map((c) => c.metadata?.name)).toEqual(['mine']);
  });

  it('refuses a token whose service account is gone (401), and a TokenRequest under ten minutes (422)', async () => {
    const sa = await serviceAccountCredentials(h.double.kubeconfigYaml, ns, 'short-lived');
    await h.core.deleteNamespacedServiceAccount({ namespace: ns, name: 'short-lived' });
    expect((await apiError(sa.kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: ns }))).code).toBe(
      401,
    );
    await h.core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'brief' } } });
    const tooShort = await apiError(
      h.core.createNamespacedServiceAccountToken({
        namespace: ns,
        name: 'brief',
        body: { spec: { audiences: [], expirationSeconds: 60 } },
      }),
    );
    expect(tooShort.code).toBe(422);
    expect(tooShort.status.message).toContain(
      'spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes',
    );
    const missing = await apiError(
      h.core.createNamespacedServiceAccountToken({
        namespace: ns,
        name: 'nobody',
        body: { spec: { audiences: [] } },
      }),
    );
    expect(missing.status.message).toBe('serviceaccounts "nobody" not found');
  });

  it('validates RBAC objects: rules need verbs and groups, a roleRef cannot change', async () => {
    const bad = await apiError(
      rbac.createNamespacedRole({
        namespace: ns,
        body: { metadata: { name: 'bad' }, rules: [{ resources: ['pods'], verbs: [] }] },
      }),
    );
    expect(bad.code).toBe(422);
    expect(bad.status.message).toContain(
      'rules[0].verbs: Required value: verbs must contain at least one value',
    );
    expect(bad.status.message).toContain(
      'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
    );
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'fixed' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'a' },
        subjects: [{ kind: 'User', name: 'u' }],
      },
    });
    const binding = await rbac.readNamespacedRoleBinding({ namespace: ns, name: 'fixed' });
    expect(binding.subjects?.[0]?.apiGroup).toBe('rbac.authorization.k8s.io');
    const changed = await apiError(
      rbac.replaceNamespacedRoleBinding({
        namespace: ns,
        name: 'fixed',
        body: { ...binding, roleRef: { ...binding.roleRef, name: 'b' } },
      }),
    );
    expect(changed.code).toBe(422);
    expect(changed.status.message).toContain('cannot change roleRef');
  });

  it("answers SelfSubjectAccessReview and SelfSubjectRulesReview from the caller's bindings", async () => {
    const sa = await serviceAccountCredentials(h.double.kubeconfigYaml, ns, 'reviewer');
    await grant('reviewer', [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'patch'] }]);
    const authz = sa.kc.makeApiClient(AuthorizationV1Api);
    const review = async (verb: string) =>
      (
        await authz.createSelfSubjectAccessReview({
          body: {
            spec: { resourceAttributes: { namespace: ns, verb, group: 'apps', resource: 'deployments' } },
          },
        })
      ).status;
    expect(await review('patch')).toEqual({
      allowed: true,
      reason: `RBAC: allowed by RoleBinding "reviewer/${ns}" of Role "reviewer" to ServiceAccount "reviewer/${ns}"`,
    });
    expect((await review('create'))?.allowed).toBe(false);
    const rules = await authz.createSelfSubjectRulesReview({ body: { spec: { namespace: ns } } });
    expect(rules.status?.resourceRules).toContainEqual({
      verbs: ['get', 'patch'],
      apiGroups: ['apps'],
      resources: ['deployments'],
    });
    expect(rules.status?.incomplete).toBe(false);
    const admin = await h.kc.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({
      body: { spec: { resourceAttributes: { verb: 'delete', resource: 'nodes' } } },
    });
    expect(admin.status?.allowed).toBe(true);
  });
});

describe('kubectl against the double', () => {
  let adminPath: string;
  beforeAll(async () => {
    requireKubectl();
    adminPath = join(dir, 'admin');
    await writeFile(adminPath, h.double.kubeconfigYaml, { mode: 0o600 });
  });

  it('kubectl create token, auth can-i, auth can-i --list, auth whoami, and the 403 it prints', async () => {
    expect((await kubectl(adminPath, ['-n', ns, 'create', 'serviceaccount', 'cli'])).code).toBe(0);
    const created = await kubectl(adminPath, ['-n', ns, 'create', 'token', 'cli', '--duration', '20m']);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token.split('.')).toHaveLength(3);
    const saPath = join(dir, 'cli');
    await writeFile(saPath, kubeconfigWithToken(h.double.kubeconfigYaml, token, ns), { mode: 0o600 });

    expect((await kubectl(adminPath, ['auth', 'can-i', 'delete', 'nodes'])).stdout.trim()).toBe('yes');
    const no = await kubectl(saPath, ['auth', 'can-i', 'list', 'pods']);
    expect([no.code, no.stdout.trim()]).toEqual([1, 'no']);
    await kubectl(adminPath, ['-n', ns, 'create', 'role', 'cli', '--verb=list,watch', '--resource=pods']);
    await kubectl(adminPath, [
      '-n',
      ns,
      'create',
      'rolebinding',
      'cli',
      '--role=cli',
      `--serviceaccount=${ns}:cli`,
    ]);
    const yes = await kubectl(saPath, ['auth', 'can-i', 'watch', 'pods']);
    expect([yes.code, yes.stdout.trim()]).toEqual([0, 'yes']);
    const list = await kubectl(saPath, ['auth', 'can-i', '--list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^pods\s+\[\]\s+\[\]\s+\[list watch\]$/m);
    expect(list.stdout).toMatch(
      /^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m,
    );
    const whoami = await kubectl(saPath, ['auth', 'whoami']);
    expect(whoami.stdout).toMatch(new RegExp(`Username\\s+${user('cli')}`));
    const get = await kubectl(saPath, ['get', 'secrets']);
    expect(get.code).toBe(1);
    expect(get.stderr.trim()).toBe(
      `Error from server (Forbidden): secrets is forbidden: User "${user('cli')}" cannot list resource "secrets" in API group "" in the namespace "${ns}"`,
    );
  });
});
