/**
 * A kubeconfig for a service account of the double, made as an operator makes one for a cluster:
 * the ServiceAccount (created when missing), a token from its TokenRequest subresource (what
 * `kubectl create token` does), and the double's server and CA. Tests use it to run as a
 * least-privilege identity instead of the admin.
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';

export interface ServiceAccountCredentials {
  token: string;
  kubeconfigYaml: string;
  kc: KubeConfig;
}

/** The admin kubeconfig's cluster with a service account's token as the user. */
export function kubeconfigWithToken(adminYaml: string, token: string, namespace: string): string {
  const admin = new KubeConfig();
  admin.loadFromString(adminYaml);
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('the admin kubeconfig has no current cluster');
  const name = `${namespace}-sa`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name,
        cluster: {
          server: cluster.server,
          ...(cluster.caData ? { 'certificate-authority-data': cluster.caData } : {}),
          ...(cluster.caFile ? { 'certificate-authority': cluster.caFile } : {}),
          ...(cluster.skipTLSVerify ? { 'insecure-skip-tls-verify': true } : {}),
        },
      },
    ],
    users: [{ name, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: name, namespace } }],
    'current-context': name,
  });
}

export async function serviceAccountCredentials(
  adminYaml: string,
  namespace: string,
  name: string,
  expirationSeconds = 3600,
): Promise<ServiceAccountCredentials> {
  const admin = new KubeConfig();
  admin.loadFromString(adminYaml);
  const core = admin.makeApiClient(CoreV1Api);
  await core
    .createNamespacedServiceAccount({ namespace, body: { metadata: { name } } })
    .catch((err: unknown) => {
      if ((err as { code?: number }).code !== 409) throw err;
    });
  const answer = await core.createNamespacedServiceAccountToken({
    namespace,
    name,
    body: { spec: { audiences: [], expirationSeconds } },
  });
  const token = answer.status?.token;
  if (!token) throw new Error(`TokenRequest for ${namespace}/${name} returned no token`);
  const kubeconfigYaml = kubeconfigWithToken(adminYaml, token, namespace);
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml);
  return { token, kubeconfigYaml, kc };
}
