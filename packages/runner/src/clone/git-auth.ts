/** The branch name HEAD points at before the detached checkout (never fetched, never pushed). */
export const INITIAL_BRANCH = 'ferry';

/** The Authorization header value for a clone token: HTTP Basic, as GitLab takes tokens. */
export function authorizationHeader(token: string, user = 'oauth2'): string {
  return `Basic ${Buffer.from(`${user}:${token}`, 'utf8').toString('base64')}`;
}

// Variables that make git print what it sends, or point it at another repository or config.
const SCRUBBED =
  /^(GIT_TRACE.*|GIT_CURL_VERBOSE|GIT_DIR|GIT_WORK_TREE|GIT_INDEX_FILE|GIT_CONFIG_.*|GIT_ASKPASS|SSH_ASKPASS|GIT_REDACT_COOKIES|GIT_TRACE_REDACT)$/;

/**
 * The environment git runs with: the given one without tracing or redirection variables, never
 * prompting, and — when there is a token — an `http.<origin>/.extraHeader` set through
 * GIT_CONFIG_COUNT. The token is thus in no argument, no URL and no file, and git sends it to the
 * clone URL's origin only (not to a host a redirect points to).
 */
export function gitEnvironment(
  base: Readonly<Record<string, string | undefined>>,
  auth: { origin: string; header: string } | undefined,
  /**
   * The clone's directory, trusted by `safe.directory` (command-scope configuration counts as
   * protected): a Kubernetes emptyDir belongs to root while a restricted pod clones as non-root,
   * which git otherwise refuses as "dubious ownership".
   */
  workTree?: string,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    if (value !== undefined && !SCRUBBED.test(key)) env[key] = value;
  }
  env.GIT_TERMINAL_PROMPT = '0';
  env.GCM_INTERACTIVE = 'never';
  // Credential helpers would store or offer credentials; the clone uses the header alone.
  const config: Array<[string, string]> = [
    ['credential.helper', ''],
    ['advice.detachedHead', 'false'],
    ['init.defaultBranch', INITIAL_BRANCH],
    ['protocol.version', '2'],
    // A workspace lives for one stage: no background maintenance, commit graph or fsync for it.
    ['maintenance.auto', 'false'],
    ['gc.auto', '0'],
    ['fetch.writeCommitGraph', 'false'],
    ['core.fsync', 'none'],
  ];
  if (workTree !== undefined) config.push(['safe.directory', workTree]);
  if (auth !== undefined) config.push([`http.${auth.origin}/.extraHeader`, `Authorization: ${auth.header}`]);
  env.GIT_CONFIG_COUNT = String(config.length);
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}
