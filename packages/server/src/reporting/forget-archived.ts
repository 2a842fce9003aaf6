import type { PipelineRecord } from '@ferry/shared';
import type { ChainableCommander, Redis } from 'ioredis';
import { storeKeys } from '../store/redis/keys.js';
import { commitStatusChannel, deployingMark, reportingKeys } from './reporting-keys.js';

/**
 * Drops the last posted GitLab states of a commit unless statuses for it are still queued or
 * another pipeline of the same commit is still in Redis (they go with the last one archived).
 * KEYS: the commit's status queue, its last-states hash, the project's pipeline index.
 * ARGV: the pipeline key prefix, the commit sha, the archived pipeline's id.
 */
const forgetCommitScript = `
if redis.call('LLEN', KEYS[1]) > 0 then return 0 end
for _, other in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  if other ~= ARGV[3] and redis.call('HGET', ARGV[1] .. other, 'sha') == ARGV[2] then return 0 end
end
return redis.call('DEL', KEYS[2])
`;

interface ForgetCommands {
  ferryForgetCommit(
    queue: string,
    lastStates: string,
    projectIndex: string,
    pipelinePrefix: string,
    sha: string,
    id: string,
  ): ChainableCommander;
}

/**
 * What reporting keeps in Redis per pipeline once its reports are out: the last GitLab state posted
 * per commit (so a replayed delivery is not posted twice) and the WeCom "deploying" once-mark. Both
 * only matter while the pipeline's transitions can still be planned or replayed; when the archiver
 * takes a pipeline out of Redis they go with it (in the same transaction), instead of staying for
 * their TTLs (30 and 7 days) and growing with every pipeline run.
 */
export class ArchivedReportingMarks {
  readonly #keys: ReturnType<typeof reportingKeys>;
  readonly #store: ReturnType<typeof storeKeys>;

  constructor(redis: Redis, prefix: string) {
    if (typeof (redis as unknown as Record<string, unknown>)['ferryForgetCommit'] !== 'function') {
      redis.defineCommand('ferryForgetCommit', { numberOfKeys: 3, lua: forgetCommitScript });
    }
    this.#keys = reportingKeys(prefix);
    this.#store = storeKeys(prefix);
  }

  /** Adds the forgetting of `record`'s marks to the archiver's removal transaction. */
  addTo(multi: ChainableCommander, record: PipelineRecord): void {
    const keys = this.#keys;
    multi.del(keys.once(deployingMark(record.id)));
    (multi as ChainableCommander & ForgetCommands).ferryForgetCommit(
      keys.queue('gitlab', commitStatusChannel(record.project.id, record.sha)),
      keys.lastStates(record.project.id, record.sha),
      this.#store.indexProject(record.project.id),
      this.#store.pipelinePrefix,
      record.sha,
      record.id,
    );
  }
}
