import { ExecutorErrors, FerryError, KubernetesErrors } from '@ferry/shared';

/** What the apiserver answered (its Status body), as far as an error from the client shows it. */
export interface ApiStatus {
  code: number;
  reason?: string;
  message: string;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);

function parseBody(body: unknown): Record<string, unknown> | undefined {
  if (typeof body === 'object' && body !== null) return body as Record<string, unknown>;
  if (typeof body !== 'string' || body === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The HTTP status, reason and message of a failed API call (ApiException from the generated
 * client, `statusCode` errors from Watch), or undefined for errors that never reached the
 * apiserver. Pure.
 */
export function apiStatus(err: unknown): ApiStatus | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; statusCode?: unknown; body?: unknown; message?: unknown };
  const code =
    typeof e.code === 'number' ? e.code : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (code === undefined) return undefined;
  const body = parseBody(e.body);
  const message =
    typeof body?.message === 'string'
      ? body.message
      : typeof e.message === 'string'
        ? (e.message.split('\n')[0] ?? '')
        : '';
  return typeof body?.reason === 'string' ? { code, reason: body.reason, message } : { code, message };
}

export const isNotFound = (err: unknown): boolean => apiStatus(err)?.code === 404;
export const isAlreadyExists = (err: unknown): boolean => apiStatus(err)?.code === 409;

/** Worth another try: throttling, apiserver trouble, or a connection that failed. Pure. */
export function isTransient(err: unknown): boolean {
  const status = apiStatus(err);
  if (status !== undefined) return status.code === 429 || status.code >= 500;
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; name?: unknown; type?: unknown };
  if (e.name === 'AbortError') return false;
  return (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) || e.type === 'system';
}

/** Short text for people from any failure. Pure. */
export function describeFailure(err: unknown): string {
  const status = apiStatus(err);
  if (status !== undefined)
    return `${status.code}${status.reason ? ` ${status.reason}` : ''}: ${status.message}`;
  return err instanceof Error ? err.message : String(err);
}

export interface FailureContext {
  /** What Ferry tried, for the message: "create pod ferry-…". */
  action: string;
  namespace: string;
  /** For an invalid job (422). */
  job?: { stage: string; pipelineId: string };
}

/** A failed API call as the FerryError that tells the user what to do. Pure. */
export function kubernetesError(err: unknown, ctx: FailureContext): FerryError {
  if (err instanceof FerryError) return err;
  const status = apiStatus(err);
  const reason = describeFailure(err);
  const options = { cause: err };
  if (status?.code === 403 && /exceeded quota|failed quota/.test(status.message))
    return new FerryError(
      KubernetesErrors.KUBERNETES_QUOTA,
      { namespace: ctx.namespace, reason: status.message },
      options,
    );
  if (status?.code === 403 || status?.code === 401)
    return new FerryError(
      KubernetesErrors.KUBERNETES_FORBIDDEN,
      { action: ctx.action, namespace: ctx.namespace, reason },
      options,
    );
  if (status?.code === 422 && ctx.job !== undefined)
    return new FerryError(
      ExecutorErrors.EXECUTOR_INVALID_JOB,
      { kind: 'kubernetes', stage: ctx.job.stage, pipelineId: ctx.job.pipelineId, reason: status.message },
      options,
    );
  return new FerryError(KubernetesErrors.KUBERNETES_API, { action: ctx.action, reason }, options);
}
