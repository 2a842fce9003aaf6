import type { Redis } from 'ioredis';

export interface AlertGateKeys {
  alertGate(key: string): string;
  alertSuppressed(key: string): string;
}

const passScript = `
if redis.call('SET', KEYS[1], '1', 'PX', ARGV[1], 'NX') then
  local held = redis.call('GET', KEYS[2])
  redis.call('DEL', KEYS[2])
  return tonumber(held or '0')
end
redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return -1
`;

/**
 * The rate limit of alerts, shared by every replica through Redis: an alert key passes once per
 * interval; the ones held back are counted and the next one that passes says how many.
 */
export class AlertGate {
  readonly #redis: Redis;
  readonly #keys: AlertGateKeys;
  readonly #intervalMs: number;

  constructor(redis: Redis, keys: AlertGateKeys, intervalMs: number) {
    this.#redis = redis;
    this.#keys = keys;
    this.#intervalMs = intervalMs;
  }

  /** Whether an alert with this key may go now, and how many were held back before it. */
  async pass(key: string): Promise<{ pass: true; suppressed: number } | { pass: false }> {
    const held = Number(
      await this.#redis.eval(
        passScript,
        2,
        this.#keys.alertGate(key),
        this.#keys.alertSuppressed(key),
        String(this.#intervalMs),
        String(this.#intervalMs * 4),
      ),
    );
    return held < 0 ? { pass: false } : { pass: true, suppressed: held };
  }
}
