/**
 * Identities bound to exactly the RBAC Ferry ships (deploy/rbac/*.yaml), for tests that must run
 * as an operator would run Ferry: the manifests are applied as an admin would apply them (the
 * namespace names swapped for the test's), a service account token is requested for the subject
 * they bind, and a kubeconfig with that token is written. A verb missing from the YAML then fails
 * the test with the apiserver's 403.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KubeConfig, type KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { serviceAccountCredentials } from '../k8s-double/auth/service-account-kubeconfig.js';

const rbacDir = new URL('../../deploy/rbac/', import.meta.url);

/** The namespace the shipped subjects live in (`ferry`), created when missing. */
const SUBJECT_NAMESPACE = 'ferry';

async function manifests(file: string, replace: Record<string, string>): Promise<KubernetesObject[]> {
  let text = await readFile(new URL(file, rbacDir), 'utf8');
  for (const [from, to] of Object.entries(replace)) text = text.replace(new RegExp(`\\b${from}\\b`, 'g'), to);
  return parseAllDocuments(text)
    .map((d) => d.toJS() as KubernetesObject | null)
    .filter((o): o is KubernetesObject => o !== null);
}

/** Creates (or leaves as they are) the objects, as the admin. */
async function applyAsAdmin(adminYaml: string, objects: KubernetesObject[]): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromString(adminYaml);
  const api = KubernetesObjectApi.makeApiClient(kc);
  for (const o of objects) {
    await api.create(o).catch((err: unknown) => {
      if ((err as { code?: number }).code !== 409) throw err;
    });
  }
}

async function subjectNamespace(adminYaml: string): Promise<void> {
  await applyAsAdmin(adminYaml, [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: SUBJECT_NAMESPACE } },
  ]);
}

export interface Identity {
  kubeconfigYaml: string;
  kubeconfigPath: string;
  kc: KubeConfig;
}

async function identity(adminYaml: string, serviceAccount: string, dir: string): Promise<Identity> {
  const creds = await serviceAccountCredentials(adminYaml, SUBJECT_NAMESPACE, serviceAccount, 6 * 3600);
  const kubeconfigPath = join(dir, `kubeconfig-${serviceAccount}`);
  await writeFile(kubeconfigPath, creds.kubeconfigYaml, { mode: 0o600 });
  return { kubeconfigYaml: creds.kubeconfigYaml, kubeconfigPath, kc: creds.kc };
}

/**
 * `ferry serve`'s identity: deploy/rbac/runner-executor.yaml in each runner namespace (the
 * Namespace, Role and RoleBinding it holds).
 */
export async function executorIdentity(
  adminYaml: string,
  runnerNamespaces: string[],
  dir: string,
): Promise<Identity> {
  await subjectNamespace(adminYaml);
  for (const ns of runnerNamespaces) {
    await applyAsAdmin(adminYaml, await manifests('runner-executor.yaml', { 'ferry-runners': ns }));
  }
  return identity(adminYaml, 'ferry', dir);
}

/**
 * Change pod's deploy identity: deploy/rbac/deployer.yaml, and deployer-namespace.yaml in each
 * application namespace (created first, as an operator creates them).
 */
export async function deployerIdentity(
  adminYaml: string,
  appNamespaces: string[],
  dir: string,
): Promise<Identity> {
  await subjectNamespace(adminYaml);
  await applyAsAdmin(adminYaml, await manifests('deployer.yaml', {}));
  for (const ns of appNamespaces) {
    await applyAsAdmin(adminYaml, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }]);
    await applyAsAdmin(adminYaml, await manifests('deployer-namespace.yaml', { APP_NAMESPACE: ns }));
  }
  return identity(adminYaml, 'ferry-deployer', dir);
}
