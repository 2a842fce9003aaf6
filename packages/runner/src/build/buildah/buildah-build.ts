import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type BuildSuccess, FerryError, ReleaseErrors } from '@ferry/shared';
import type { OutputLines } from '../../command/output-lines.js';
import type { BuildJob } from '../build-env.js';
import { builtImage, checkBuildInputs, readBackManifest, tagInRegistry } from '../build-steps.js';
import { imageLabels } from '../image-labels.js';
import { registryFailure } from '../registry-errors.js';
import { imageTags } from '../tags.js';
import {
  budArgs,
  CACHE_PUSH_FAILED_RE,
  pushArgs,
  type RegistryCache,
  type StorageOptions,
  storageArgs,
  writesRegistryCache,
} from './bud-args.js';
import { claimStorage, keepSlot } from './cache-storage.js';
import { registriesConf } from './registries-conf.js';
import { checkRegistryAccess } from './registry-access.js';
import { runBuildah } from './run-buildah.js';
import { BuildahSandbox } from './sandbox.js';

/** The layer cache of a project's image: one repository beside it, shared by its environments. Pure. */
export function cacheRepository(imageRepository: string): string {
  return `${imageRepository}/cache`;
}

/**
 * Where a non-root buildah keeps its storage and state: XDG_DATA_HOME is chosen so that its storage
 * (`$XDG_DATA_HOME/containers/storage`) and blob-info cache (`…/containers/cache`) are the paths root
 * uses (BuildahSandbox.storageDir, the pod's volume), its run state in the build's private work
 * directory. Pure.
 */
export function rootlessPaths(work: string): NodeJS.ProcessEnv {
  return { XDG_DATA_HOME: dirname(BuildahSandbox.storageDir), XDG_RUNTIME_DIR: work };
}

/**
 * Build and push with buildah, daemonless: the same policy as the engine build (paths, allowlist,
 * credentials checked first, OCI labels, commit and environment tags, digest read back), the layer
 * cache in the registry (`<image>/cache`). A cache that cannot be read costs time only; one that
 * cannot be written makes the build run again without it, never fail. Credentials reach buildah
 * only through REGISTRY_AUTH_FILE. Throws FerryError (RELEASE_*).
 */
export async function runBuildahBuild(
  job: BuildJob,
  workspace: string,
  out: OutputLines,
  signal: AbortSignal,
): Promise<BuildSuccess> {
  const { plan, registry } = job;
  const { contextDir, dockerfilePath } = await checkBuildInputs(job, workspace, out);
  await checkRegistryAccess(registry, signal);
  const tags = imageTags(registry.host, plan);
  const work = await mkdtemp(join(tmpdir(), 'ferry-buildah-'));
  const slot = await claimStorage(job, out);
  const rootless = process.getuid?.() !== 0;
  const storage: StorageOptions = {
    driver: job.storageDriver,
    root: slot?.root ?? null,
    rootless,
    ...(rootless ? { runRoot: join(work, 'run') } : {}),
  };
  try {
    const confPath = join(work, 'registries.conf');
    await writeFile(confPath, registriesConf(registry.host, registry.scheme === 'http'));
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME ?? '/root',
      TMPDIR: work,
      CONTAINERS_REGISTRIES_CONF: confPath,
      BUILDAH_LAYERS: 'true',
      ...(rootless ? rootlessPaths(work) : {}),
      ...(job.authFile === null ? {} : { REGISTRY_AUTH_FILE: job.authFile }),
    };
    if (rootless)
      out.line(
        `rootless build (uid ${process.getuid?.()}): buildah's user namespace maps this one id, RUN steps run as its root; a RUN as another USER or a chown to another id fails`,
      );
    const bud = (cache: RegistryCache | null) =>
      budArgs({
        contextDir,
        dockerfile: dockerfilePath,
        tags: [tags.immutable, tags.moving],
        buildArgs: plan.build.args,
        target: plan.build.target,
        labels: imageLabels(plan.sha, job.sourceUrl, job.pipelineId),
        cache,
        storage,
      });
    const cache: RegistryCache = {
      repository: cacheRepository(tags.repository),
      write: writesRegistryCache(slot),
    };
    out.line(
      `building ${tags.immutable} from ${plan.build.dockerfile} (context ${plan.build.context}) with buildah, cache ${cache.repository}${cache.write ? '' : ' (read only: the layers are in the warm slot)'}`,
    );
    if (slot?.leftovers) {
      // The build that last held this slot failed or was killed: its working containers only take space.
      out.line(`build cache: the last build in slot ${slot.index} did not finish: removing what it left`);
      await runBuildah([...storageArgs(storage), 'rm', '--all'], env, out, signal);
    }
    let run = await runBuildah(bud(cache), env, out, signal);
    if (cache.write && run.exitCode !== 0 && run.tail.some((line) => CACHE_PUSH_FAILED_RE.test(line))) {
      out.line(`the layer cache ${cache.repository} could not be written: building again without the cache`);
      run = await runBuildah(bud(null), env, out, signal);
    }
    if (run.exitCode !== 0)
      throw new FerryError(ReleaseErrors.RELEASE_BUILD_FAILED, {
        reason: run.tail.slice(-3).join(' / ') || `buildah exited with ${run.exitCode}`,
      });

    // The commit tag is pushed; the environment tag is then given to the same manifest inside the
    // registry (one request: a second `buildah push` is another start of buildah and its user namespace).
    out.line(`pushing ${tags.immutable}`);
    const digestFile = join(work, 'digest');
    const push = await runBuildah(pushArgs(storage, tags.immutable, digestFile), env, out, signal);
    if (push.exitCode !== 0) {
      const reason = push.tail.slice(-2).join(' / ') || `buildah push exited with ${push.exitCode}`;
      throw registryFailure(
        registry,
        reason,
        () => new FerryError(ReleaseErrors.RELEASE_PUSH_FAILED, { image: tags.immutable, reason }),
      );
    }
    out.line(`pushed ${tags.immutable} (${(await readFile(digestFile, 'utf8')).trim()})`);
    const pushed = await readBackManifest(registry, plan.image.repository, tags, signal);
    await tagInRegistry(registry, plan.image.repository, pushed, tags, signal);
    out.line(`tagged ${tags.moving} (${pushed.digest}) in the registry`);
    const built = builtImage(tags, pushed.digest);
    if (slot !== null) await keepSlot(slot, job, out, signal);
    return built;
  } finally {
    await slot?.release();
    await rm(work, { recursive: true, force: true });
  }
}
