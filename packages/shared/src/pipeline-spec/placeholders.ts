/**
 * Placeholders: `{env}`, `{service}`, ... inside some string values of a pipeline file,
 * replaced at run time. `${NAME}` (shell) is left alone, and `{{name}}` writes a literal `{name}`.
 */

export const PLACEHOLDER_NAMES = ['env', 'service', 'group', 'sha', 'shortSha', 'project', 'branch'] as const;
export type PlaceholderName = (typeof PLACEHOLDER_NAMES)[number];
export type PlaceholderValues = Readonly<Record<PlaceholderName, string>>;

/** What each placeholder stands for (used in docs, hints and the JSON Schema descriptions). */
export const PLACEHOLDER_MEANINGS: Readonly<Record<PlaceholderName, string>> = {
  env: 'the environment name (a key of `environments`)',
  service: 'the service name (`service:`, or derived from the project path)',
  group: 'the group name (`group:`, or the top-level GitLab group)',
  sha: 'the full commit sha',
  shortSha: 'the first 8 characters of the commit sha',
  project: 'the GitLab project path, e.g. `payments/api`',
  branch: "the environment's branch",
};

const TOKEN_RE = /\{\{([A-Za-z][A-Za-z0-9_]*)\}\}|\$\{[^}]*\}|\{([A-Za-z][A-Za-z0-9_]*)\}/g;

export function isPlaceholderName(name: string): name is PlaceholderName {
  return (PLACEHOLDER_NAMES as readonly string[]).includes(name);
}

/** The placeholder names `text` uses, known or not, in order of appearance. */
export function findPlaceholders(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(TOKEN_RE)) {
    if (match[2] !== undefined) names.push(match[2]);
  }
  return names;
}

/** Replaces every placeholder. Throws a TypeError on an unknown one (validation reports those first). */
export function substitutePlaceholders(text: string, values: PlaceholderValues): string {
  return text.replace(TOKEN_RE, (whole, escaped: string | undefined, name: string | undefined) => {
    if (escaped !== undefined) return `{${escaped}}`;
    if (name === undefined) return whole;
    if (!isPlaceholderName(name)) throw new TypeError(`unknown placeholder {${name}}`);
    return values[name];
  });
}

/**
 * The fields that accept placeholders, as key paths where `*` matches any key or index.
 * Elsewhere a placeholder is refused; `stages.test.script` is shell and never scanned (the
 * runner exports the same values as FERRY_ENV, FERRY_SERVICE, ...).
 */
export const TEMPLATED_PATHS: readonly string[] = [
  'environments.*.namespace',
  ...['stages.deploy', 'environments.*'].flatMap((base) => [
    `${base}.ingress.host`,
    `${base}.ingress.path`,
    `${base}.ingress.tlsSecret`,
    `${base}.env.*`,
    `${base}.envFrom.*.secretRef`,
    `${base}.envFrom.*.configMapRef`,
  ]),
  ...['stages.test', 'stages.test.jobs.*'].flatMap((base) => [
    `${base}.env.*`,
    `${base}.envFrom.*.secretRef`,
    `${base}.envFrom.*.configMapRef`,
    `${base}.services.*.env.*`,
  ]),
  'stages.build.args.*',
];

/** Fields holding shell, arguments or a pattern, where `{...}` means what they make of it. */
export const SHELL_PATHS: readonly string[] = ['stages.test', 'stages.test.jobs.*'].flatMap((base) => [
  `${base}.script.*`,
  `${base}.services.*.command.*`,
  `${base}.coverage`,
]);

export type PathSegment = string | number;

export function matchesPathPattern(pattern: string, path: readonly PathSegment[]): boolean {
  const parts = pattern.split('.');
  return parts.length === path.length && parts.every((p, i) => p === '*' || p === String(path[i]));
}

export function isTemplatedPath(path: readonly PathSegment[]): boolean {
  return TEMPLATED_PATHS.some((p) => matchesPathPattern(p, path));
}

export function isShellPath(path: readonly PathSegment[]): boolean {
  return SHELL_PATHS.some((p) => matchesPathPattern(p, path));
}

/** Environment variables the runner exports so scripts see the same values. */
export function placeholderEnvironment(values: PlaceholderValues): Record<string, string> {
  return {
    FERRY_ENV: values.env,
    FERRY_SERVICE: values.service,
    FERRY_GROUP: values.group,
    FERRY_SHA: values.sha,
    FERRY_SHORT_SHA: values.shortSha,
    FERRY_PROJECT: values.project,
    FERRY_BRANCH: values.branch,
  };
}
