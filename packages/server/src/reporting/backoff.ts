export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/**
 * The wait before retry number `attempt` (1 for the first retry): doubling from `initialMs` up to
 * `maxMs`, with up to 20% jitter off so retries of many channels spread out, never below `floorMs`
 * (a server's Retry-After).
 */
export function backoffMs(
  policy: BackoffPolicy,
  attempt: number,
  floorMs = 0,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const base = Math.min(policy.maxMs, policy.initialMs * 2 ** exponent);
  const jittered = Math.round(base * (1 - 0.2 * random()));
  return Math.max(jittered, Math.min(floorMs, policy.maxMs * 4));
}
