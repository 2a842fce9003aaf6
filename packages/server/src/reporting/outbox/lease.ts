import type { Redis } from 'ioredis';

const renewScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;
const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * A lease in Redis held by one owner at a time, so that of several Ferry replicas exactly one sends
 * reports. It expires `ttlMs` after the last renewal, so a dead holder is replaced.
 */
export class Lease {
  readonly #redis: Redis;
  readonly #key: string;
  readonly owner: string;
  readonly ttlMs: number;

  constructor(redis: Redis, key: string, owner: string, ttlMs: number) {
    this.#redis = redis;
    this.#key = key;
    this.owner = owner;
    this.ttlMs = ttlMs;
  }

  /** Takes the lease if nobody holds it (or extends it if this owner does). */
  async acquire(): Promise<boolean> {
    const set = await this.#redis.set(this.#key, this.owner, 'PX', this.ttlMs, 'NX');
    return set === 'OK' || (await this.renew());
  }

  /** Extends the lease; false when another owner holds it now. */
  async renew(): Promise<boolean> {
    return (await this.#redis.eval(renewScript, 1, this.#key, this.owner, String(this.ttlMs))) === 1;
  }

  /** Gives the lease up (if this owner holds it), so another replica takes over at once. */
  async release(): Promise<void> {
    await this.#redis.eval(releaseScript, 1, this.#key, this.owner);
  }
}
