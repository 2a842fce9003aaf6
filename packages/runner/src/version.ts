import { ferryVersion } from '@ferry/shared';

/** The runner's version: Ferry's one version (`ferry --version`, `ferry_build_info`, the image tag). */
export const runnerVersion: string = ferryVersion;
