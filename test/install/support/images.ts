/**
 * Ferry's release images for the install test: built by the project's own script
 * (scripts/build-images.sh, named for the loopback registry) and pushed there with the registry's
 * credentials, as an operator pushes to the registry the cluster pulls from.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import type { TestRegistry } from '../../support/services.js';

const exec = promisify(execFile);

export interface InstallImages {
  server: string;
  runner: string;
  redis: string;
  /** Sizes in MB as the build script printed them. */
  sizes: string;
}

async function push(docker: Docker, image: string, registry: TestRegistry): Promise<void> {
  const stream = (await docker.getImage(image).push({
    authconfig: { username: registry.username, password: registry.password, serveraddress: registry.address },
  })) as NodeJS.ReadableStream;
  const out = await new Promise<{ error?: string }[]>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, res: unknown[]) =>
      err ? reject(err) : resolve(res as { error?: string }[]),
    ),
  );
  const failed = out.find((o) => o.error);
  if (failed) throw new Error(`push ${image}: ${failed.error}`);
}

/** Builds both images with `tag`, tags the local Redis image, and pushes all three. */
export async function buildAndPushImages(
  docker: Docker,
  root: string,
  registry: TestRegistry,
  tag: string,
  redisSource: string,
): Promise<InstallImages> {
  const prefix = `${registry.address}/ferry-install`;
  const { stdout } = await exec('bash', ['scripts/build-images.sh'], {
    cwd: root,
    env: { ...process.env, IMAGE_PREFIX: prefix, IMAGE_TAG: tag },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 900_000,
  });
  const images = {
    server: `${prefix}/server:${tag}`,
    runner: `${prefix}/runner:${tag}`,
    redis: `${prefix}/redis:7`,
  };
  await docker.getImage(redisSource).tag({ repo: `${prefix}/redis`, tag: '7' });
  for (const image of [images.server, images.runner, images.redis]) await push(docker, image, registry);
  return { ...images, sizes: stdout.trim() };
}

/**
 * The images an earlier run built and pushed under `tag` (FERRY_INSTALL_IMAGE_TAG, for iterating
 * on the test itself: a build takes minutes), pulled back into the engine; throws when the registry
 * does not hold them.
 */
export async function pulledImages(
  docker: Docker,
  registry: TestRegistry,
  tag: string,
): Promise<InstallImages> {
  const prefix = `${registry.address}/ferry-install`;
  const images = {
    server: `${prefix}/server:${tag}`,
    runner: `${prefix}/runner:${tag}`,
    redis: `${prefix}/redis:7`,
  };
  const authconfig = {
    username: registry.username,
    password: registry.password,
    serveraddress: registry.address,
  };
  for (const image of Object.values(images)) {
    const stream = (await docker.pull(image, { authconfig })) as NodeJS.ReadableStream;
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())),
    );
  }
  return { ...images, sizes: `(reused ${tag})` };
}

/** A further tag of the server image (an upgrade's new version), pushed. */
export async function retagServer(
  docker: Docker,
  images: InstallImages,
  registry: TestRegistry,
  tag: string,
): Promise<string> {
  const repo = images.server.slice(0, images.server.lastIndexOf(':'));
  await docker.getImage(images.server).tag({ repo, tag });
  await push(docker, `${repo}:${tag}`, registry);
  return `${repo}:${tag}`;
}
