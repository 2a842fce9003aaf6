export { DockerExecutor } from './docker-executor.js';
export type { DockerExecutorOptions } from './docker-executor-options.js';
export type { PullPolicy } from './images.js';
export type { RegistryAuth } from './registry-auth.js';
