import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../app/server-context.js';
import { cursorAfter, eventCursorPattern, type PipelineEvent, PipelineEventFeed } from './event-feed.js';
import { closed, errorResponses, pipelineIdPattern } from './schemas.js';
import { lastEventId, openSse, type SseStream } from './sse.js';

interface EventsQuery {
  pipeline?: string;
}

/** How many missed events a resuming client is sent; beyond that it should reload what it shows. */
const replayLimit = 1000;

/**
 * `GET /events`: pipeline, stage and canary-step transitions as server-sent events (`transition`), live, so
 * the dashboard updates without polling. `ready` is sent once the subscription is live: a client
 * (re)loads what it shows then, and misses nothing in between. Resumable with Last-Event-ID.
 */
export function eventsRoute(app: FastifyInstance, ctx: ServerContext): void {
  const feed = new PipelineEventFeed(ctx.redis, `${ctx.config.redis.keyPrefix}:events`, ctx.logger);
  const open = new Set<SseStream>();
  // Event streams never end on their own: end them so the server can close.
  app.addHook('preClose', async () => {
    for (const stream of open) stream.end();
    feed.close();
  });

  app.get<{ Querystring: EventsQuery }>(
    '/events',
    {
      config: { role: 'viewer' },
      schema: {
        operationId: 'streamEvents',
        summary: 'Pipeline and stage transitions, live (server-sent events)',
        description:
          'Events: `ready` once live, then `transition` with `{ kind: "pipeline"|"stage"|"canary", id, status, stage?, step?, of?, percent?, at }` ' +
          '(a canary step: its number of `of`, its traffic `percent`, status running|promoted|aborted) ' +
          'and the stream position as the event id (send it back as Last-Event-ID to resume). ' +
          '`pipeline` limits the stream to one pipeline.',
        tags: ['pipelines'],
        querystring: closed({
          pipeline: { type: 'string', pattern: pipelineIdPattern, description: 'Only this pipeline.' },
        }),
        response: {
          200: {
            description: 'A text/event-stream (the data of one `transition` event shown).',
            type: 'object',
            properties: {
              kind: { type: 'string', enum: ['pipeline', 'stage', 'canary'] },
              id: { type: 'string' },
              status: { type: 'string' },
              stage: { type: 'string' },
              step: { type: 'integer', minimum: 1 },
              of: { type: 'integer', minimum: 1 },
              percent: { type: 'integer', minimum: 1, maximum: 100 },
              at: { type: 'string', format: 'date-time' },
            },
          },
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const only = request.query.pipeline;
      const resume = lastEventId(request, eventCursorPattern);
      const stream = openSse(request, reply);
      open.add(stream);
      let last = resume;
      const deliver = (event: PipelineEvent) => {
        if (only !== undefined && event.id !== only) return;
        if (last !== undefined && !cursorAfter(event.cursor, last)) return;
        last = event.cursor;
        const { cursor, ...data } = event;
        stream.send('transition', data, cursor);
      };
      // Live events wait while missed ones are replayed, so the order holds and none is lost.
      let held: PipelineEvent[] | undefined = [];
      const unsubscribe = feed.subscribe((event) => (held === undefined ? deliver(event) : held.push(event)));
      stream.signal.addEventListener(
        'abort',
        () => {
          unsubscribe();
          open.delete(stream);
        },
        { once: true },
      );
      await feed.live();
      if (resume !== undefined) {
        try {
          for (const event of await feed.since(resume, replayLimit)) deliver(event);
        } catch (err) {
          request.log.warn({ err: (err as Error).message }, 'events: replay after Last-Event-ID failed');
        }
      }
      const waiting = held;
      held = undefined;
      for (const event of waiting) deliver(event);
      stream.send('ready', {});
    },
  );
}
