import { FerryError, ReleaseErrors } from '@ferry/shared';
import type Docker from 'dockerode';
import type { OutputLines } from '../command/output-lines.js';
import type { BuildContext } from './context-tar.js';
import { messageError } from './docker-messages.js';
import { followMessages } from './follow-messages.js';
import { progressLine } from './progress-line.js';

export interface DockerBuildOptions {
  readonly context: BuildContext;
  /** Every tag the image gets (`t`, repeated). */
  readonly tags: readonly string[];
  readonly buildArgs: Readonly<Record<string, string>>;
  readonly target: string | null;
  readonly labels: Readonly<Record<string, string>>;
  /** Images whose layers may serve as cache (present in the engine). */
  readonly cacheFrom: readonly string[];
  /** Credentials for pulling base images from the registry (X-Registry-Config). */
  readonly registryConfig: Readonly<Record<string, { username: string; password: string }>>;
}

/**
 * Builds with the engine's /build endpoint, streaming its output line by line into `out`. Errors
 * the engine reports in the stream (a failing RUN, a missing base image) fail the build, though
 * the HTTP status stays 200. Returns the image id. Throws RELEASE_BUILD_FAILED.
 */
export async function dockerBuild(
  docker: Docker,
  options: DockerBuildOptions,
  out: OutputLines,
  signal: AbortSignal,
): Promise<string> {
  let imageId: string | undefined;
  let failure: string | undefined;
  try {
    const stream = await docker.buildImage(options.context.tar, {
      t: [...options.tags],
      dockerfile: options.context.dockerfile,
      buildargs: { ...options.buildArgs },
      labels: { ...options.labels },
      ...(options.target === null ? {} : { target: options.target }),
      ...(options.cacheFrom.length === 0 ? {} : { cachefrom: [...options.cacheFrom] }),
      registryconfig: { ...options.registryConfig },
      rm: true,
      forcerm: true,
      abortSignal: signal,
      // The typings know `t` as one string; the engine takes it repeated, which dockerode sends for an array.
    } as unknown as Docker.ImageBuildOptions);
    await followMessages(
      stream,
      (message) => {
        if (message.stream !== undefined) out.write(message.stream);
        const progress = progressLine(message);
        if (progress !== undefined) out.line(progress);
        if (message.aux?.ID !== undefined) imageId = message.aux.ID;
        failure ??= messageError(message);
      },
      signal,
    );
  } catch (err) {
    signal.throwIfAborted();
    if (err instanceof FerryError) throw err;
    failure ??= (err as Error).message;
  } finally {
    out.flush();
    options.context.tar.destroy();
  }
  if (failure !== undefined) throw new FerryError(ReleaseErrors.RELEASE_BUILD_FAILED, { reason: failure });
  if (imageId === undefined)
    throw new FerryError(ReleaseErrors.RELEASE_BUILD_FAILED, { reason: 'the engine reported no image id' });
  return imageId;
}
