// The pipeline spec: format, parsing, validation, merging, resolution and lint. docs/spec.md.
export { BRANCH_NAME_MAX, branchNameProblem, isValidBranchName } from './branches.js';
export {
  COVERAGE_LINE_MAX,
  CoverageScanner,
  coveragePatternProblem,
  coveragePatternSource,
} from './coverage-pattern.js';
export { DEFAULTS, type Priority } from './defaults.js';
export { DURATION_PATTERN, formatDuration, parseDuration, tryParseDuration } from './durations.js';
export {
  IMAGE_NAME_MAX,
  type ImageRef,
  isPinnedImageRef,
  isValidImageRef,
  parseImageRef,
} from './image-ref.js';
export { buildJsonSchema, JSON_SCHEMA_FILE, JSON_SCHEMA_ID, jsonSchemaText } from './json-schema.js';
export * from './limits.js';
export {
  defaultTemplatePath,
  type LintOptions,
  runLint,
  type SpecFileRole,
  specFileRole,
} from './lint-command.js';
export { createLocator, locate, type SourcePosition, type SpecLocator } from './locator.js';
export { mergeSpecs } from './merge.js';
export * from './names.js';
export {
  loadSpec,
  loadSpecOrThrow,
  PROJECT_SPEC_FILE,
  parseOverride,
  parseSpec,
  parseSpecOrThrow,
  type SpecResult,
  type SpecSourceText,
} from './parse.js';
export {
  findPlaceholders,
  isPlaceholderName,
  type PathSegment,
  PLACEHOLDER_MEANINGS,
  PLACEHOLDER_NAMES,
  type PlaceholderName,
  type PlaceholderValues,
  placeholderEnvironment,
  substitutePlaceholders,
  TEMPLATED_PATHS,
} from './placeholders.js';
export type * from './plan.js';
export {
  formatPath,
  formatProblem,
  type SpecProblem,
  type SpecProblemCode,
  type SpecSeverity,
  sortProblems,
} from './problems.js';
export {
  cpuProblem,
  formatBytes,
  memoryProblem,
  type ParsedQuantity,
  parseQuantity,
  QUANTITY_PATTERN,
  storageProblem,
  tryParseQuantity,
} from './quantities.js';
export {
  canaryStepsProblem,
  environmentForBranch,
  type ResolveContext,
  type ResolveResult,
  resolveSpec,
  tryResolveSpec,
} from './resolve.js';
export type {
  BuildStageSpec,
  CanarySpec,
  DeployStageSpec,
  EnvFromSpec,
  EnvironmentSpec,
  FerrySpec,
  IngressSpec,
  ProbeSpec,
  ResourcesSpec,
  StorageSpec,
  TestCacheSpec,
  TestJobSpec,
  TestServiceSpec,
  TestStageSpec,
} from './schema.js';
export { specSchema } from './schema.js';
export { type SecretFinding, type SecretKind, secretKeyFinding, secretValueFinding } from './secrets.js';
