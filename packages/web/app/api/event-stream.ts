import { createParser } from 'eventsource-parser';
import { appPath } from '../base';
import { ApiError, authHeaders } from './client';

export interface StreamHandlers {
  /** One event; return `'close'` to end the stream (e.g. on a log's `end`). */
  onEvent(name: string, data: string): undefined | 'close';
  /** Connected (again): a reconnect may have missed events, so reload what you show. */
  onOpen?(): void;
  /** Connection lost; it is retried. */
  onDisconnect?(): void;
  /** An answer that retrying will not fix (401, 403, 404): the stream ends. */
  onFatal?(error: ApiError): void;
}

/**
 * Server-sent events over fetch (EventSource cannot send the Authorization header). Reconnects
 * with backoff and sends Last-Event-ID, so the server resumes where the stream broke.
 */
export function openEventStream(path: string, handlers: StreamHandlers, signal: AbortSignal): void {
  let lastId: string | undefined;
  let retryMs = 2000;
  let failures = 0;

  const connectOnce = async (): Promise<'closed' | 'dropped'> => {
    const headers: Record<string, string> = { accept: 'text/event-stream', ...authHeaders() };
    if (lastId !== undefined) headers['last-event-id'] = lastId;
    const res = await fetch(appPath(`/api/v1${path}`), { headers, signal, cache: 'no-store' });
    if (!res.ok || res.body === null) {
      const error = new ApiError(res.status, 'HTTP', `${res.status} ${res.statusText}`);
      if ([400, 401, 403, 404].includes(res.status)) {
        handlers.onFatal?.(error);
        return 'closed';
      }
      throw error;
    }
    failures = 0;
    handlers.onOpen?.();
    let closed = false;
    const parser = createParser({
      onEvent(message) {
        if (closed) return;
        if (message.id !== undefined) lastId = message.id;
        if (handlers.onEvent(message.event ?? 'message', message.data) === 'close') closed = true;
      },
      onRetry(ms) {
        retryMs = ms;
      },
    });
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    try {
      while (!closed) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } finally {
      if (closed) await reader.cancel().catch(() => undefined);
    }
    return closed ? 'closed' : 'dropped';
  };

  void (async () => {
    while (!signal.aborted) {
      try {
        if ((await connectOnce()) === 'closed') return;
      } catch {
        if (signal.aborted) return;
        failures += 1;
      }
      if (signal.aborted) return;
      handlers.onDisconnect?.();
      const wait = Math.min(retryMs * 2 ** Math.min(failures, 4), 30_000);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  })();
}
