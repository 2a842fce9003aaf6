import { createRequire } from 'node:module';

/**
 * Defined (as a string) only in the runner image's bundle (scripts/lib/runner-bundle.mjs), whose one
 * file has no package.json two directories up; it holds that package.json's version.
 */
declare const __FERRY_BUNDLED_VERSION__: string | undefined;

/**
 * Ferry's version, from the package's own package.json (the same two levels up from `src/` and
 * `dist/`). Every workspace package carries the same version (a test checks it): `ferry --version`,
 * `ferry_build_info` and the default runner image all say this one.
 */
export const ferryVersion: string =
  typeof __FERRY_BUNDLED_VERSION__ === 'string'
    ? __FERRY_BUNDLED_VERSION__
    : (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/**
 * The runner image the executors run by default: the tag `scripts/lib/runner-image.sh --production`
 * builds (a test checks they agree), so the default names an image the project makes.
 */
export const defaultRunnerImage = `ferry/runner:${ferryVersion}`;
