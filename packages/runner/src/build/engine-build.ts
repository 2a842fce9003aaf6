import type { BuildSuccess } from '@ferry/shared';
import type Docker from 'dockerode';
import type { OutputLines } from '../command/output-lines.js';
import type { BuildJob } from './build-env.js';
import { checkBuildInputs, readBackDigest } from './build-steps.js';
import { pullCacheImage } from './cache-image.js';
import { buildContext } from './context-tar.js';
import { dockerBuild } from './docker-build.js';
import { dockerPush } from './docker-push.js';
import { imageLabels } from './image-labels.js';
import { checkRegistryLogin } from './registry-login.js';
import { imageTags } from './tags.js';

/**
 * Build and push for one plan: paths confined to the workspace, every base image checked against
 * the allowlist, credentials checked, the environment's previous image pulled as cache, the image
 * built with its OCI labels and tagged `<sha>` and `<environment>`, both pushed, and the manifest
 * read back from the registry. Throws FerryError (RELEASE_*) with the reason.
 */
export async function runEngineBuild(
  job: BuildJob,
  workspace: string,
  docker: Docker,
  out: OutputLines,
  signal: AbortSignal,
): Promise<BuildSuccess> {
  const { plan, registry } = job;
  const { contextDir, dockerfilePath } = await checkBuildInputs(job, workspace, out);

  await checkRegistryLogin(docker, registry, signal);
  const tags = imageTags(registry.host, plan);
  const cache = await pullCacheImage(docker, registry, tags.moving, signal);
  out.line(
    'image' in cache ? `cache from ${cache.image}` : `no cache image ${tags.moving} (${cache.missing})`,
  );

  out.line(`building ${tags.immutable} from ${plan.build.dockerfile} (context ${plan.build.context})`);
  await dockerBuild(
    docker,
    {
      context: await buildContext(contextDir, dockerfilePath, signal),
      tags: [tags.immutable, tags.moving],
      buildArgs: plan.build.args,
      target: plan.build.target,
      labels: imageLabels(plan.sha, job.sourceUrl, job.pipelineId),
      cacheFrom: 'image' in cache ? [cache.image] : [],
      registryConfig:
        registry.username === ''
          ? {}
          : { [registry.host]: { username: registry.username, password: registry.password } },
    },
    out,
    signal,
  );

  for (const tag of [tags.immutableTag, tags.movingTag]) {
    out.line(`pushing ${tags.repository}:${tag}`);
    await dockerPush(docker, registry, tags.repository, tag, out, signal);
  }

  const outcome = await readBackDigest(registry, plan.image.repository, tags, signal);
  // The engine keeps the moving tag as the next build's cache; the commit tag lives in the registry.
  await docker
    .getImage(tags.immutable)
    .remove({ noprune: true, abortSignal: signal })
    .catch(() => undefined);
  return outcome;
}
