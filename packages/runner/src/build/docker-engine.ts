import { FerryError, ReleaseErrors } from '@ferry/shared';
import Docker from 'dockerode';

/** Where the engine is, for messages: DOCKER_HOST or the default socket. */
export function dockerEndpoint(env: Readonly<Record<string, string | undefined>>): string {
  return env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
}

/**
 * The engine that builds and pushes: DOCKER_HOST (unix://, tcp:// with DOCKER_TLS_VERIFY and
 * DOCKER_CERT_PATH) or the default socket, as the docker CLI finds it. Throws
 * RELEASE_DOCKER_UNREACHABLE when it does not answer.
 */
export async function connectDocker(
  env: Readonly<Record<string, string | undefined>>,
  signal: AbortSignal,
): Promise<Docker> {
  const docker = new Docker();
  try {
    // dockerode's ping takes { abortSignal } at run time; its typings only know the callback form.
    const ping = docker.ping.bind(docker) as unknown as (opts: {
      abortSignal: AbortSignal;
    }) => Promise<unknown>;
    await ping({ abortSignal: signal });
  } catch (err) {
    signal.throwIfAborted();
    throw new FerryError(
      ReleaseErrors.RELEASE_DOCKER_UNREACHABLE,
      { endpoint: dockerEndpoint(env), reason: (err as Error).message },
      { cause: err },
    );
  }
  return docker;
}
