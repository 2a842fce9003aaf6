import type { ResolvedPlan } from '../pipeline-spec/plan.js';
import { buildDeployment } from './deployment.js';
import { assertPinnedImage } from './image.js';
import { buildIngress } from './ingress.js';
import type { ManifestInputs } from './inputs.js';
import { buildNamespace } from './namespace.js';
import { buildPullSecret } from './pull-secret.js';
import { buildService } from './service.js';
import type { ReleaseManifest } from './types.js';
import { buildVolumeClaim } from './volume-claim.js';

/**
 * Every object change pod applies for a plan, in apply order: Namespace, imagePullSecret (when
 * the registry needs credentials), the volume claim (only with storage), Service, Deployment,
 * Ingress (only with an ingress). Pure; throws RELEASE_IMAGE_NOT_PINNED for a moving image.
 */
export function renderManifests(plan: ResolvedPlan, inputs: ManifestInputs): ReleaseManifest[] {
  assertPinnedImage(inputs.image, plan.environment);
  const objects: ReleaseManifest[] = [buildNamespace(plan)];
  if (inputs.registry !== null) objects.push(buildPullSecret(plan, inputs.registry));
  if (plan.deploy.storage !== null) objects.push(buildVolumeClaim(plan, plan.deploy.storage));
  objects.push(buildService(plan), buildDeployment(plan, inputs));
  if (plan.deploy.ingress !== null) objects.push(buildIngress(plan, plan.deploy.ingress));
  return objects;
}
