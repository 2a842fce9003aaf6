import { CliErrors } from '@ferry/shared';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { CliFailure } from './cli-failure.js';
import type { CliContext } from './contexts.js';

export interface SseOptions {
  /** Resume after this event id (sent as Last-Event-ID). */
  lastEventId?: string;
  signal: AbortSignal;
  /** How long the server may stay away (reconnecting all along) before giving up. */
  giveUpAfterMs?: number;
}

/**
 * The REST API of one Ferry server as the CLI uses it: JSON requests whose error answers become
 * CliFailures with the API's code, and server-sent event streams that reconnect with
 * Last-Event-ID when the connection drops, so a follower misses nothing.
 */
export class FerryApi {
  constructor(readonly target: CliContext) {}

  #headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      ...(this.target.token === undefined ? {} : { authorization: `Bearer ${this.target.token}` }),
      ...extra,
    };
  }

  async #fetch(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(`${this.target.url}/api/v1${path}`, init);
    } catch (err) {
      if (init.signal?.aborted === true) throw err;
      throw CliFailure.of(CliErrors.CLI_UNREACHABLE, {
        url: this.target.url,
        reason: (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message,
      });
    }
  }

  async request<T>(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const res = await this.#fetch(path, {
      method,
      headers: this.#headers(method === 'POST' ? { 'content-type': 'application/json' } : {}),
      ...(method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}),
      signal: signal ?? AbortSignal.timeout(30_000),
    });
    if (!res.ok) throw await failureOf(res);
    return (await res.json()) as T;
  }

  /**
   * A GET that a dropped connection or a 502/503/504 (a proxy or a restarting server) does not end:
   * tried again a second apart until it answers, the signal aborts, or the server has stayed away
   * for `giveUpAfterMs` (then FERRY_ERR_CLI_UNREACHABLE). Only GETs: they are safe to repeat. Used
   * by the commands that follow a pipeline, which already ride out a dropped event stream.
   */
  async getPatiently<T>(path: string, signal: AbortSignal, giveUpAfterMs = 120_000): Promise<T> {
    const since = Date.now();
    for (;;) {
      try {
        return await this.request<T>(
          'GET',
          path,
          undefined,
          AbortSignal.any([signal, AbortSignal.timeout(30_000)]),
        );
      } catch (err) {
        if (signal.aborted || !passing(err) || Date.now() - since > giveUpAfterMs) throw err;
      }
      await sleep(1000, signal);
    }
  }

  /**
   * The events of an SSE endpoint, across reconnects: a dropped connection is opened again after
   * the server's retry hint with the last event id seen, until the signal aborts, the caller stops
   * iterating, or the server stays away longer than giveUpAfterMs (FERRY_ERR_CLI_UNREACHABLE).
   */
  async *events(path: string, options: SseOptions): AsyncGenerator<EventSourceMessage> {
    let last = options.lastEventId;
    let retryMs = 1000;
    let failingSince: number | undefined;
    const giveUp = options.giveUpAfterMs ?? 120_000;
    while (!options.signal.aborted) {
      const queue: EventSourceMessage[] = [];
      const parser = createParser({
        onEvent: (event) => queue.push(event),
        onRetry: (ms) => {
          retryMs = Math.min(ms, 5000);
        },
      });
      try {
        const res = await this.#fetch(path, {
          headers: this.#headers({
            accept: 'text/event-stream',
            ...(last === undefined ? {} : { 'last-event-id': last }),
          }),
          signal: options.signal,
        });
        if (!res.ok) throw await failureOf(res);
        if (res.body === null) throw new Error('no body');
        failingSince = undefined;
        const decoder = new TextDecoder();
        for await (const bytes of res.body) {
          parser.feed(decoder.decode(bytes as Uint8Array, { stream: true }));
          while (queue.length > 0) {
            const event = queue.shift() as EventSourceMessage;
            if (event.id !== undefined) last = event.id;
            yield event;
          }
        }
      } catch (err) {
        if (options.signal.aborted) return;
        // The API's refusals (404, 401…) are answers, not a dropped connection.
        if (err instanceof CliFailure && err.status < 500 && err.code !== CliErrors.CLI_UNREACHABLE.code)
          throw err;
        failingSince ??= Date.now();
        if (Date.now() - failingSince > giveUp) throw err;
      }
      await sleep(retryMs, options.signal);
    }
  }
}

/** A failure that is the server being away, not its answer. */
function passing(err: unknown): boolean {
  return (
    err instanceof CliFailure &&
    (err.code === CliErrors.CLI_UNREACHABLE.code ||
      err.status === 502 ||
      err.status === 503 ||
      err.status === 504)
  );
}

async function failureOf(res: Response): Promise<CliFailure> {
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  return new CliFailure(
    body.error?.code ?? `HTTP_${res.status}`,
    res.status,
    body.error?.message ?? `${res.status} ${res.statusText}`,
  );
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
