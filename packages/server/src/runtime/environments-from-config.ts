import type { FerryConfig } from '@ferry/shared';
import { type EnvironmentMap, StaticEnvironmentMap } from '../intake/environment-map.js';

/** The environment branches Ferry recognises at intake, from the configuration. */
export function environmentsFromConfig(config: FerryConfig): EnvironmentMap {
  return StaticEnvironmentMap.fromBranches(config.environments);
}
