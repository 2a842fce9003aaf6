export { type IpRange, normalizeAddress, parseIpRange } from './ip-range.js';
export { type LoadConfigOptions, type LoadedConfig, loadConfig, resolveSecretRef } from './load.js';
export {
  buildConfigSchema,
  type FerryConfig,
  proxyUserPattern,
  type SecretRef,
  type SecretResolver,
  secretRefSchema,
} from './schema.js';
export { Secret } from './secret.js';
