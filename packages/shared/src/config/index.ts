export { type LoadConfigOptions, type LoadedConfig, loadConfig, resolveSecretRef } from './load.js';
export {
  buildConfigSchema,
  type FerryConfig,
  type SecretRef,
  type SecretResolver,
  secretRefSchema,
} from './schema.js';
export { Secret } from './secret.js';
