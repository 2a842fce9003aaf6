// The light subpath: `ferry-runner clone` (every docker and kubernetes stage's first container)
// loads this, and the package's main entry would bring the spec parser, zod and yaml with it.
import { ferryVersion } from '@ferry/shared/build-info';

/** The runner's version: Ferry's one version (`ferry --version`, `ferry_build_info`, the image tag). */
export const runnerVersion: string = ferryVersion;
