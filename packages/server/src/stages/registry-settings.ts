import type { FerryConfig } from '@ferry/shared';

/** The private registry stage jobs push to and deployments pull from. */
export interface RegistrySettings {
  endpoint: string;
  username?: string;
  /** A secret: only jobs that push get it (jobContext adds it; manifests never need it). */
  password?: string;
}

/** The configured registry without its password, or undefined when none is configured. */
export function registryOf(config: FerryConfig): RegistrySettings | undefined {
  const { endpoint, username } = config.registry;
  return endpoint === undefined ? undefined : { endpoint, ...(username === undefined ? {} : { username }) };
}
