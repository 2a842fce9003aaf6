/**
 * Kubernetes name rules and every name Ferry derives from a service. The name limits are
 * computed from the suffixes Ferry and Kubernetes append, so the longest allowed service name
 * yields valid names everywhere (names.test.ts proves it).
 */

/** DNS-1123 label: Namespaces, Services, pod hostnames, label values. */
export const DNS1123_LABEL_MAX = 63;
/** DNS-1123 subdomain: most other object names (Secrets, ConfigMaps, Ingress hosts). */
export const DNS1123_SUBDOMAIN_MAX = 253;
/** CronJob names: the controller appends `-<11-digit minute stamp>` to make Job names. */
export const CRONJOB_NAME_MAX = 52;
/** Length of the `pod-template-hash` a Deployment's ReplicaSet appends (`-<hash>`). */
export const POD_TEMPLATE_HASH_LENGTH = 10;
/** Length of the random suffix `generateName` appends to a pod (`-<rand>`). */
export const GENERATED_SUFFIX_LENGTH = 5;
/** Ferry's suffix for the canary Deployment, Service and Ingress. */
export const CANARY_SUFFIX = '-canary';
/** Ferry's suffix for the volume claim of a service that declares storage. */
export const STORAGE_SUFFIX = '-data';
/** The imagePullSecret Ferry creates in each namespace it deploys to. */
export const IMAGE_PULL_SECRET_NAME = 'ferry-registry';
/** Runner pods: `ferry-<pipeline>-<stage>-<rand>`. */
export const RUNNER_POD_PREFIX = 'ferry';
/** How many characters of the pipeline id a runner pod name keeps. */
export const PIPELINE_SHORT_LENGTH = 12;
/** Characters of the commit sha in `{shortSha}` (GitLab's CI_COMMIT_SHORT_SHA). */
export const SHORT_SHA_LENGTH = 8;

/** The pod names Kubernetes derives from a Deployment: `<deployment>-<hash>-<rand>`. */
const DEPLOYMENT_POD_SUFFIX_LENGTH = 1 + POD_TEMPLATE_HASH_LENGTH + 1 + GENERATED_SUFFIX_LENGTH;

/**
 * Longest service name: the canary Deployment's pods (`<service>-canary-<hash>-<rand>`) are the
 * longest name built from it and must stay a DNS-1123 label (63). 63 - 7 - 17 = 39.
 */
export const SERVICE_NAME_MAX = DNS1123_LABEL_MAX - CANARY_SUFFIX.length - DEPLOYMENT_POD_SUFFIX_LENGTH;

/** Longest environment name. Chosen: environment names are short words (`test`, `prod-eu`). */
export const ENVIRONMENT_NAME_MAX = 20;

/**
 * Longest group name: the default template's namespace `{group}-{env}` must fit a DNS-1123
 * label with the longest environment name. 63 - 1 - 20 = 42.
 */
export const GROUP_NAME_MAX = DNS1123_LABEL_MAX - 1 - ENVIRONMENT_NAME_MAX;

export const DNS1123_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
export const DNS1035_PATTERN = '^[a-z]([-a-z0-9]*[a-z0-9])?$';
const LABEL_RE = new RegExp(DNS1123_LABEL_PATTERN);
const DNS1035_RE = new RegExp(DNS1035_PATTERN);

/** Lowercase alphanumerics and `-`, starting and ending alphanumeric, at most 63 characters. */
export function isDns1123Label(value: string): boolean {
  return value.length <= DNS1123_LABEL_MAX && LABEL_RE.test(value);
}

/** Like a label but starting with a letter: what a Kubernetes Service name must be. */
export function isDns1035Label(value: string): boolean {
  return value.length <= DNS1123_LABEL_MAX && DNS1035_RE.test(value);
}

/** Dot-separated DNS-1123 labels, at most 253 characters. */
export function isDns1123Subdomain(value: string): boolean {
  if (value.length === 0 || value.length > DNS1123_SUBDOMAIN_MAX) return false;
  return value.split('.').every((label) => LABEL_RE.test(label) && label.length <= DNS1123_LABEL_MAX);
}

/** Why `value` is not a valid name of the given kind and limit, or undefined when it is. */
export function explainNameProblem(
  value: string,
  max: number,
  kind: 'label' | 'dns1035',
): string | undefined {
  if (value.length === 0) return 'it is empty';
  if (value.length > max) return `it is ${value.length} characters long; the limit is ${max}`;
  if (/[A-Z]/.test(value)) return 'it has uppercase letters; use lowercase';
  if (kind === 'dns1035' && !/^[a-z]/.test(value)) return 'it must start with a letter';
  if (!/^[a-z0-9]/.test(value)) return 'it must start with a letter or digit';
  if (!/[a-z0-9]$/.test(value)) return 'it must end with a letter or digit';
  const bad = value.match(/[^-a-z0-9]/);
  if (bad) return `it contains "${bad[0]}"; only a-z, 0-9 and "-" are allowed`;
  return undefined;
}

/** The problem code for a reason from explainNameProblem: too long, or otherwise invalid. */
export function nameProblemCode(why: string): 'name-too-long' | 'invalid-name' {
  return why.includes('characters long; the limit is') ? 'name-too-long' : 'invalid-name';
}

/** Why a service name is not allowed, or undefined. */
export function serviceNameProblem(name: string): string | undefined {
  return explainNameProblem(name, SERVICE_NAME_MAX, 'dns1035');
}

/** Why a group name is not allowed, or undefined. */
export function groupNameProblem(name: string): string | undefined {
  return explainNameProblem(name, GROUP_NAME_MAX, 'label');
}

/** Why an environment name is not allowed, or undefined. */
export function environmentNameProblem(name: string): string | undefined {
  return explainNameProblem(name, ENVIRONMENT_NAME_MAX, 'label');
}

/** Why a namespace is not allowed, or undefined. */
export function namespaceProblem(name: string): string | undefined {
  return explainNameProblem(name, DNS1123_LABEL_MAX, 'label');
}

/** Turns a GitLab path segment into name material: lowercase, runs of other characters → `-`. */
function sanitize(segment: string): string {
  return segment
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * The default service name: the project's own path segment (`payments/api-gateway` →
 * `api-gateway`), lowercased with other characters turned into `-`. Not truncated: a name that
 * does not fit is reported, and the project sets `service:` in its `.ferry.yml`.
 */
export function deriveServiceName(projectPath: string): string {
  const segments = projectPath.split('/').filter((s) => s.length > 0);
  return sanitize(segments[segments.length - 1] ?? '');
}

/** The default group name: the project's top-level GitLab group (`payments/backend/api` → `payments`). */
export function deriveGroupName(projectPath: string): string {
  const segments = projectPath.split('/').filter((s) => s.length > 0);
  return sanitize(segments.length > 1 ? (segments[0] ?? '') : '');
}

/** The names of the Kubernetes objects Ferry creates for one service. */
export interface ObjectNames {
  readonly deployment: string;
  readonly service: string;
  readonly ingress: string;
  readonly canaryDeployment: string;
  readonly canaryService: string;
  readonly canaryIngress: string;
  readonly volumeClaim: string;
  readonly imagePullSecret: string;
}

export function objectNames(service: string): ObjectNames {
  return {
    deployment: service,
    service,
    ingress: service,
    canaryDeployment: canaryName(service),
    canaryService: canaryName(service),
    canaryIngress: canaryName(service),
    volumeClaim: volumeClaimName(service),
    imagePullSecret: IMAGE_PULL_SECRET_NAME,
  };
}

export function canaryName(service: string): string {
  return `${service}${CANARY_SUFFIX}`;
}

export function volumeClaimName(service: string): string {
  return `${service}${STORAGE_SUFFIX}`;
}

/** What Kubernetes names a Deployment's ReplicaSet: `<deployment>-<pod-template-hash>`. */
export function replicaSetName(deployment: string, podTemplateHash: string): string {
  return `${deployment}-${podTemplateHash}`;
}

/** What Kubernetes names a pod created with `generateName: <base>-`. */
export function generatedPodName(base: string, random: string): string {
  return `${base}-${random}`;
}

/** `pipelineId` shortened to name material: lowercase alphanumerics, at most 12 characters. */
export function pipelineShortId(pipelineId: string): string {
  const short = pipelineId
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .slice(0, PIPELINE_SHORT_LENGTH);
  if (short.length === 0)
    throw new TypeError(`pipeline id ${JSON.stringify(pipelineId)} has no a-z0-9 characters`);
  return short;
}

/**
 * The runner pod's name: `ferry-<pipelineShort>-<stage>-<rand>` (at most 31 characters).
 * `random` is 5 characters of [a-z0-9], as Kubernetes would generate.
 */
export function runnerPodName(
  pipelineId: string,
  stage: 'test' | 'build' | 'deploy',
  random: string,
): string {
  if (!/^[a-z0-9]{5}$/.test(random))
    throw new TypeError(`runner pod suffix must be 5 of [a-z0-9], got ${random}`);
  return `${RUNNER_POD_PREFIX}-${pipelineShortId(pipelineId)}-${stage}-${random}`;
}

/** The longest runner pod name possible. */
export const RUNNER_POD_NAME_MAX =
  RUNNER_POD_PREFIX.length + 1 + PIPELINE_SHORT_LENGTH + 1 + 'deploy'.length + 1 + GENERATED_SUFFIX_LENGTH;

/** Image repository (below the registry host Ferry is configured with): `<group>/<service>`. */
export function imageRepository(group: string, service: string): string {
  return `${group}/${service}`;
}

/** Image tag: the full commit sha, so every running pod maps to exactly one commit. */
export function imageTag(sha: string): string {
  return sha;
}

export function shortSha(sha: string): string {
  return sha.slice(0, SHORT_SHA_LENGTH);
}

/** Longest test job name: it appears in runner names and in the GitLab status `ferry/test:<job>`. */
export const TEST_JOB_NAME_MAX = 20;
/** Longest service name (a container name beside the job, a sidecar in the runner pod). */
export const TEST_SERVICE_NAME_MAX = 20;
/** The job the simple form (image + script on the test stage) becomes. */
export const DEFAULT_TEST_JOB = 'test';

/** Why a test job name is not allowed, or undefined. */
export function testJobNameProblem(name: string): string | undefined {
  return explainNameProblem(name, TEST_JOB_NAME_MAX, 'label');
}

/** Why a service name (beside a test job) is not allowed, or undefined. */
export function testServiceNameProblem(name: string): string | undefined {
  return explainNameProblem(name, TEST_SERVICE_NAME_MAX, 'dns1035');
}
