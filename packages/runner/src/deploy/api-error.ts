/** What the API server said when a call failed: the HTTP code and the Status message. */
export interface ApiFailure {
  /** 0 when no HTTP answer came (connection refused, TLS, aborted). */
  readonly code: number;
  readonly reason: string;
  readonly message: string;
}

/** A client-node error (ApiException with a Status body, or a transport error) as an ApiFailure. Pure. */
export function apiFailure(err: unknown): ApiFailure {
  const e = err as { code?: unknown; body?: unknown; message?: string };
  const code = typeof e.code === 'number' ? e.code : 0;
  let body: { reason?: string; message?: string } | undefined;
  if (typeof e.body === 'string') {
    try {
      body = JSON.parse(e.body) as { reason?: string; message?: string };
    } catch {
      body = { message: e.body };
    }
  } else if (typeof e.body === 'object' && e.body !== null) {
    body = e.body as { reason?: string; message?: string };
  }
  const message = body?.message ?? e.message ?? String(err);
  return { code, reason: body?.reason ?? '', message: code === 0 ? message : `${code} ${message}` };
}

export function isNotFound(err: unknown): boolean {
  return apiFailure(err).code === 404;
}
