/**
 * A per-key sliding window: at most `limit` accepted messages in any `windowMs`. WeCom documents
 * 20 messages per minute per bot; how its own window slides is not documented.
 */
export class SlidingWindowLimiter {
  #limit: number;
  readonly #windowMs: number;
  readonly #sent = new Map<string, number[]>();

  constructor(limit: number, windowMs = 60_000) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  setLimit(limit: number): void {
    this.#limit = limit;
  }

  /** Whether one more message for `key` fits at `nowMs` (does not record it). */
  allows(key: string, nowMs: number): boolean {
    return this.#recent(key, nowMs).length < this.#limit;
  }

  record(key: string, nowMs: number): void {
    this.#sent.set(key, [...this.#recent(key, nowMs), nowMs]);
  }

  /** Milliseconds until one more message for `key` fits (0 when it fits now). */
  waitMs(key: string, nowMs: number): number {
    const recent = this.#recent(key, nowMs);
    if (recent.length < this.#limit) return 0;
    const oldestThatMustExpire = recent[recent.length - this.#limit] as number;
    return oldestThatMustExpire + this.#windowMs - nowMs;
  }

  #recent(key: string, nowMs: number): number[] {
    return (this.#sent.get(key) ?? []).filter((t) => t > nowMs - this.#windowMs);
  }
}

/** A clock tests move by hand, so the per-minute limit needs no real waiting. */
export class ManualClock {
  #now: number;

  constructor(startMs = Date.UTC(2025, 2, 14, 2, 21, 8)) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  advance(ms: number): void {
    this.#now += ms;
  }
}
