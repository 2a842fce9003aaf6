import type { ResolvedIngress, ResolvedPlan } from '../pipeline-spec/plan.js';
import { serviceLabels } from './labels.js';
import { PORT_NAME } from './pod-template.js';
import type { IngressManifest } from './types.js';

/** The Ingress routing `host` + `path` (a prefix) to the Service, with TLS when a Secret is named. */
export function buildIngress(plan: ResolvedPlan, ingress: ResolvedIngress): IngressManifest {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: plan.names.ingress, namespace: plan.namespace, labels: serviceLabels(plan) },
    spec: {
      rules: [
        {
          host: ingress.host,
          http: {
            paths: [
              {
                path: ingress.path,
                pathType: 'Prefix',
                backend: { service: { name: plan.names.service, port: { name: PORT_NAME } } },
              },
            ],
          },
        },
      ],
      ...(ingress.tlsSecret === null
        ? {}
        : { tls: [{ hosts: [ingress.host], secretName: ingress.tlsSecret }] }),
    },
  };
}
