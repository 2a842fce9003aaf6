/** A validated clone request: what `ferry-runner clone` fetches. */
export interface CloneTarget {
  /** The clone URL as given (http or https, no credentials). */
  url: URL;
  sha: string;
  ref?: string;
}

const SHA = /^([0-9a-f]{40}|[0-9a-f]{64})$/;

/** Checks the clone URL and sha; returns the target or the reason it is refused. */
export function parseCloneTarget(input: {
  url: string | undefined;
  sha: string | undefined;
  ref?: string | undefined;
}): CloneTarget | { problem: string } {
  const raw = input.url ?? '';
  if (raw === '') return { problem: 'no clone URL (set FERRY_CLONE_URL or pass --url)' };
  // git would read a leading dash as an option; whitespace and control characters have no place in a URL.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects
  if (raw.startsWith('-') || /[\s\u0000-\u001f\u007f]/.test(raw)) {
    return { problem: 'the clone URL looks like an option or holds spaces or control characters' };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: 'the clone URL is not a URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { problem: `the clone URL must be http or https, not ${url.protocol.replace(':', '')}` };
  }
  if (url.username !== '' || url.password !== '') {
    return {
      problem: 'the clone URL holds credentials; give the token in FERRY_CLONE_TOKEN instead',
    };
  }
  const sha = (input.sha ?? '').toLowerCase();
  if (!SHA.test(sha)) return { problem: 'the commit must be a full sha (40 or 64 hex digits)' };
  const target: CloneTarget = { url, sha };
  if (input.ref !== undefined && input.ref !== '') target.ref = input.ref;
  return target;
}
