/**
 * A pod's /etc/hosts (pure). The kubelet manages this file (kubernetes v1.31
 * pkg/kubelet/kubelet_pods.go managedHostsFileContent: the "# Kubernetes-managed hosts file."
 * header, the IPv4/IPv6 boilerplate, the pod's IP and hostname, then `hostAliases`).
 *
 * Double-only: there is no cluster DNS here (pods use the host's network and resolver), so the
 * names cluster DNS would answer for Services (kubernetes.io/docs/concepts/services-networking/
 * dns-pod-service, "A/AAAA records": `<service>.<namespace>.svc.<cluster domain>` → the ClusterIP)
 * are written into this file instead, with the short forms the pod's resolv.conf search path
 * (`<namespace>.svc.cluster.local svc.cluster.local cluster.local`) would complete:
 * `<service>.<namespace>.svc`, `<service>.<namespace>`, and `<service>` for the pod's own namespace.
 * The double rewrites the file when Services change, as DNS would follow them.
 */
import type { KubeObject } from '../types.js';
import { hasClusterIP } from './service-links.js';

export const CLUSTER_DOMAIN = 'cluster.local';

export interface HostsInput {
  podIP: string;
  hostname: string;
  /**
   * The name the container's kernel reports: the host's, as the engine shares its UTS namespace
   * with host-networked containers (double-only), so it must resolve as on the host.
   */
  nodeHostname: string;
  namespace: string;
  hostAliases?: { ip?: string; hostnames?: string[] }[];
  /** Every Service in the cluster. */
  services: KubeObject[];
  /** The API server, as `kubernetes.default.svc` resolves in a cluster. */
  apiServerIP: string;
}

export function hostsFile(input: HostsInput): string {
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
    `${input.podIP}\t${input.hostname}`,
    ...(input.nodeHostname !== input.hostname ? [`127.0.0.1\t${input.nodeHostname}`] : []),
  ];
  const aliases = (input.hostAliases ?? []).filter((a) => a.ip && (a.hostnames ?? []).length > 0);
  if (aliases.length > 0) {
    lines.push('', '# Entries added by HostAliases.');
    for (const a of aliases) lines.push(`${a.ip}\t${(a.hostnames ?? []).join('\t')}`);
  }
  lines.push('', '# k8s-double: Service names, in place of cluster DNS.');
  const names = (name: string, ns: string) => [
    `${name}.${ns}.svc.${CLUSTER_DOMAIN}`,
    `${name}.${ns}.svc`,
    `${name}.${ns}`,
    ...(ns === input.namespace ? [name] : []),
  ];
  lines.push(`${input.apiServerIP}\t${names('kubernetes', 'default').join(' ')}`);
  for (const svc of input.services) {
    if (!hasClusterIP(svc)) continue;
    const ns = svc.metadata.namespace ?? 'default';
    if (ns === 'default' && svc.metadata.name === 'kubernetes') continue;
    lines.push(`${svc.spec.clusterIP}\t${names(svc.metadata.name, ns).join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}
