import { ExecutorErrors, FerryError } from '@ferry/shared';
import type Docker from 'dockerode';
import { authForImage, type RegistryAuth } from './registry-auth.js';

export type PullPolicy = 'if-missing' | 'never';

function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number }).statusCode;
}

/**
 * Makes sure `image` is on the Docker host: present → nothing to do; missing → pulled (with the
 * registry credentials when the image is on that registry) unless the policy is `never`.
 * Returns why the image cannot be had, or undefined when it is there.
 */
export async function ensureImage(
  docker: Docker,
  image: string,
  options: { pull: PullPolicy; auth?: RegistryAuth },
  signal: AbortSignal,
): Promise<string | undefined> {
  try {
    await docker.getImage(image).inspect();
    return undefined;
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
  if (options.pull === 'never') {
    return `image ${image} is not on the Docker host, and pulling is off (executor.docker pull: never)`;
  }
  const auth = authForImage(image, options.auth);
  let problem: string | undefined;
  try {
    const stream = (await docker.pull(image, {
      abortSignal: signal,
      ...(auth === undefined ? {} : { authconfig: auth }),
    })) as NodeJS.ReadableStream;
    problem = await pullProblem(stream);
  } catch (err) {
    if (signal.aborted) throw err;
    problem = (err as { json?: { message?: string } }).json?.message ?? (err as Error).message;
  }
  if (problem === undefined) {
    try {
      await docker.getImage(image).inspect();
      return undefined;
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
      problem = 'the pull ended without the image';
    }
  }
  const withAuth = auth === undefined ? '' : ` (as ${auth.username})`;
  return `image ${image} cannot be pulled${withAuth}: ${problem.trim()}`;
}

/**
 * A stage's reason when the runner image cannot be had: a stable code, and how to build the image
 * (the project's own, which no public registry serves).
 */
export function runnerImageMissing(image: string, problem: string): string {
  const err = new FerryError(ExecutorErrors.EXECUTOR_RUNNER_IMAGE_MISSING, { image, problem });
  return `${err.code}: ${err.message}`;
}

/** Reads a pull's JSON progress lines to the end; returns the first error it reports. */
async function pullProblem(stream: NodeJS.ReadableStream): Promise<string | undefined> {
  let buffer = '';
  let problem: string | undefined;
  const take = (line: string) => {
    if (line.trim() === '' || problem !== undefined) return;
    try {
      const event = JSON.parse(line) as { error?: string; errorDetail?: { message?: string } };
      if (event.error !== undefined) problem = event.errorDetail?.message ?? event.error;
    } catch {
      // Not JSON: progress noise.
    }
  };
  for await (const chunk of stream) {
    buffer += chunk.toString();
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      take(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
    }
  }
  take(buffer);
  return problem;
}
