import { CommonErrors, FerryError, ServerErrors } from '@ferry/shared';
import type { FastifyError, FastifyInstance } from 'fastify';

/**
 * Every error leaves as `{ error: { code, message, details? } }` with a stable code. 4xx are
 * logged at info, 5xx at error with the error object; internals never reach the client.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    const err = new FerryError(ServerErrors.NOT_FOUND, {
      method: request.method,
      url: request.url.split('?')[0],
    });
    void reply.code(404).send({ error: err.toJSON() });
  });

  app.setErrorHandler((error: FastifyError | FerryError | Error, request, reply) => {
    const ferry = toFerryError(error);
    if (ferry.status >= 500) request.log.error({ err: error }, ferry.message);
    else request.log.info({ code: ferry.code }, ferry.message);
    void reply.code(ferry.status).send({ error: ferry.toJSON() });
  });
}

export function toFerryError(error: unknown): FerryError {
  if (error instanceof FerryError) return error;
  const e = error as Partial<FastifyError>;
  if (isRedisUnavailable(error)) {
    // GitLab and API clients treat 503 as temporary and retry.
    return new FerryError(
      ServerErrors.REDIS_UNAVAILABLE,
      { reason: 'Redis does not answer' },
      { cause: error },
    );
  }
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new FerryError(ServerErrors.BODY_TOO_LARGE, {
      reason: 'the body is larger than the configured limit',
    });
  }
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new FerryError(ServerErrors.UNSUPPORTED_MEDIA_TYPE, { reason: 'send application/json' });
  }
  if (e.validation !== undefined || e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || e instanceof SyntaxError) {
    return new FerryError(ServerErrors.BAD_REQUEST, { reason: e.message ?? 'invalid body' });
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new FerryError(ServerErrors.BAD_REQUEST, { reason: e.message ?? 'bad request' });
  }
  return new FerryError(CommonErrors.INTERNAL, { reason: 'internal error' }, { cause: error });
}

const redisDown =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection is closed|Stream isn't writeable|max retries per request/i;

/** ioredis' ways of saying Redis is not there right now. */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return error.name === 'MaxRetriesPerRequestError' || redisDown.test(error.message);
}
