import {
  type DeployResult,
  type ManifestInputs,
  type ManifestRecord,
  manifestRecords,
  type PipelineRecord,
  type PreviousRelease,
  REDACTED,
  type RegistryCredentials,
  type ResolvedPlan,
  releaseMetadata,
  renderManifests,
} from '@ferry/shared';
import type { RegistrySettings } from './registry-settings.js';

/** What a rollback of the release returns to, as the deploy runner found it on the cluster. */
export type PreviousImage = PreviousRelease;

/** The release metadata a deploy job carries (FERRY_DEPLOY_META). Pure. */
export function deployMeta(pipeline: PipelineRecord): {
  pipelineId: string;
  mergedBy: string;
  project: string;
  commit: string;
} {
  return {
    pipelineId: pipeline.id,
    mergedBy: pipeline.user.username,
    project: pipeline.project.path,
    commit: pipeline.sha,
  };
}

/**
 * The pull secret's registry as the deploy runner reads it from its job (readDeployJob): none
 * without an endpoint or a user. The password is never needed here: it is replaced by
 * `<redacted>` before anything is rendered.
 */
function pullRegistry(registry: RegistrySettings | undefined): RegistryCredentials | null {
  const endpoint = registry?.endpoint.trim() ?? '';
  const username = registry?.username ?? '';
  return endpoint === '' || username === '' ? null : { endpoint, username, password: REDACTED };
}

/**
 * The inputs the deploy runner renders with, from the same values its job is built from
 * (buildStageJob): the image the build recorded, the registry, the release metadata. `previous`
 * is read from the cluster by the runner; null until its result reports it. Pure.
 */
export function deployManifestInputs(
  pipeline: PipelineRecord,
  plan: ResolvedPlan,
  registry: RegistrySettings | undefined,
  previous: PreviousImage | null,
): ManifestInputs {
  return {
    image: (pipeline.image?.reference ?? '').trim(),
    registry: pullRegistry(registry),
    meta: releaseMetadata(plan, deployMeta(pipeline)),
    previous,
  };
}

/**
 * The objects change pod applies for the pipeline, as the record keeps them (Secret values
 * redacted, size capped). Pure; throws RELEASE_IMAGE_NOT_PINNED like the runner would.
 */
export function deployManifests(
  pipeline: PipelineRecord,
  plan: ResolvedPlan,
  registry: RegistrySettings | undefined,
  previous: PreviousImage | null = null,
): ManifestRecord[] {
  return manifestRecords(renderManifests(plan, deployManifestInputs(pipeline, plan, registry, previous)));
}

/** `previous` of a deploy result: undefined when the runner did not report it. */
export function previousFromResult(result: DeployResult): PreviousImage | null | undefined {
  return result.previous;
}
