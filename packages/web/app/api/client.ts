import { token } from '../auth/token-store';
import { appPath } from '../base';

/** An error answer from the API, with its stable code (docs/errors.md) and message for people. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get unauthenticated(): boolean {
    return this.status === 401;
  }
}

export function authHeaders(explicit?: string | null): Record<string, string> {
  const t = explicit === undefined ? token() : explicit;
  return t === null ? {} : { authorization: `Bearer ${t}` };
}

async function toError(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    return new ApiError(res.status, body.error?.code ?? 'UNKNOWN', body.error?.message ?? res.statusText);
  } catch {
    const message =
      res.status === 502 || res.status === 503 || res.status === 504
        ? 'Ferry is not answering right now; try again in a moment.'
        : `${res.status} ${res.statusText}`;
    return new ApiError(res.status, 'HTTP', message);
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST';
  signal?: AbortSignal;
  /** Use this token instead of the stored one (sign-in checks a token before keeping it). */
  token?: string | null;
}

/** Calls `/api/v1<path>` and returns its JSON; error answers throw ApiError. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders(options.token) };
  if (method === 'POST') headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(appPath(`/api/v1${path}`), {
      method,
      headers,
      ...(method === 'POST' ? { body: '{}' } : {}),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', 'Ferry cannot be reached; check your connection.');
  }
  if (!res.ok) throw await toError(res);
  return (await res.json()) as T;
}

/** Downloads a file the API serves (sending the token, which a plain link could not). */
export async function download(path: string, filename: string): Promise<void> {
  const res = await fetch(appPath(`/api/v1${path}`), { headers: authHeaders() });
  if (!res.ok) throw await toError(res);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}
