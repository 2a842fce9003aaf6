import type { Redis } from 'ioredis';
import type { ReportingKeys } from '../../reporting/reporting-keys.js';
import type { GitLabState } from './commit-status.js';

/** How long the last posted states of a commit are kept. */
const TTL_SECONDS = 30 * 24 * 3600;

/**
 * The last state Ferry posted (or GitLab refused for good) per commit, ref and status name, so no
 * state is sent twice: GitLab refuses a repeated non-terminal one.
 */
export class LastPostedStates {
  readonly #redis: Redis;
  readonly #keys: ReportingKeys;

  constructor(redis: Redis, keys: ReportingKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  async get(projectId: number, sha: string, ref: string, name: string): Promise<GitLabState | undefined> {
    const state = await this.#redis.hget(this.#keys.lastStates(projectId, sha), field(ref, name));
    return (state ?? undefined) as GitLabState | undefined;
  }

  /** Records a posted state (right after the post, so a replay after a crash is recognised). */
  async set(projectId: number, sha: string, ref: string, name: string, state: GitLabState): Promise<void> {
    const key = this.#keys.lastStates(projectId, sha);
    await this.#redis.multi().hset(key, field(ref, name), state).expire(key, TTL_SECONDS).exec();
  }
}

function field(ref: string, name: string): string {
  return `${name}\n${ref}`;
}
