import { Readable } from 'node:stream';
import {
  ApiErrors,
  DNS1123_LABEL_PATTERN,
  FerryError,
  PipelineErrors,
  type PipelineRecord,
  stageNames,
  TEST_JOB_NAME_MAX,
} from '@ferry/shared';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../../app/server-context.js';
import { liveKeys } from '../../history/redis/redis-live-keys.js';
import { FollowerCaps } from '../../logs/follow/follower-caps.js';
import { LogFollowers } from '../../logs/follow/log-followers.js';
import { stageSettled } from '../../logs/follow/stage-settled.js';
import type { LogChunk } from '../../logs/log-store.js';
import { closed, errorResponses, pipelineIdPattern } from './schemas.js';
import { frame, lastEventId, openSse } from './sse.js';

interface StageLogParams {
  id: string;
  stage: (typeof stageNames)[number];
}

interface StageLogQuery {
  format?: 'sse' | 'json' | 'text';
  /** A named job of the test stage: its own log. */
  job?: string;
  cursor?: string;
}

const cursorPattern = '^(-|\\d{1,16}-\\d{1,8})$';
const cursorRegExp = new RegExp(cursorPattern);

/**
 * `GET /pipelines/:id/stages/:stage/log`: the stage's log. Server-sent events (live, several
 * followers at once, resumable with Last-Event-ID), one JSON page, or the whole text to download
 * with a marker where the middle was dropped. The log outlives the runner. Every live follower of
 * this process is served by one Redis reader (logs/follow/), within `limits.logFollowers`.
 */
export function stageLogRoute(app: FastifyInstance, ctx: ServerContext): void {
  const live: Live = {
    followers: new LogFollowers({
      redis: ctx.redis,
      logger: ctx.logger,
      logs: ctx.logs,
      keys: liveKeys(ctx.config.redis.keyPrefix),
      settled: async (id, stage) => stageSettled(await ctx.store.get(id), stage),
    }),
    caps: new FollowerCaps(ctx.config.limits.logFollowers),
    retryAfterSeconds: Math.ceil(ctx.config.limits.logFollowers.retryAfter / 1000),
    frames: new WeakMap(),
  };
  // Followers of a log that is still written never end on their own: end them so the server can close.
  app.addHook('preClose', async () => live.followers.close());
  app.get<{ Params: StageLogParams; Querystring: StageLogQuery }>(
    '/pipelines/:id/stages/:stage/log',
    {
      config: { role: 'viewer' },
      schema: {
        operationId: 'getStageLog',
        summary: "A stage's log: live (SSE), a JSON page, or the raw text",
        description:
          'format=sse (default when Accept is text/event-stream) streams `lines` events and one `end`; ' +
          'format=json returns one page from `cursor`; format=text downloads the whole log. ' +
          "job=<name> (test stage with named jobs): that job's own log.",
        tags: ['logs'],
        params: {
          ...closed({
            id: { type: 'string', pattern: pipelineIdPattern },
            stage: { type: 'string', enum: [...stageNames] },
          }),
          required: ['id', 'stage'],
        },
        querystring: closed({
          format: { type: 'string', enum: ['sse', 'json', 'text'] },
          cursor: { type: 'string', pattern: cursorPattern },
          job: { type: 'string', pattern: DNS1123_LABEL_PATTERN, maxLength: TEST_JOB_NAME_MAX },
        }),
        response: {
          200: {
            description: 'The log (JSON page shown; SSE and text are streams)',
            type: 'object',
            properties: {
              lines: { type: 'array', items: { type: 'object' } },
              cursor: { type: 'string' },
              done: { type: 'boolean' },
              droppedBytes: { type: 'integer' },
              droppedAfter: { type: 'integer' },
            },
          },
          ...errorResponses(400, 401, 403, 404, 429),
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const job = request.query.job;
      const record = await ctx.store.get(id);
      if (record === undefined) throw new FerryError(PipelineErrors.PIPELINE_NOT_FOUND, { id });
      // A named job's log is its own key; other stages have no jobs, so their key never matches one.
      const stage = job === undefined ? request.params.stage : `${request.params.stage}:${job}`;
      const format =
        request.query.format ??
        (String(request.headers.accept).includes('text/event-stream') ? 'sse' : 'json');
      if (format === 'json') return ctx.logs.read(id, stage, request.query.cursor);
      if (format === 'text') return sendText(ctx, id, stage, reply);
      return streamEvents(live, request, reply, { id, stage, record });
    },
  );
}

function droppedMarker(chunk: LogChunk): string {
  const mb = (chunk.droppedBytes / 1_048_576).toFixed(1);
  return `--- ferry: ${mb} MB dropped from the middle of this log (the head and the tail are kept) ---`;
}

/**
 * The whole log as text, streamed a page at a time (live from Redis or archived and compressed),
 * never held whole in memory; the marker sits where the middle was dropped.
 */
async function* logText(ctx: ServerContext, id: string, stage: string): AsyncGenerator<string> {
  let cursor: string | undefined;
  let markerShown = false;
  for (;;) {
    const chunk = await ctx.logs.read(id, stage, cursor);
    const parts: string[] = [];
    for (const line of chunk.lines) {
      parts.push(`${line.x}\n`);
      if (!markerShown && chunk.droppedAfter !== undefined && line.n === chunk.droppedAfter) {
        parts.push(`${droppedMarker(chunk)}\n`);
        markerShown = true;
      }
    }
    if (parts.length > 0) yield parts.join('');
    if (chunk.lines.length === 0 || chunk.done) return;
    cursor = chunk.cursor;
  }
}

async function sendText(
  ctx: ServerContext,
  id: string,
  stage: string,
  reply: FastifyReply,
): Promise<FastifyReply> {
  return reply
    .type('text/plain; charset=utf-8')
    .header('content-disposition', `attachment; filename="${id}-${stage}.log"`)
    .send(Readable.from(logText(ctx, id, stage)));
}

interface Live {
  followers: LogFollowers;
  caps: FollowerCaps;
  retryAfterSeconds: number;
  /** A chunk's `lines` frame, encoded once for every follower the chunk goes to. */
  frames: WeakMap<LogChunk, Buffer>;
}

function linesFrame(live: Live, chunk: LogChunk): Buffer {
  let bytes = live.frames.get(chunk);
  if (bytes === undefined) {
    const data = { lines: chunk.lines, droppedBytes: chunk.droppedBytes, droppedAfter: chunk.droppedAfter };
    bytes = Buffer.from(frame('lines', data, chunk.cursor));
    live.frames.set(chunk, bytes);
  }
  return bytes;
}

/** Whose followers count together: a token or proxy user by name, an anonymous client by address. */
function callerKey(request: FastifyRequest): string {
  const caller = request.caller;
  return caller === null ? `anonymous:${request.ip}` : `${caller.via}:${caller.name}`;
}

async function streamEvents(
  live: Live,
  request: FastifyRequest<{ Querystring: StageLogQuery }>,
  reply: FastifyReply,
  log: { id: string; stage: string; record: PipelineRecord },
): Promise<void> {
  const place = live.caps.acquire(callerKey(request));
  if (!('release' in place)) {
    void reply.header('retry-after', String(live.retryAfterSeconds));
    throw new FerryError(ApiErrors.API_LOG_FOLLOWERS_LIMIT, {
      scope: place.scope === 'caller' ? 'per-caller' : 'server',
      limit: place.limit,
      retryAfter: live.retryAfterSeconds,
    });
  }
  const resume = lastEventId(request, cursorRegExp);
  const stream = openSse(request, reply);
  try {
    const from = resume ?? request.query.cursor;
    const settled = stageSettled(log.record, log.stage);
    for await (const chunk of live.followers.follow(log.id, log.stage, stream.signal, from, settled)) {
      if (chunk.lines.length > 0) stream.sendFrame(linesFrame(live, chunk));
      if (chunk.done) {
        stream.send('end', { droppedBytes: chunk.droppedBytes });
        break;
      }
    }
  } catch (err) {
    if (!stream.signal.aborted) request.log.warn({ err }, 'log stream failed');
  } finally {
    place.release();
    stream.end();
  }
}
