/** Small AbortSignal helpers of the executor's I/O (`abortable` is in src/abort). */

export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('The operation was aborted', 'AbortError');
}

/** Resolves after `ms`, or rejects when `signal` aborts first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryOptions {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Calls `fn` until it succeeds, `retry(err)` says no, attempts run out, or `signal` aborts. */
export async function retrying<T>(
  fn: () => Promise<T>,
  retry: (err: unknown) => boolean,
  signal: AbortSignal,
  options: RetryOptions = { attempts: 4, baseDelayMs: 200, maxDelayMs: 2000 },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) throw abortError(signal);
    try {
      return await fn();
    } catch (err) {
      if (attempt >= options.attempts || !retry(err) || signal.aborted) throw err;
      await sleep(Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1)), signal);
    }
  }
}
