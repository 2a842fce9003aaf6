import type { ResolvedPlan } from '../pipeline-spec/plan.js';
import { serviceLabels, serviceSelector } from './labels.js';
import { PORT_NAME } from './pod-template.js';
import type { ServiceManifest } from './types.js';

/** In-cluster clients call `http://<service>` (port 80); the Service forwards to the pods' port. */
export const SERVICE_PORT = 80;

/** The Service: selects the pods of the main and the canary Deployment alike. */
export function buildService(plan: ResolvedPlan): ServiceManifest {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: plan.names.service, namespace: plan.namespace, labels: serviceLabels(plan) },
    spec: {
      type: 'ClusterIP',
      selector: serviceSelector(plan),
      ports: [{ name: PORT_NAME, port: SERVICE_PORT, targetPort: PORT_NAME, protocol: 'TCP' }],
    },
  };
}
