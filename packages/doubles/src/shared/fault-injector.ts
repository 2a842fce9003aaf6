/**
 * Outage and failure injection shared by the doubles: a persistent outage (every request fails
 * until it is turned off) and one-shot failures for the next N requests.
 */

/** What a failing request gets instead of the real answer. */
export interface FaultSpec {
  /** HTTP status to answer with (default 503). Ignored when `timeout` or `reset` is set. */
  status?: number;
  /** Sets a `Retry-After` header (seconds). */
  retryAfter?: number;
  /** Response body; a sensible default is chosen per status. */
  body?: string;
  contentType?: string;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** Never answer: the client must time out. Hanging sockets are destroyed on `close()`. */
  timeout?: boolean;
  /** Drop the connection without an answer (ECONNRESET on the client). */
  reset?: boolean;
}

export type OutageSetting = boolean | FaultSpec;

export class FaultInjector {
  #persistent: FaultSpec | undefined;
  readonly #oneShot: FaultSpec[] = [];

  /** `true` → 503 for everything, `false` → back to normal, an object → that fault for everything. */
  setOutage(setting: OutageSetting): void {
    if (setting === false) this.#persistent = undefined;
    else if (setting === true) this.#persistent = { status: 503 };
    else this.#persistent = { ...setting };
  }

  /** The next `count` requests fail with `spec` (after them, normal service or the outage resumes). */
  failNext(count: number, spec: FaultSpec = { status: 503 }): void {
    for (let i = 0; i < count; i += 1) this.#oneShot.push({ ...spec });
  }

  /** Clears every pending fault. */
  clear(): void {
    this.#persistent = undefined;
    this.#oneShot.length = 0;
  }

  /** The fault for the request being handled now, if any (consumes one-shot faults). */
  take(): FaultSpec | undefined {
    return this.#oneShot.shift() ?? this.#persistent;
  }
}
