/** Injected API failures: the next matching requests get an error Status instead of an answer. */
import { ApiError, type StatusReason } from '../api/status.js';

export interface RequestFault {
  /** HTTP method to match (any when unset). */
  method?: string;
  /** Substring of, or pattern for, the request path (any when unset). */
  path?: string | RegExp;
  code: number;
  reason?: StatusReason;
  message?: string;
  /** How many requests fail (default 1). */
  times?: number;
}

const reasonFor = (code: number): StatusReason =>
  code === 404
    ? 'NotFound'
    : code === 409
      ? 'Conflict'
      : code === 429
        ? 'TooManyRequests'
        : code === 503
          ? 'ServiceUnavailable'
          : code === 504
            ? 'Timeout'
            : 'InternalError';

export class FaultList {
  private faults: (RequestFault & { left: number })[] = [];

  add(fault: RequestFault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  clear(): void {
    this.faults = [];
  }

  /** The error to answer with, consuming one use of the matching fault. */
  take(method: string, path: string): ApiError | undefined {
    const f = this.faults.find(
      (x) =>
        x.left > 0 &&
        (!x.method || x.method.toUpperCase() === method) &&
        (!x.path || (typeof x.path === 'string' ? path.includes(x.path) : x.path.test(path))),
    );
    if (!f) return undefined;
    f.left--;
    this.faults = this.faults.filter((x) => x.left > 0);
    return new ApiError(
      f.code,
      f.reason ?? reasonFor(f.code),
      f.message ?? `injected failure (${f.code})`,
      f.code === 429 ? { retryAfterSeconds: 1 } : undefined,
    );
  }
}
