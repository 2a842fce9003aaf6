import { setTimeout as delay } from 'node:timers/promises';

/** Time as reporting sees it (pacing, backoff, rate windows); tests pass a clock they move by hand. */
export interface Clock {
  now(): number;
  /** Resolves after `ms` on this clock, or as soon as `signal` aborts (never rejects). */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    delay(Math.max(0, ms), undefined, { signal }).then(
      () => undefined,
      () => undefined,
    ),
};
