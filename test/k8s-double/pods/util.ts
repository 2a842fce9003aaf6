/** Resolves true after `ms`, or false as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Docker's time strings (`0001-01-01T00:00:00Z` when unset) → RFC 3339 seconds. */
export function dockerTime(text: string | undefined, fallback: Date = new Date()): string {
  const d = text && !text.startsWith('0001-') ? new Date(text) : fallback;
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
