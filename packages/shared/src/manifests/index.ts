// The Kubernetes objects change pod applies, built from a ResolvedPlan. Pure. docs/release.md.
export { deployTimeBudgetMs } from './deploy-budget.js';
export {
  buildCanaryDeployment,
  buildDeployment,
  canaryReplicas,
  REVISION_HISTORY_LIMIT,
} from './deployment.js';
export { assertPinnedImage } from './image.js';
export { buildIngress } from './ingress.js';
export type { ManifestInputs, RegistryCredentials, ReleaseMetadata } from './inputs.js';
export { AnnotationKey, LabelKey, MANAGED_BY, serviceSelector, type Track, trackSelector } from './labels.js';
export { releaseMetadata } from './metadata.js';
export { buildNamespace } from './namespace.js';
export { buildPodTemplate, DATA_VOLUME, PORT_NAME } from './pod-template.js';
export { buildProbe } from './probes.js';
export {
  buildPullSecret,
  DOCKER_CONFIG_JSON_KEY,
  DOCKER_CONFIG_JSON_TYPE,
  dockerConfigJson,
} from './pull-secret.js';
export { MANIFESTS_MAX_BYTES, manifestRecords, manifestsTruncatedMarker } from './records.js';
export { REDACTED, REDACTED_ANNOTATION, redactSecrets, redactSecretsForApply } from './redact.js';
export { renderManifests } from './render.js';
export { buildService, SERVICE_PORT } from './service.js';
export type * from './types.js';
export { buildVolumeClaim, claimAccessMode } from './volume-claim.js';
export { toYaml, toYamlDocument } from './yaml.js';
