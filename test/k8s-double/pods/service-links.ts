/**
 * The environment variables the kubelet adds for Services (pure). Rules from kubernetes v1.31
 * pkg/kubelet/envvars/envvars.go (FromServices, makeLinkVariables) and pkg/kubelet/kubelet_pods.go
 * (getServiceEnvVarMap, makeEnvironmentVariables):
 * - every Service of the pod's namespace that has a ClusterIP (not headless, not ExternalName)
 *   when `enableServiceLinks` is not false (the default is true);
 * - `<NAME>_SERVICE_HOST`, `<NAME>_SERVICE_PORT` (first port), `<NAME>_SERVICE_PORT_<PORT NAME>`
 *   per named port, and the Docker-link variables `<NAME>_PORT`, `<NAME>_PORT_<port>_<PROTO>`
 *   with `_PROTO`, `_PORT`, `_ADDR`; NAME is the Service name upper-cased, `-` → `_`;
 * - the container's own env wins over these (they only fill names it does not set).
 * Like the kubelet, only the Services that exist when the container starts are seen.
 */
import type { KubeObject } from '../types.js';

interface ServicePort {
  name?: string;
  port: number;
  protocol?: string;
}

const envName = (s: string) => s.replace(/-/g, '_').toUpperCase();

/** Is a ClusterIP set (v1helper.IsServiceIPSet): neither empty nor `None`. */
export const hasClusterIP = (svc: KubeObject): boolean =>
  typeof svc.spec?.clusterIP === 'string' && svc.spec.clusterIP !== '' && svc.spec.clusterIP !== 'None';

export function serviceLinkEnv(services: KubeObject[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const svc of services) {
    const ports: ServicePort[] = svc.spec?.ports ?? [];
    if (!hasClusterIP(svc) || ports.length === 0) continue;
    const ip: string = svc.spec.clusterIP;
    const prefix = envName(svc.metadata.name);
    env[`${prefix}_SERVICE_HOST`] = ip;
    env[`${prefix}_SERVICE_PORT`] = String(ports[0]!.port);
    for (const p of ports) if (p.name) env[`${prefix}_SERVICE_PORT_${envName(p.name)}`] = String(p.port);
    ports.forEach((p, i) => {
      const proto = (p.protocol ?? 'TCP').toLowerCase();
      const url = `${proto}://${ip}:${p.port}`;
      if (i === 0) env[`${prefix}_PORT`] = url;
      const portPrefix = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
      env[portPrefix] = url;
      env[`${portPrefix}_PROTO`] = proto;
      env[`${portPrefix}_PORT`] = String(p.port);
      env[`${portPrefix}_ADDR`] = ip;
    });
  }
  return env;
}
