import type Docker from 'dockerode';

/**
 * Removes the sample service's images a demo built and pushed into its (stopped) registry, left in
 * the engine: matched by tag or by digest (a rebuilt tag leaves the older image with its digest only).
 */
export async function removeDemoImages(docker: Docker | undefined): Promise<void> {
  for (const image of (await docker?.listImages()) ?? []) {
    const names = [...(image.RepoTags ?? []), ...(image.RepoDigests ?? [])];
    if (names.some((n) => /^127\.0\.0\.1:\d+\/demo\/sample-service[:@]/.test(n)))
      await docker
        ?.getImage(image.Id)
        .remove({ force: true })
        .catch(() => undefined);
  }
}
