/** The runner program's contract, for executors: script builder, environment, clone exit codes. */

export { allowedBy } from './build/allowlist.js';
export { BUILDERS, type Builder } from './build/build-env.js';
export { authFileArchive } from './build/buildah/auth-archive.js';
export { authFileJson, readAuthFile } from './build/buildah/auth-file.js';
export { BUILDAH_AUTH_FILE, BuildahSandbox } from './build/buildah/sandbox.js';
export { type CacheArgsInput, cacheArgs, servicesWaitArgs } from './cache/cache-args.js';
export { DEFAULT_CACHE_MAX_BYTES } from './cache/cache-command.js';
export { type CacheSpec, cacheKey, cachePathProblem } from './cache/cache-key.js';
export { type CloneOptions, clone } from './clone/clone.js';
export { CloneExit, cloneFailureReason } from './clone/clone-exit.js';
export { type CloneTarget, parseCloneTarget } from './clone/clone-target.js';
export { type ListWatchEvent, type ListWatchOptions, listWatch } from './kube/list-watch.js';
export { cloneEnv, commandEnv, type StageVariablesInput, stageVariables } from './runner-env.js';
export {
  buildStageScript,
  containerScriptCommand,
  encodeScript,
  MAX_SCRIPT_BYTES,
  SCRIPT_ENV,
  scriptSizeProblem,
} from './script/build-stage-script.js';
export { shellQuote } from './script/shell-quote.js';
export { parseTcpService } from './services/wait-command.js';
export { runnerVersion } from './version.js';
