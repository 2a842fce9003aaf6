/**
 * Every environment variable the server gives a runner and the runner reads (docs/release.md has
 * the table). Both sides name them through this object, never as string literals. Secrets
 * (`cloneToken`, `registryPassword`, `kubeconfig`) travel in a job's secret env only.
 */
export const RunnerEnv = {
  /** The runner contract version the server speaks (contract-version.ts). */
  contractVersion: 'FERRY_CONTRACT_VERSION',

  // Clone step.
  /** The repository's http(s) clone URL, without credentials. */
  cloneUrl: 'FERRY_CLONE_URL',
  /** The token git sends (HTTP Basic, user FERRY_CLONE_USER). Secret: only the clone step sees it. */
  cloneToken: 'FERRY_CLONE_TOKEN',
  /** The user name sent with the token (default `oauth2`, as GitLab expects for tokens). */
  cloneUser: 'FERRY_CLONE_USER',

  // Every stage.
  sha: 'FERRY_SHA',
  ref: 'FERRY_REF',
  workspace: 'FERRY_WORKSPACE',
  pipelineId: 'FERRY_PIPELINE_ID',
  stage: 'FERRY_STAGE',
  attempt: 'FERRY_ATTEMPT',
  projectId: 'FERRY_PROJECT_ID',
  projectPath: 'FERRY_PROJECT_PATH',
  /** The stage script, base64-encoded, that a container's shell decodes and evaluates. */
  script: 'FERRY_SCRIPT',

  // Test only.
  /** The test job's name (`test` for the simple form). */
  testJob: 'FERRY_JOB',

  // Build and deploy (`ferry-runner build|deploy`).
  /** The ResolvedPlan as JSON. */
  plan: 'FERRY_PLAN',
  /** Registry `host[:port]`. */
  registry: 'FERRY_REGISTRY',
  registryUser: 'FERRY_REGISTRY_USER',
  /** Secret. */
  registryPassword: 'FERRY_REGISTRY_PASSWORD',

  // Build only.
  /** `true`: talk to the registry over plain HTTP (default: only for loopback registries). */
  registryInsecure: 'FERRY_REGISTRY_INSECURE',
  /** A JSON array of base-image patterns; unset: every base image is allowed. */
  allowedBaseImages: 'FERRY_ALLOWED_BASE_IMAGES',
  /** The repository's web URL for the source label, without credentials. */
  sourceUrl: 'FERRY_SOURCE_URL',
  /** `engine` (default: the Docker engine through DOCKER_HOST) or `buildah` (daemonless, in the runner). */
  builder: 'FERRY_BUILDER',
  /** buildah's storage driver: `overlay` (default; native, needs a volume) or `vfs`. */
  buildStorageDriver: 'FERRY_BUILD_STORAGE_DRIVER',
  /**
   * buildah's layer storage that outlives the pod (a mounted directory: the project's part of the
   * build cache claim): the runner locks one of its slots for the build; unset: the pod's own
   * empty storage.
   */
  buildCacheDir: 'FERRY_BUILD_CACHE_DIR',
  /** How many slots (storages locked by one build at a time) the build cache directory holds. */
  buildCacheSlots: 'FERRY_BUILD_CACHE_SLOTS',
  /** A slot past this many bytes after a build is emptied. */
  buildCacheMaxBytes: 'FERRY_BUILD_CACHE_MAX_BYTES',
  /**
   * A mounted containers-auth.json with the registry credential, a secret file (buildah reads it;
   * the runner reads the password from it for the registry API): set, no FERRY_REGISTRY_PASSWORD.
   */
  registryAuthFile: 'REGISTRY_AUTH_FILE',

  // Deploy only.
  /** The image to run: the build's `reference` (`repo@sha256:…`). */
  image: 'FERRY_IMAGE',
  /** JSON `{ pipelineId, mergedBy?, project?, commit? }`. */
  deployMeta: 'FERRY_DEPLOY_META',
  /** The kubeconfig's content (not a path), a secret; unset: the pod's in-cluster service account. */
  kubeconfig: 'FERRY_KUBECONFIG',
  /** A context of that kubeconfig (default: its current context). */
  kubeContext: 'FERRY_KUBE_CONTEXT',
  /** `auto` (default): each canary step is promoted after its pause; `manual`: only by decision. */
  canaryPromote: 'FERRY_CANARY_PROMOTE',
} as const;

export type RunnerEnvKey = (typeof RunnerEnv)[keyof typeof RunnerEnv];
