/** One HTTP request as a double received it, kept for assertions. */
export interface RecordedRequest {
  /** Monotonic sequence number, starting at 1 per double. */
  readonly seq: number;
  readonly method: string;
  /** Raw path as sent on the wire, percent-encoding intact (`/api/v4/projects/shop%2Forder`). */
  readonly path: string;
  /** Decoded query parameters (last value wins for repeated keys). */
  readonly query: Readonly<Record<string, string>>;
  /** Lower-cased header names, as Node's http module reports them. */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact body bytes, decoded as UTF-8. */
  readonly rawBody: string;
  /**
   * The body as the server understood it: a JSON value for JSON bodies, a string map for
   * `application/x-www-form-urlencoded`, `undefined` for an empty body or one that did not parse.
   */
  readonly body: unknown;
  /** What the double answered (status 0 when the request was left hanging by a timeout fault). */
  response?: { status: number; body: string };
  readonly receivedAt: Date;
}
