import type { FastifyReply, FastifyRequest } from 'fastify';

/** An open server-sent-events response. */
export interface SseStream {
  /** One event; `data` is JSON-encoded (so it is one line), `id` becomes the client's Last-Event-ID. */
  send(event: string, data: unknown, id?: string): void;
  /** A whole frame as `frame` built it (one encoding shared by many streams). */
  sendFrame(frame: Buffer): void;
  /** Aborted when the client goes or the server closes the stream. */
  readonly signal: AbortSignal;
  end(): void;
}

/**
 * Takes over a reply for server-sent events: the headers proxies need to pass events through
 * unbuffered, a retry hint, and a comment every 15 s so idle connections are not cut.
 */
export function openSse(request: FastifyRequest, reply: FastifyReply, retryMs = 2000): SseStream {
  const stop = new AbortController();
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': request.id,
  });
  res.write(`retry: ${retryMs}\n\n`);
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  const end = () => {
    if (stop.signal.aborted) return;
    clearInterval(heartbeat);
    stop.abort();
    res.end();
  };
  request.raw.on('close', end);
  return {
    signal: stop.signal,
    send(event, data, id) {
      if (stop.signal.aborted) return;
      res.write(frame(event, data, id));
    },
    sendFrame(bytes) {
      if (stop.signal.aborted) return;
      res.write(bytes);
    },
    end,
  };
}

/** One event as sent: `data` JSON-encoded (so it is one line), `id` the client's Last-Event-ID. */
export function frame(event: string, data: unknown, id?: string): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Last-Event-ID, when it has the expected shape. */
export function lastEventId(request: FastifyRequest, pattern: RegExp): string | undefined {
  const given = request.headers['last-event-id'];
  return typeof given === 'string' && pattern.test(given) ? given : undefined;
}
