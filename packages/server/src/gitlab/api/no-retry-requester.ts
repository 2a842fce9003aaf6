import {
  createRequesterFn,
  type FormattedResponse,
  GitbeakerRequestError,
  GitbeakerTimeoutError,
  getMatchingRateLimiter,
  type RateLimiters,
  type ResponseBodyTypes,
} from '@gitbeaker/requester-utils';

/**
 * @gitbeaker/rest's requester with one difference: no answer is retried here. gitbeaker's own
 * handler (43.x `defaultRequestHandler`) retries 429 and 502 ten times within about a quarter of a
 * second and ignores `Retry-After`: a GitLab that rate-limits Ferry was asked ten more times at once,
 * and Ferry never saw how long GitLab asked it to wait. GitLab answers a throttled request with 429
 * and `Retry-After`, "the remaining duration in seconds until the quota is reset"
 * (doc/administration/settings/user_and_ip_rate_limits.md, "Response headers", GitLab 13.8–17.x).
 * Here every answer that is not 2xx is thrown as gitbeaker throws it (GitbeakerRequestError with
 * the request and response in `cause`), so classifyGitLabError reads its status and `Retry-After`,
 * and the caller's own retry waits at least that long (backoffMs with it as the floor: the report
 * outbox, the merge lookup). Requests, bodies and errors are otherwise made and read as gitbeaker
 * does.
 */
export const noRetryRequesterFn = createRequesterFn(async (_, options) => options, requestOnce);

type HandlerOptions = RequestInit & {
  rateLimiters?: RateLimiters;
  /** An undici dispatcher (gitbeaker's `agent` option; Ferry sets none). */
  agent?: unknown;
  asStream?: boolean;
  prefixUrl?: string;
  searchParams?: string;
  method?: string;
};

async function requestOnce(endpoint: string, raw?: Record<string, unknown>): Promise<FormattedResponse> {
  const { rateLimiters, agent, asStream, prefixUrl, searchParams, method, ...init } = (raw ??
    {}) as HandlerOptions;
  const base = prefixUrl === undefined || prefixUrl.endsWith('/') ? prefixUrl : `${prefixUrl}/`;
  const url = new URL(endpoint, base);
  url.search = searchParams ?? '';
  await getMatchingRateLimiter(endpoint, rateLimiters, method)();
  const request = new Request(url, { ...init, ...(method === undefined ? {} : { method }) });
  const dispatch = agent === undefined ? undefined : ({ dispatcher: agent } as RequestInit);
  const response = await fetch(request, dispatch).catch((err: unknown) => {
    const name = (err as Error | undefined)?.name;
    if (name === 'TimeoutError' || name === 'AbortError')
      throw new GitbeakerTimeoutError('Query timeout was reached');
    throw err;
  });
  if (!response.ok) {
    const description = await describe(response);
    throw new GitbeakerRequestError(description, { cause: { description, request, response } });
  }
  const headers = Object.fromEntries(response.headers.entries());
  const status = response.status;
  if (asStream === true) return { body: response.body as ResponseBodyTypes, headers, status };
  return { body: status === 204 ? null : await bodyOf(response), headers, status };
}

/** The body as gitbeaker reads it: JSON, text, or a Blob. */
async function bodyOf(response: Response): Promise<ResponseBodyTypes> {
  const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  if (type === 'application/json') return ((await response.json()) as ResponseBodyTypes) || {};
  if (type.startsWith('text/')) return (await response.text()) || '';
  return response.blob();
}

/** GitLab's message: `error` or `message` of a JSON body, else the text. */
async function describe(response: Response): Promise<string> {
  const text = await response.text();
  if (!(response.headers.get('content-type') ?? '').includes('application/json')) return text;
  try {
    const said = (JSON.parse(text) as { error?: unknown; message?: unknown } | null) ?? {};
    const what = said.error || said.message || '';
    return typeof what === 'string' ? what : JSON.stringify(what);
  } catch {
    return text;
  }
}
