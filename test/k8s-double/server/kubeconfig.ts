/** The kubeconfig a client loads to reach the double, exactly as for a cluster. */
import { stringify } from 'yaml';

export interface KubeconfigInput {
  server: string;
  /** PEM of the server certificate; absent for plain HTTP. */
  caPem?: string;
  token: string;
  namespace?: string;
  contextName?: string;
}

export function kubeconfigYaml(input: KubeconfigInput): string {
  const name = input.contextName ?? 'k8s-double';
  const cluster: Record<string, unknown> = { server: input.server };
  if (input.caPem) cluster['certificate-authority-data'] = Buffer.from(input.caPem).toString('base64');
  else cluster['insecure-skip-tls-verify'] = true;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name, user: { token: input.token } }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: input.namespace ?? 'default' } }],
    'current-context': name,
    preferences: {},
  });
}
