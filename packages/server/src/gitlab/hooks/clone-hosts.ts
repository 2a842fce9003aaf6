/**
 * Which hosts Ferry clones from. A webhook names the clone URL (`project.git_http_url`), and the
 * clone sends Ferry's GitLab token: so only the configured GitLab (scheme, host and port of
 * `gitlab.url`) and the operator's `gitlab.cloneHosts` are accepted. Pure.
 */
export interface CloneHostPolicy {
  /** Allowed origins (`https://gitlab.example.com`, `http://127.0.0.1:8929`); empty: see `open`. */
  origins: ReadonlySet<string>;
  /**
   * With no GitLab and no allowlist configured and no token to send, any host is accepted (a bare
   * local setup); a configured token with nowhere to send it refuses every host.
   */
  open: boolean;
}

export function cloneHostPolicy(gitlab: {
  url?: string | undefined;
  cloneHosts: readonly string[];
  token?: unknown;
}): CloneHostPolicy {
  const origins = new Set<string>();
  for (const url of [...(gitlab.url === undefined ? [] : [gitlab.url]), ...gitlab.cloneHosts]) {
    const origin = originOf(url);
    if (origin !== undefined) origins.add(origin);
  }
  return { origins, open: origins.size === 0 && gitlab.token === undefined };
}

/** `undefined` when the URL may be cloned; otherwise the origin (or `(invalid URL)`) refused. */
export function refusedCloneOrigin(url: string, policy: CloneHostPolicy): string | undefined {
  const origin = originOf(url);
  if (origin === undefined) return '(invalid URL)';
  if (policy.open || policy.origins.has(origin)) return undefined;
  return origin;
}

/** `scheme://host:port` normalised by WHATWG URL (lower-case host, default port dropped); http(s) only. */
export function originOf(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  return parsed.origin;
}
