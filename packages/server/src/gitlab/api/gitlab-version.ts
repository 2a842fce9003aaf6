/** Reads the version string of a GitLab (`GET /version` → `{ "version": "17.8.1-ee", … }`). */
export type VersionReader = (signal: AbortSignal) => Promise<string>;

/**
 * GitLab's version, read once (`GET /api/v4/version`) and kept. A failed read is not kept: the next
 * caller reads again, and meanwhile the answer is the one every GitLab accepts.
 */
export class GitLabVersion {
  readonly #read: VersionReader;
  #version: string | undefined;

  constructor(read: VersionReader) {
    this.#read = read;
  }

  /** The version, or undefined when GitLab could not be asked. */
  async get(signal: AbortSignal): Promise<string | undefined> {
    if (this.#version !== undefined) return this.#version;
    try {
      this.#version = await this.#read(signal);
    } catch {
      return undefined;
    }
    return this.#version;
  }

  /** Whether commit statuses may be `skipped` (GitLab 17.6+); false while the version is unknown. */
  async acceptsSkipped(signal: AbortSignal): Promise<boolean> {
    const version = await this.get(signal);
    return version !== undefined && skippedAccepted(version);
  }
}

/**
 * The commit status API takes `state: skipped` from GitLab 17.6 (gitlab-org/gitlab MR 168350 for
 * issue 23636); before, `skipped` is not among the declared values and Grape answers 400.
 */
export function skippedAccepted(version: string): boolean {
  const match = /^(\d+)\.(\d+)/.exec(version.trim());
  if (match === null) return false;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major > 17 || (major === 17 && minor >= 6);
}

/** `GET <url>/api/v4/version` with the token, bounded by `timeoutMs`. */
export function versionReader(url: string, token: () => string, timeoutMs: number): VersionReader {
  return async (signal) => {
    const res = await fetch(`${url.replace(/\/+$/, '')}/api/v4/version`, {
      headers: { 'PRIVATE-TOKEN': token() },
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    });
    if (!res.ok) throw new Error(`GET /version answered ${res.status}`);
    const body = (await res.json()) as { version?: unknown };
    if (typeof body.version !== 'string') throw new Error('GET /version gave no version');
    return body.version;
  };
}
