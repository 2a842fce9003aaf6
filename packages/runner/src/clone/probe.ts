import { CloneExit } from './clone-exit.js';

export interface ProbeOutcome {
  /** An exit code when the probe already knows the clone cannot work. */
  exit?: number;
  message: string;
}

/**
 * Asks the git server for the repository's refs the way git does (`info/refs?service=
 * git-upload-pack`), so a refused token or a missing repository gets a clear reason instead of
 * git's prompt-disabled message. A network error decides nothing: git then tries (it honours
 * proxies this probe does not) and reports its own error.
 */
export async function probeRepository(
  url: URL,
  authorization: string | undefined,
  signal: AbortSignal,
): Promise<ProbeOutcome> {
  const refs = new URL(url.href);
  refs.pathname = `${refs.pathname.replace(/\/+$/, '')}/info/refs`;
  refs.search = '?service=git-upload-pack';
  const headers: Record<string, string> = { 'user-agent': 'git/2 ferry-runner', 'git-protocol': 'version=2' };
  if (authorization !== undefined) headers.authorization = authorization;
  let response: Response;
  try {
    response = await fetch(refs, {
      headers,
      redirect: 'manual',
      signal: AbortSignal.any([signal, AbortSignal.timeout(30_000)]),
    });
  } catch (err) {
    return { message: `could not reach ${url.host} (${(err as Error).message}); trying git anyway` };
  }
  await response.body?.cancel();
  const status = response.status;
  if (status === 401 || status === 403) {
    return {
      exit: CloneExit.authRefused,
      message:
        authorization === undefined
          ? `the git server needs a clone token (HTTP ${status}) and none was given (FERRY_CLONE_TOKEN)`
          : `the git server refused the clone token (HTTP ${status}); check the token Ferry clones with`,
    };
  }
  if (status === 404) {
    return {
      exit: CloneExit.repositoryNotFound,
      message: `no repository at ${url.href} (HTTP 404), or the clone token cannot read it`,
    };
  }
  if (status >= 300 && status < 400) {
    return {
      exit: CloneExit.failed,
      message: `the git server redirects ${url.href} to ${response.headers.get('location') ?? '?'}; use that URL`,
    };
  }
  if (status >= 400) return { message: `the git server answered HTTP ${status}; trying git anyway` };
  return { message: `repository found (HTTP ${status})` };
}
