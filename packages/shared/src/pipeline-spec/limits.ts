/** Limits on pipeline files: they bound parsing work and catch mistakes early. */

/** Files above this size are refused before parsing. */
export const MAX_SPEC_BYTES = 256 * 1024;
/** Most alias expansions a document may make (yaml's `maxAliasCount`); stops alias bombs. */
export const MAX_ALIAS_COUNT = 50;
/** Most values (maps, lists and scalars) a document may expand to, aliases counted each time. */
export const MAX_EXPANDED_NODES = 20_000;
export const MAX_ENVIRONMENTS = 32;
export const MAX_ENV_VARS = 200;
export const MAX_ENV_SOURCES = 32;
export const MAX_SCRIPT_LINES = 200;
/** Longest single string value (a script line, an env value). */
export const MAX_STRING_LENGTH = 16 * 1024;
export const MAX_REPLICAS = 100;
/** Most jobs of the test stage (each is its own runner). */
export const MAX_TEST_JOBS = 20;
/** Most services beside one job. */
export const MAX_SERVICES = 8;
/** Most paths a cache keeps, and files its key is computed from. */
export const MAX_CACHE_PATHS = 16;
/** Longest coverage pattern. */
export const MAX_COVERAGE_PATTERN = 1024;
