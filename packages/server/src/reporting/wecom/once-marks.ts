import type { Redis } from 'ioredis';
import type { ReportingKeys } from '../reporting-keys.js';

const TTL_SECONDS = 7 * 24 * 3600;

/**
 * Notices that must be sent once although their transition can be recorded twice (a stage's
 * `running` is recorded again when its runner is known, or when a crashed attempt restarts).
 */
export class OnceMarks {
  readonly #redis: Redis;
  readonly #keys: ReportingKeys;

  constructor(redis: Redis, keys: ReportingKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  /** True the first time `what` is asked for (atomically, across replicas). */
  async first(what: string): Promise<boolean> {
    return (await this.#redis.set(this.#keys.once(what), '1', 'EX', TTL_SECONDS, 'NX')) === 'OK';
  }
}
