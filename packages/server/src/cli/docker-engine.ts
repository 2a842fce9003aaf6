import Docker from 'dockerode';

/** Where the Docker engine answers unless configured otherwise (executor.docker.socketPath). */
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

/**
 * True when the Docker engine at `socketPath` answers a ping within a few seconds: how `ferry exec`
 * and `ferry demo` choose between the engine and the local executor.
 */
export async function engineAnswers(socketPath: string = DEFAULT_DOCKER_SOCKET): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), 3_000);
  });
  const ping = new Docker({ socketPath }).ping().then(
    () => true,
    () => false,
  );
  return Promise.race([ping, late]).finally(() => clearTimeout(timer));
}
