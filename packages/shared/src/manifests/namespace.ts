import type { ResolvedPlan } from '../pipeline-spec/plan.js';
import { LabelKey, MANAGED_BY } from './labels.js';
import type { NamespaceManifest } from './types.js';

/**
 * The environment's namespace. Several services share it, so it carries only what they share
 * (no per-service annotations that would flip between deploys), and the labels the operators
 * configured for every namespace Ferry creates (Pod Security levels); Ferry's own labels win.
 */
export function buildNamespace(plan: ResolvedPlan): NamespaceManifest {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: plan.namespace,
      labels: {
        // A plan from an older server has none.
        ...(plan.namespaceLabels ?? {}),
        [LabelKey.managedBy]: MANAGED_BY,
        [LabelKey.partOf]: plan.group,
        [LabelKey.environment]: plan.environment,
      },
    },
  };
}
