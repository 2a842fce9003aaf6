import { AnnotationKey, type DeploymentManifest, type PodTemplateManifest } from '@ferry/shared';
import type { V1ReplicaSet } from '@kubernetes/client-node';
import { POD_TEMPLATE_HASH, templateImage } from './replica-sets.js';

export interface RollbackPlan {
  readonly manifest: DeploymentManifest;
  readonly image: string;
  /** The commit the old pods ran (their `ferry.dev/commit`), null when they carry none. */
  readonly commit: string | null;
}

/**
 * The Deployment to apply for a rollback: the failed release's manifest with the pod template
 * of the ReplicaSet that ran before (exactly what ran, as `kubectl rollout undo` does, without
 * the `pod-template-hash` label the controller adds), and the release annotations pointing at
 * that version plus `ferry.dev/rolled-back-from`. Pure.
 */
export function rollbackManifest(
  failed: DeploymentManifest,
  target: V1ReplicaSet,
  failedImage: string,
): RollbackPlan {
  const template = structuredClone(target.spec?.template ?? {}) as {
    metadata?: {
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
      creationTimestamp?: unknown;
    };
  };
  if (template.metadata?.labels) delete template.metadata.labels[POD_TEMPLATE_HASH];
  if (template.metadata) delete template.metadata.creationTimestamp;
  const image = templateImage(target) ?? '';
  const commit = template.metadata?.annotations?.[AnnotationKey.commit] ?? null;
  const annotations: Record<string, string> = { ...failed.metadata.annotations };
  delete annotations[AnnotationKey.previousImage];
  delete annotations[AnnotationKey.previousCommit];
  annotations[AnnotationKey.image] = image;
  if (commit === null) delete annotations[AnnotationKey.commit];
  else annotations[AnnotationKey.commit] = commit;
  annotations[AnnotationKey.rolledBackFrom] = failedImage;
  return {
    manifest: {
      ...failed,
      metadata: { ...failed.metadata, annotations },
      spec: { ...failed.spec, template: template as unknown as PodTemplateManifest },
    },
    image,
    commit,
  };
}
